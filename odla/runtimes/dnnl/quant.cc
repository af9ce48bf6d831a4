// The integer nodes a oneDNN region takes (semantics: ODLA/ops/odla_ops_quant.h):
// - odla_QLinearConv as an int8 convolution (u8 or s8 source, s8 weights with zero
//   zero points, s32 bias, u8 or s8 destination; on Sapphire Rapids
//   jit:avx512_core_amx_int8), odla_QLinearMatMul as an int8 matmul (constant b).
//   Requantization is the primitive's: output scales M[c] = (x_scale * w_scale[c]) /
//   y_scale (computed by the reference builder), an eltwise_round post-op, then the
//   destination zero point; the source zero point is the primitive's too. Rounding
//   before the zero point is added makes it nearbyintf(acc * M) + zp exactly as ODLA
//   states it (without the round, oneDNN rounds acc * M + zp, one step off now and
//   then). An integer odla_Clamp reading the result alone joins as a clip post-op on
//   the rounded value (its bounds minus the zero point: exact on whole numbers).
// - odla_QLinearAdd as the runtime's own step (the vectorized kernel of the reference
//   runtime, kernels/qlinear.h) on the operands' region layout, on oneDNN's OpenMP
//   team: no reorder at either side, and no team spinning while other threads work.
#include <algorithm>
#include <any>
#include <cmath>
#include <vector>

#include "kernels/qlinear.h"
#include "op_params.h"
#include "region.h"

// libgomp's entry point for a parallel region (what `#pragma omp parallel` compiles to; the
// runtime's build has no -fopenmp): fn(data) runs on each thread of a team of num_threads
// (0: the current default) threads.
extern "C" void GOMP_parallel(void (*fn)(void*), void* data, unsigned num_threads,
                              unsigned flags);
extern "C" int omp_get_thread_num();
extern "C" int omp_get_num_threads();

namespace odla_dnnl {
namespace {

using dnnl::memory;
using odla_rt::QLinearParams;

bool is_q8(odla_element_type t) { return t == ODLA_UINT8 || t == ODLA_INT8; }

bool all_zero(const std::vector<int32_t>& v) {
  return std::all_of(v.begin(), v.end(), [](int32_t z) { return z == 0; });
}

// The checks oneDNN's int8 primitives need: 8-bit source and result, int8 weights
// with zero zero points (oneDNN has no weight zero points).
bool claimable_qlinear(const Node& n) {
  if (n.params.type() != typeid(QLinearParams)) return false;
  const auto& q = std::any_cast<const QLinearParams&>(n.params);
  if (!is_q8(q.x_type) || !is_q8(q.y_type) || q.w_type != ODLA_INT8 || !all_zero(q.w_zero))
    return false;
  if (n.op == "odla_QLinearConv") return q.conv.spatial >= 1 && q.conv.spatial <= 3;
  return n.inputs[0]->type.rank() >= 2;  // QLinearMatMul: a [..., M, K]
}

// An integer odla_Clamp on `v`'s type: its bounds.
bool integer_clamp(const Node& n, const _odla_value* v, float& lo, float& hi) {
  if (n.op != "odla_Clamp" || n.inputs.size() != 1 || n.inputs[0] != v ||
      n.outputs[0]->type.dtype != v->type.dtype || n.outputs[0]->type.dims != v->type.dims ||
      n.params.type() != typeid(odla_ref::detail::Activation))
    return false;
  const auto& a = std::any_cast<const odla_ref::detail::Activation&>(n.params);
  lo = a.lo;
  hi = a.hi;
  return true;
}

// Output scales, zero points and the post-ops that make the requantization ODLA's.
dnnl::primitive_attr requantize(Builder& b, int i, const QLinearParams& q, int channel_dim,
                                Chain& ch) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const bool per_channel =
      std::any_of(q.mul.begin(), q.mul.end(), [&](float m) { return m != q.mul[0]; });
  attr.set_output_scales(per_channel ? 1 << channel_dim : 0,
                         per_channel ? q.mul : std::vector<float>{q.mul[0]});
  if (q.x_zero != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {q.x_zero});
  if (q.y_zero != 0) attr.set_zero_points(DNNL_ARG_DST, 0, {q.y_zero});
  ch = Chain{};
  ch.result = b.node(i).outputs[0];
  dnnl::post_ops ops;
  ops.append_eltwise(1.f, dnnl::algorithm::eltwise_round, 0.f, 0.f);
  // Integer clamps that alone read the result: clip the rounded value before the zero point.
  for (;;) {
    const std::vector<int> readers = b.readers(ch.result);
    float lo, hi;
    if (b.materialized(ch.result) || readers.size() != 1 || !b.takes(readers[0]) ||
        !integer_clamp(b.node(readers[0]), ch.result, lo, hi))
      break;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip_v2, lo - static_cast<float>(q.y_zero),
                       hi - static_cast<float>(q.y_zero));
    ch.absorbed.push_back(readers[0]);
    ch.result = b.node(readers[0]).outputs[0];
  }
  attr.set_post_ops(ops);
  return attr;
}

