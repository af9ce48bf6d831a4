// The Eigen runtime: Eigen tensor contractions on a ThreadPoolDevice for Conv
// (2-D NCHW, group 1, im2col) and Gemm (float32), Eigen tensor expressions for
// same-shape Add/Mul and Relu/Clamp, and 2-D pools split over the device
// (eigen_kernels.h). The `lower` hook fuses a float32 Relu/Clamp into the
// Conv, Gemm or Add whose result only it reads (bias, activation applied by
// the contraction's output kernel as each block is stored). Everything else
// keeps the portable kernels.
#include <any>
#include <unordered_map>

#include "backend.h"
#include "eigen_kernels.h"
#include "op_params.h"

namespace odla_rt {
namespace {

using odla_eigen::Activation;

bool all_float32(const Node& n) {
  for (odla_value v : n.inputs)
    if (v->type.dtype != ODLA_FLOAT32) return false;
  for (odla_value v : n.outputs)
    if (v->type.dtype != ODLA_FLOAT32) return false;
  return !n.outputs.empty();
}

bool make_conv(Node& n, const Activation& act) {
  const auto* pp = std::any_cast<odla_ref::ConvParams>(&n.params);
  if (pp == nullptr || pp->spatial != 2 || pp->group != 1 || !all_float32(n) ||
      n.inputs.size() < 2 || n.outputs.size() != 1)
    return false;
  const odla_ref::ConvParams p = *pp;
  const bool has_bias = n.inputs.size() == 3;
  n.scratch_bytes = odla_eigen::conv_scratch_bytes(p);
  n.kernel = [p, has_bias, act](const KernelIO& io) {
    odla_eigen::kernels().conv2d(p, io.input<float>(0), io.input<float>(1),
                                 has_bias ? io.input<float>(2) : nullptr, io.output<float>(0),
                                 static_cast<float*>(io.scratch), act);
  };
  return true;
}

Dims batch_of(const Dims& d) { return Dims(d.begin(), d.end() - 2); }

// Works out how the Gemm's batches and C map onto odla_eigen::GemmArgs;
// false for broadcasts it does not cover (the portable kernel keeps those).
bool gemm_args(const Node& n, const GemmParams& p, odla_eigen::GemmArgs& g) {
  const Dims& da = n.inputs[0]->type.dims;
  const Dims& db = n.inputs[1]->type.dims;
  const Dims& dy = n.outputs[0]->type.dims;
  const Dims ba = batch_of(da), bb = batch_of(db), by = batch_of(dy);
  const int64_t na = num_elements(ba), nb = num_elements(bb), ny = num_elements(by);
  g.trans_a = p.trans_a;
  g.trans_b = p.trans_b;
  g.M = p.M;
  g.N = p.N;
  g.K = p.K;
  g.alpha = p.alpha;
  g.beta = p.beta;
  g.batches = ny;
  g.a_stride = na == 1 ? 0 : p.M * p.K;
  g.b_stride = nb == 1 ? 0 : p.K * p.N;
  if ((na != 1 && na != ny) || (nb != 1 && nb != ny)) return false;
  if (na != 1 && ny > 1 && ba.size() != by.size()) return false;
  if (nb != 1 && ny > 1 && bb.size() != by.size()) return false;
  if (na != 1 && nb != 1 && ba != bb) return false;
  if (p.has_c) {
    const Dims& dc = n.inputs[2]->type.dims;
    const int64_t nc = num_elements(dc);
    const int r = static_cast<int>(dc.size());
    if (nc == 1) {
      g.c_mode = 1;
    } else if (r >= 1 && dc[r - 1] == p.N && nc == p.N) {
      g.c_mode = 2;
    } else if (r >= 2 && dc[r - 2] == p.M && dc[r - 1] == p.N &&
               (nc == p.M * p.N || nc == num_elements(dy))) {
      g.c_mode = 3;
      g.c_stride = nc == p.M * p.N ? 0 : p.M * p.N;
    } else if (r >= 2 && dc[r - 2] == p.M && dc[r - 1] == 1 && nc == p.M) {
      g.c_mode = 4;
    } else {
      return false;
    }
  }
  // A's batches stacked into one taller matrix when B is shared.
  if (!p.trans_a && g.batches > 1 && g.b_stride == 0 && g.a_stride != 0 &&
      (g.c_mode <= 2 || (g.c_mode == 3 && g.c_stride != 0))) {
    g.M *= g.batches;
    g.batches = 1;
    g.c_stride = 0;
  }
  return true;
}

bool make_gemm(Node& n, const Activation& act) {
  const auto* pp = std::any_cast<GemmParams>(&n.params);
  if (pp == nullptr || !all_float32(n) || n.outputs.size() != 1 ||
      n.inputs.size() != (pp->has_c ? 3u : 2u))
    return false;
  odla_eigen::GemmArgs g;
  if (!gemm_args(n, *pp, g)) return false;
  const bool has_c = pp->has_c;
  n.kernel = [g, has_c, act](const KernelIO& io) {
    odla_eigen::kernels().gemm(g, io.input<float>(0), io.input<float>(1),
                               has_c ? io.input<float>(2) : nullptr, io.output<float>(0), act);
  };
  return true;
}

// Same-shape float32 binary ops.
bool same_shape_binary(const Node& n) {
  return all_float32(n) && n.inputs.size() == 2 && n.outputs.size() == 1 &&
         n.inputs[0]->type.dims == n.outputs[0]->type.dims &&
         n.inputs[1]->type.dims == n.outputs[0]->type.dims;
}

bool make_add(Node& n, const Activation& act) {
  if (!same_shape_binary(n)) return false;
  const int64_t count = n.outputs[0]->type.numel();
  n.kernel = [count, act](const KernelIO& io) {
    odla_eigen::kernels().add(io.input<float>(0), io.input<float>(1), io.output<float>(0), count,
                              act);
  };
  return true;
}

bool make_mul(Node& n) {
  if (!same_shape_binary(n)) return false;
  const int64_t count = n.outputs[0]->type.numel();
  n.kernel = [count](const KernelIO& io) {
    odla_eigen::kernels().mul(io.input<float>(0), io.input<float>(1), io.output<float>(0), count);
  };
  return true;
}

bool make_clamp(Node& n) {
  if (!n.clamp || !all_float32(n) || n.inputs.size() != 1 || n.outputs.size() != 1 ||
      n.inputs[0]->type.numel() != n.outputs[0]->type.numel())
    return false;
  const Activation act = *n.clamp;
  const int64_t count = n.outputs[0]->type.numel();
  n.kernel = [count, act](const KernelIO& io) {
    odla_eigen::kernels().clamp(io.input<float>(0), io.output<float>(0), count, act);
  };
  return true;
}

bool make_pool(Node& n, bool is_max) {
  const auto* pp = std::any_cast<odla_ref::PoolParams>(&n.params);
  if (pp == nullptr || pp->spatial != 2 || !all_float32(n) || n.inputs.size() != 1 ||
      n.outputs.size() != 1)
    return false;
  const odla_ref::PoolParams p = *pp;
  n.kernel = [p, is_max](const KernelIO& io) {
    if (is_max)
      odla_eigen::kernels().max_pool(p, io.input<float>(0), io.output<float>(0));
    else
      odla_eigen::kernels().avg_pool(p, io.input<float>(0), io.output<float>(0));
  };
  return true;
}

// The node's own kernel with `act` applied to its result, when it has one.
bool make_fused(Node& n, const Activation& act) {
  if (n.op == "odla_Conv") return make_conv(n, act);
  if (n.op == "odla_Gemm") return make_gemm(n, act);
  if (n.op == "odla_Add") return make_add(n, act);
  return false;
}

// Finds one Relu/Clamp (float32) whose input is output 0 of a Conv/Gemm/Add
// that this runtime takes, read by nothing else and not a computation output,
// starting at node `from`; fuses the pair (the producer's kernel applies the
// clamp) and returns the index after the fused node, or -1 when none is left.
int fuse_one(const _odla_computation& comp, std::vector<Node>& nodes, int from) {
  std::unordered_map<const _odla_value*, int> producer, readers;
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    for (odla_value v : nodes[i].inputs) ++readers[v];
    for (odla_value v : nodes[i].outputs) producer[v] = i;
  }
  for (odla_value o : comp.outputs) ++readers[o];
  for (int j = from; j < static_cast<int>(nodes.size()); ++j) {
    const Node& c = nodes[j];
    if (!c.clamp || c.native || c.inputs.size() != 1 || c.outputs.size() != 1) continue;
    const _odla_value* v = c.inputs[0];
    auto it = producer.find(v);
    if (it == producer.end() || readers[v] != 1) continue;
    const Node& prod = nodes[it->second];
    if (prod.native || prod.outputs.size() != 1 || prod.outputs[0] != v) continue;
    if (v->type.dtype != ODLA_FLOAT32 || c.outputs[0]->type.dtype != ODLA_FLOAT32 ||
        v->type.dims != c.outputs[0]->type.dims)
      continue;
    Node fused = prod;
    if (!make_fused(fused, *c.clamp)) continue;
    fused.with_clamp = nullptr;
    if (replace_region(comp, nodes, {it->second, j}, std::move(fused))) return j;  // fused at j - 1
  }
  return -1;
}

void fuse_activations(const _odla_computation& comp, std::vector<Node>& nodes) {
  for (int from = 0; from >= 0;) from = fuse_one(comp, nodes, from);
}

KernelMaker plain(bool (*make)(Node&, const Activation&)) {
  return [make](const _odla_computation&, Node& n) { return make(n, Activation{}); };
}

}  // namespace

const Backend& backend() {
  static const Backend b{
      "eigen",
      {
          {"odla_Conv", plain(make_conv)},
          {"odla_Gemm", plain(make_gemm)},
          {"odla_Add", plain(make_add)},
          {"odla_Mul", [](const _odla_computation&, Node& n) { return make_mul(n); }},
          {"odla_Relu", [](const _odla_computation&, Node& n) { return make_clamp(n); }},
          {"odla_Clamp", [](const _odla_computation&, Node& n) { return make_clamp(n); }},
          {"odla_MaxPool", [](const _odla_computation&, Node& n) { return make_pool(n, true); }},
          {"odla_AveragePool",
           [](const _odla_computation&, Node& n) { return make_pool(n, false); }},
      },
      fuse_activations};
  return b;
}

}  // namespace odla_rt