void push_scratchpad(Builder& b, const dnnl::primitive_desc_base& pd,
                     std::vector<std::pair<int, int>>& args) {
  const int pad = b.scratchpad(pd);
  if (pad >= 0) args.emplace_back(DNNL_ARG_SCRATCHPAD, pad);
}

void build_qconv(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& q = std::any_cast<const QLinearParams&>(n.params);
  const ConvShape c = conv_shape(q.conv);
  const dt xt = dt_of(q.x_type), yt = dt_of(q.y_type);
  const Dims bias_dims{q.conv.out_channels};
  Chain ch;
  const dnnl::primitive_attr attr = requantize(b, i, q, 1, ch);
  const md_t src = any_md(c.src, xt), w = any_md(c.w, dt::s8), dst = any_md(c.dst, yt);
  const auto d =
      q.has_bias
          ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                            dnnl::algorithm::convolution_direct, src, w,
                                            plain_md(bias_dims, dt::s32), dst, c.strides, c.dil,
                                            c.pl, c.pr)
          : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                            dnnl::algorithm::convolution_direct, src, w, dst,
                                            c.strides, c.dil, c.pl, c.pr);
  const dnnl::convolution_forward::primitive_desc pd(d, attr, engine());
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC, b.convert(b.value_tensor(n.inputs[0]), pd.src_desc()));
  args.emplace_back(DNNL_ARG_WEIGHTS,
                    b.convert(b.data_tensor(q.weights, plain_md(c.w, dt::s8)), pd.weights_desc()));
  if (q.has_bias)
    args.emplace_back(DNNL_ARG_BIAS, b.convert(b.value_tensor(n.inputs[1]), pd.bias_desc()));
  const int out = b.new_output(ch.result, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  push_scratchpad(b, pd, args);
  b.add_step(dnnl::convolution_forward(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

void build_qmatmul(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& q = std::any_cast<const QLinearParams&>(n.params);
  Dims a_dims = n.inputs[0]->type.dims;
  const Dims y_dims = n.outputs[0]->type.dims;
  const int rank = static_cast<int>(a_dims.size());
  Dims w_dims(static_cast<size_t>(rank), 1);
  w_dims[rank - 2] = q.k;
  w_dims[rank - 1] = q.n;
  Chain ch;
  const dnnl::primitive_attr attr = requantize(b, i, q, rank - 1, ch);
  const md_t a = plain_md(a_dims, dt_of(q.x_type));
  const md_t w = any_md(w_dims, dt::s8), y = plain_md(y_dims, dt_of(q.y_type));
  Dims bias_dims(static_cast<size_t>(rank), 1);
  bias_dims[rank - 1] = q.n;
  const auto d = q.has_bias ? dnnl::matmul::desc(a, w, plain_md(bias_dims, dt::s32), y)
                            : dnnl::matmul::desc(a, w, y);
  const dnnl::matmul::primitive_desc pd(d, attr, engine());
  std::vector<std::pair<int, int>> args;
  args.emplace_back(DNNL_ARG_SRC, b.plain_tensor(n.inputs[0]));
  args.emplace_back(DNNL_ARG_WEIGHTS,
                    b.convert(b.data_tensor(q.weights, plain_md(w_dims, dt::s8)), pd.weights_desc()));
  if (q.has_bias)
    args.emplace_back(DNNL_ARG_BIAS,
                      b.view(b.value_tensor(n.inputs[1]), plain_md(bias_dims, dt::s32)));
  const int out = b.new_output(ch.result, pd.dst_desc());
  args.emplace_back(DNNL_ARG_DST, out);
  push_scratchpad(b, pd, args);
  b.add_step(dnnl::matmul(pd), std::move(args));
  b.produced(ch.result, out);
  b.commit(ch);
}

// Runs fn(begin, end) over [0, n) in chunks on an OpenMP team of the size oneDNN uses.
template <class Fn>
void omp_for(int64_t n, int64_t grain, const Fn& fn) {
  struct Job {
    int64_t n, grain;
    const Fn* fn;
  } job{n, grain, &fn};
  const int64_t chunks = (n + grain - 1) / grain;
  GOMP_parallel(
      [](void* data) {
        const Job& j = *static_cast<const Job*>(data);
        const int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
        const int64_t count = (j.n + j.grain - 1) / j.grain;
        const int64_t b = count * t / team, e = count * (t + 1) / team;
        if (b < e) (*j.fn)(b * j.grain, std::min(j.n, e * j.grain));
      },
      &job, chunks > 1 ? 0u : 1u, 0u);
}

void build_qadd(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& p = std::any_cast<const odla_ref::QAddParams&>(n.params);
  const odla_ref::detail::QElementwise* vec = odla_ref::detail::qelementwise_avx512();
  if (vec == nullptr) throw Decline("no vectorized QLinearAdd on this CPU");
  const int a = b.value_tensor(n.inputs[0]);
  const md_t layout = b.md_of(a);  // the first operand's layout, for all three
  const int64_t count = n.outputs[0]->type.numel();
  if (layout.get_size() != static_cast<size_t>(count)) throw Decline("padded layout");
  const int other = b.convert(b.value_tensor(n.inputs[1]),
                              retyped(layout, dt_of(n.inputs[1]->type.dtype)));
  const int out = b.new_output(n.outputs[0], retyped(layout, dt_of(n.outputs[0]->type.dtype)));
  const bool a_signed = n.inputs[0]->type.dtype == ODLA_INT8;
  const bool b_signed = n.inputs[1]->type.dtype == ODLA_INT8;
  b.add_step(
      [p, vec, count, a_signed, b_signed](void* const* buf) {
        const auto* x = static_cast<const uint8_t*>(buf[0]);
        const auto* y = static_cast<const uint8_t*>(buf[1]);
        auto* z = static_cast<uint8_t*>(buf[2]);
        omp_for(count, 16384, [&](int64_t s, int64_t e) {
          vec->add(p, x + s, a_signed, y + s, b_signed, z + s, e - s);
        });
      },
      {a, other, out});
  b.produced(n.outputs[0], out);
}

}  // namespace

bool claimable_quant(const Node& n) {
  if (n.op == "odla_QLinearConv" || n.op == "odla_QLinearMatMul") return claimable_qlinear(n);
  if (n.op == "odla_QLinearAdd")
    return n.params.type() == typeid(odla_ref::QAddParams) && n.inputs.size() == 2 &&
           odla_ref::detail::qelementwise_avx512() != nullptr;
  float lo, hi;  // an integer clamp joins the convolution or matmul before it
  return is_q8(n.inputs[0]->type.dtype) && integer_clamp(n, n.inputs[0], lo, hi);
}

void build_quant(Builder& b, int i) {
  const std::string& op = b.node(i).op;
  if (op == "odla_QLinearConv") return build_qconv(b, i);
  if (op == "odla_QLinearMatMul") return build_qmatmul(b, i);
  if (op == "odla_QLinearAdd") return build_qadd(b, i);
  throw Decline("an integer clamp that no convolution before it absorbs");
}

}  // namespace odla_dnnl
