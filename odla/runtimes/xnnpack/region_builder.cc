// region_builder.cc: building a region's XNNPACK subgraph node by node. The same code decides, in a
// dry run without XNNPACK calls, how far a region reaches (region_extent), so the
// rules for what XNNPACK takes live in one place.
//
// Layouts: a value XNNPACK's spatial ops produce (conv, pooling) is NHWC; ops
// that keep the layout (elementwise, clamps) pass it on; everything else is
// plain (the ODLA row-major order). A value wanted in the other layout is
// re-laid for free (a reshape) where both orders coincide (C == 1 or H == W == 1),
// transposed at the boundary for values from outside, permuted once for
// constants, and otherwise ends the region.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "builder.h"  // common/: odla_rt::AxisSplit
#include "kernels/conv.h"
#include "kernels/pool.h"
#include "op_params.h"
#include "region.h"
#include "region_builder.h"

namespace odla_xnn {
namespace {

using odla_rt::Node;
using odla_rt::ValueKind;

constexpr uint32_t kNone = XNN_INVALID_VALUE_ID;
constexpr float kInf = INFINITY;

Dims pad4(const Dims& d) {
  Dims p(4 - std::min<size_t>(d.size(), 4), 1);
  p.insert(p.end(), d.begin(), d.end());
  return p;
}
Dims to_nhwc(const Dims& d) {
  const Dims p = pad4(d);
  return {p[0], p[2], p[3], p[1]};
}
// NCHW and NHWC orders of the (padded) shape give the same memory order.
bool same_order(const Dims& d) {
  if (d.size() > 4) return false;
  const Dims p = pad4(d);
  return p[1] == 1 || (p[2] == 1 && p[3] == 1);
}
bool is_q8(odla_element_type t) { return t == ODLA_UINT8 || t == ODLA_INT8; }
bool is_const(const _odla_value* v) {
  return v->kind == ValueKind::kConstant && v->constant_data != nullptr;
}
const float* cdata(const _odla_value* v) { return static_cast<const float*>(v->constant_data); }
bool binary_op(const std::string& op) {
  return op == "odla_Add" || op == "odla_Sub" || op == "odla_Mul" || op == "odla_Div" ||
         op == "odla_Max" || op == "odla_Min";
}
bool unary_op(const std::string& op) {
  return op == "odla_Sigmoid" || op == "odla_HardSwish" || op == "odla_Abs" || op == "odla_Neg" ||
         op == "odla_Floor" || op == "odla_Ceil" || op == "odla_Round" || op == "odla_Sqrt" ||
         op == "odla_LeakyRelu" || op == "odla_Elu";
}

}  // namespace

bool conv_back_pads(const odla_ref::ConvParams& p, uint32_t pads_back[2]) {
  for (int a = 0; a < 2; ++a) {
    const int64_t span = p.dilations[a] * (p.kernel[a] - 1) + 1;
    const int64_t back = std::max<int64_t>(
        0, (p.out_dims[a] - 1) * p.strides[a] + span - p.in_dims[a] - p.pads_front[a]);
    if ((p.in_dims[a] + p.pads_front[a] + back - span) / p.strides[a] + 1 != p.out_dims[a])
      return false;
    pads_back[a] = static_cast<uint32_t>(back);
  }
  return true;
}

Builder::Builder(const _odla_computation& comp, const std::vector<Node>& nodes, size_t begin,
                 size_t end, const std::vector<const _odla_value*>* outputs)
    : comp_(comp), nodes_(nodes), begin_(begin), end_(end), dry_(outputs == nullptr) {
  for (const Node& n : nodes)
    for (odla_value v : n.inputs) ++readers_[v];
  for (odla_value v : comp.outputs) readers_[v] += 2;  // never fused away
  if (dry_) return;
  region_ = std::make_shared<Region>();
  for (const _odla_value* v : *outputs) outputs_.insert(v);
  uint32_t externals = 1;
  for (size_t i = begin; i < end; ++i)
    externals += 2 * static_cast<uint32_t>(nodes[i].inputs.size() + nodes[i].outputs.size());
  if (xnn_create_subgraph(externals, 0, &region_->subgraph) != xnn_status_success) {
    region_->subgraph = nullptr;
    broken_ = true;
  }
}

bool Builder::ok(xnn_status s) {
  if (s != xnn_status_success) broken_ = true;
  return s == xnn_status_success;
}

uint32_t Builder::tensor(const Dims& dims, const void* data, uint32_t external, uint32_t flags,
                         const _odla_value* v) {
  if (dry_) return next_fake_++;
  std::vector<size_t> d(dims.begin(), dims.end());
  uint32_t id = kNone;
  xnn_status s;
  if (v != nullptr && is_q8(v->type.dtype)) {
    const Quant& q = quant_.at(v);
    s = xnn_define_quantized_tensor_value(region_->subgraph, xnn_datatype_qint8, q.zero, q.scale,
                                          d.size(), d.data(), data, external, flags, &id);
  } else {
    s = xnn_define_tensor_value(region_->subgraph, xnn_datatype_fp32, d.size(), d.data(), data,
                                external, flags, &id);
  }
  return ok(s) ? id : kNone;
}

const float* Builder::own(std::vector<float> data) {
  region_->owned.push_back(std::move(data));
  return region_->owned.back().data();
}
const int8_t* Builder::own(std::vector<int8_t> data) {
  region_->owned_i8.push_back(std::move(data));
  return region_->owned_i8.back().data();
}
const int32_t* Builder::own(std::vector<int32_t> data) {
  region_->owned_i32.push_back(std::move(data));
  return region_->owned_i32.back().data();
}

// A value XNNPACK can hold: float32, or 8-bit with its quantization chosen.
bool Builder::holds(const _odla_value* v) const {
  return v->type.dtype == ODLA_FLOAT32 || (is_q8(v->type.dtype) && quant_.count(v) != 0);
}

// The value's dims as NCHW: padded in front, or [N, C, 1, W] for a 1-D convolution's.
Dims Builder::nchw4(const _odla_value* v) const {
  const Dims& d = v->type.dims;
  if (line_.count(v) != 0) return {d[0], d[1], 1, d[2]};
  return pad4(d);
}

Binding Builder::binding(const _odla_value* v, uint32_t id, bool nhwc) const {
  Binding b;
  b.value = v;
  b.xid = id;
  b.nchw = nchw4(v);
  b.transpose = nhwc && !same_order(b.nchw);
  b.flip = v->type.dtype == ODLA_UINT8;
  b.elem = v->type.dtype == ODLA_FLOAT32 ? 4 : 1;
  return b;
}

uint32_t Builder::get(const _odla_value* v, bool nhwc) {
  if (!holds(v) || v->type.rank() > XNN_MAX_TENSOR_DIMS ||
      (nhwc && v->type.rank() > 4))
    return kNone;
  const auto key = std::make_pair(v, nhwc);
  if (auto it = views_.find(key); it != views_.end()) return it->second;
  const Dims dims = nhwc ? to_nhwc(nchw4(v)) : v->type.dims;
  uint32_t id = kNone;
  if (auto it = produced_.find(v); it != produced_.end()) {
    if (it->second.nhwc == nhwc) return it->second.id;
    if (!same_order(nchw4(v))) return kNone;
    id = tensor(dims, nullptr, kNone, 0, v);
    if (id == kNone) return kNone;
    std::vector<size_t> d(dims.begin(), dims.end());
    if (!dry_ && !ok(xnn_define_static_reshape(region_->subgraph, d.size(), d.data(),
                                                it->second.id, id, 0)))
      return kNone;
  } else if (is_const(v)) {
    if (v->type.dtype != ODLA_FLOAT32) return kNone;
    const float* data = cdata(v);
    if (!dry_ && nhwc && !same_order(v->type.dims)) {
      const Dims p = pad4(v->type.dims);
      const int64_t C = p[1], HW = p[2] * p[3];
      std::vector<float> t(v->type.numel());
      for (int64_t n = 0; n < p[0]; ++n)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t s = 0; s < HW; ++s) t[(n * HW + s) * C + c] = data[(n * C + c) * HW + s];
      data = own(std::move(t));
    }
    id = tensor(dims, data, kNone, 0);
  } else {
    const uint32_t ext = next_external_++;
    id = tensor(dims, nullptr, ext, XNN_VALUE_FLAG_EXTERNAL_INPUT, v);
    if (!dry_ && id != kNone) region_->inputs.push_back(binding(v, id, nhwc));
  }
  if (id != kNone) views_[key] = id;
  return id;
}

uint32_t Builder::define_output(const _odla_value* v, bool nhwc) {
  if (!holds(v) || v->type.rank() > XNN_MAX_TENSOR_DIMS ||
      (nhwc && v->type.rank() != 4 && line_.count(v) == 0) || v->type.numel() == 0)
    return kNone;
  const bool external = outputs_.count(v) != 0;
  const uint32_t ext = external ? next_external_++ : kNone;
  const uint32_t id = tensor(nhwc ? to_nhwc(nchw4(v)) : v->type.dims, nullptr, ext,
                             external ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0, v);
  if (id == kNone) return kNone;
  produced_[v] = {id, nhwc};
  if (external && !dry_) region_->outputs.push_back(binding(v, id, nhwc));
  return id;
}

// A Relu/Clamp right after node i that alone reads its result runs inside it:
// the node then defines the clamp's result directly.
Act Builder::take_clamp(size_t i, const _odla_value** out) {
  Act act;
  *out = nodes_[i].outputs[0];
  if (dry_ || i + 1 >= end_) return act;
  const Node& next = nodes_[i + 1];
  if (!next.clamp || next.inputs.size() != 1 || next.inputs[0] != *out) return act;
  if (readers_[*out] != 1 || outputs_.count(*out) != 0) return act;
  act.lo = next.clamp->lo;
  act.hi = next.clamp->hi;
  *out = next.outputs[0];
  skip_.insert(i + 1);
  return act;
}

bool Builder::add(size_t i) {
  if (broken_) return false;
  if (skip_.count(i) != 0) return true;
  const Node& n = nodes_[i];
  if (n.outputs.size() != 1 || n.inputs.empty()) return false;
  if (n.op == "odla_QLinearConv" || n.op == "odla_QLinearMatMul" ||
      (n.op == "odla_MaxPool" && is_q8(n.inputs[0]->type.dtype))) {
    const bool done = n.op == "odla_QLinearConv"     ? qconv(i)
                      : n.op == "odla_QLinearMatMul" ? qmatmul(i)
                                                     : qpool_input(i) && pool(i);
    if (done) ++count_;
    return done && !broken_;
  }
  for (odla_value v : n.inputs)
    if (v->type.dtype != ODLA_FLOAT32 || v->type.numel() == 0) return false;
  if (n.outputs[0]->type.dtype != ODLA_FLOAT32) return false;
  bool done = false;
  if (n.op == "odla_Conv") done = conv(i);
  else if (n.op == "odla_Gemm") done = gemm(i);
  else if (n.op == "odla_MaxPool" || n.op == "odla_AveragePool") done = pool(i);
  else if (n.op == "odla_ReduceMean") done = global_pool(i);
  else if (binary_op(n.op)) done = binary(i);
  else if (n.op == "odla_Relu" || n.op == "odla_Clamp" || unary_op(n.op)) done = unary(i);
  else if (n.op == "odla_Softmax") done = softmax(i);
  else if (n.op == "odla_Reshape") done = reshape(i);
  else if (n.op == "odla_Transpose") done = transpose(i);
  if (done) ++count_;
  return done && !broken_;
}

bool Builder::conv(size_t i) {
  const Node& n = nodes_[i];
  const auto* p = std::any_cast<odla_ref::ConvParams>(&n.params);
  if (p == nullptr || p->spatial != 2 || n.inputs.size() < 2) return false;
  const _odla_value* w = n.inputs[1];
  const _odla_value* b = n.inputs.size() > 2 ? n.inputs[2] : nullptr;
  if (!is_const(w) || (b != nullptr && !is_const(b))) return false;
  uint32_t pads_back[2];
  if (!conv_back_pads(*p, pads_back)) return false;
  const int64_t cin = p->in_channels, cout = p->out_channels, g = p->group;
  const bool depthwise = g > 1 && g == cin && cout % cin == 0;
  const uint32_t x = get(n.inputs[0], true);
  if (x == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_clamp(i, &out);
  const int64_t kh = p->kernel[0], kw = p->kernel[1], icg = cin / g;
  uint32_t wid = kNone, bid = kNone;
  if (!dry_) {
    const float* src = cdata(w);
    std::vector<float> f(w->type.numel());
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t c = 0; c < icg; ++c)
        for (int64_t s = 0; s < kh * kw; ++s)
          f[depthwise ? s * cout + o : (o * kh * kw + s) * icg + c] = src[(o * icg + c) * kh * kw + s];
    const Dims fd = depthwise ? Dims{1, kh, kw, cout} : Dims{cout, kh, kw, icg};
    wid = tensor(fd, own(std::move(f)), kNone, 0);
    bid = tensor({cout}, b != nullptr ? cdata(b) : own(std::vector<float>(cout, 0.f)), kNone, 0);
  }
  const uint32_t y = define_output(out, true);
  if (y == kNone) return false;
  if (dry_) return true;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (depthwise)
    return ok(xnn_define_depthwise_convolution_2d(
        region_->subgraph, u(p->pads_front[0]), pads_back[1], pads_back[0], u(p->pads_front[1]),
        u(kh), u(kw), u(p->strides[0]), u(p->strides[1]), u(p->dilations[0]), u(p->dilations[1]),
        u(cout / cin), static_cast<size_t>(cin), act.lo, act.hi, x, wid, bid, y, 0));
  return ok(xnn_define_convolution_2d(
      region_->subgraph, u(p->pads_front[0]), pads_back[1], pads_back[0], u(p->pads_front[1]),
      u(kh), u(kw), u(p->strides[0]), u(p->strides[1]), u(p->dilations[0]), u(p->dilations[1]),
      u(g), static_cast<size_t>(icg), static_cast<size_t>(cout / g), act.lo, act.hi, x, wid, bid,
      y, 0));
}

bool Builder::gemm(size_t i) {
  const Node& n = nodes_[i];
  const auto* p = std::any_cast<odla_rt::GemmParams>(&n.params);
  if (p == nullptr || p->trans_a) return false;
  const _odla_value* b = n.inputs[1];
  if (!is_const(b) || b->type.rank() != 2) return false;
  const _odla_value* c = p->has_c && n.inputs.size() > 2 ? n.inputs[2] : nullptr;
  const int64_t N = p->N, K = p->K;
  // C is the bias when it holds one value per output column.
  bool c_bias = false;
  if (c != nullptr && is_const(c) && c->type.numel() == N) {
    c_bias = c->type.rank() == 0 || c->type.dims.back() == N;
  }
  if (c != nullptr && !c_bias && !is_const(c) && p->beta != 1) return false;
  const uint32_t a = get(n.inputs[0], false);
  if (a == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_clamp(i, &out);
  uint32_t wid = kNone, bid = kNone, cid = kNone;
  if (c != nullptr && !c_bias) {
    if (is_const(c)) {
      if (!dry_) {
        std::vector<float> s(cdata(c), cdata(c) + c->type.numel());
        for (float& v : s) v *= p->beta;
        cid = tensor(c->type.dims, own(std::move(s)), kNone, 0);
      }
    } else {
      cid = get(c, false);
      if (cid == kNone) return false;
    }
  }
  if (!dry_) {
    const float* src = cdata(b);
    const float* filter = src;
    const auto flat = flat_.find(n.inputs[0]);
    if (!p->trans_b || p->alpha != 1 || flat != flat_.end()) {
      // Column k of A in NCHW order (c * S + s) is column s * C + c of the NHWC one.
      const int64_t C = flat != flat_.end() ? flat->second.first : 1;
      const int64_t S = flat != flat_.end() ? flat->second.second : K;
      std::vector<float> f(N * K);
      for (int64_t r = 0; r < N; ++r)
        for (int64_t k = 0; k < K; ++k)
          f[r * K + (k % S) * C + k / S] =
              p->alpha * (p->trans_b ? src[r * K + k] : src[k * N + r]);
      filter = own(std::move(f));
    }
    wid = tensor({N, K}, filter, kNone, 0);
    const float* bias = nullptr;
    if (c_bias && p->beta == 1) {
      bias = cdata(c);
    } else {
      std::vector<float> s(N, 0.f);
      if (c_bias)
        for (int64_t r = 0; r < N; ++r) s[r] = p->beta * cdata(c)[r];
      bias = own(std::move(s));
    }
    bid = tensor({N}, bias, kNone, 0);
  }
  if (c == nullptr || c_bias) {
    const uint32_t y = define_output(out, false);
    if (y == kNone) return false;
    return dry_ || ok(xnn_define_fully_connected(region_->subgraph, act.lo, act.hi, a, wid, bid,
                                                 y, 0));
  }
  // Y = A B + C with a general C: the product, then an add.
  const uint32_t t = tensor(n.outputs[0]->type.dims, nullptr, kNone, 0);
  const uint32_t y = define_output(out, false);
  if (t == kNone || y == kNone) return false;
  if (dry_) return true;
  return ok(xnn_define_fully_connected(region_->subgraph, -kInf, kInf, a, wid, bid, t, 0)) &&
         ok(xnn_define_add2(region_->subgraph, act.lo, act.hi, t, cid, y, 0));
}

bool Builder::pool(size_t i) {
  const Node& n = nodes_[i];
  const auto* p = std::any_cast<odla_ref::PoolParams>(&n.params);
  if (p == nullptr || p->spatial != 2) return false;
  const bool is_max = n.op == "odla_MaxPool";
  bool padded = false;
  uint32_t back[2];
  for (int a = 0; a < 2; ++a) {
    const int64_t span = p->dilations[a] * (p->window[a] - 1) + 1;
    const int64_t b = std::max<int64_t>(
        0, (p->out_dims[a] - 1) * p->strides[a] + span - p->in_dims[a] - p->pads_front[a]);
    if ((p->in_dims[a] + p->pads_front[a] + b - span) / p->strides[a] + 1 != p->out_dims[a])
      return false;
    // Every window has a tap inside the input (XNNPACK never sees an empty one).
    if (p->pads_front[a] > span - 1 || (p->out_dims[a] - 1) * p->strides[a] >= p->in_dims[a] + p->pads_front[a])
      return false;
    if (!is_max && p->dilations[a] != 1) return false;
    padded = padded || b > 0 || p->pads_front[a] > 0;
    back[a] = static_cast<uint32_t>(b);
  }
  if (p->window[0] * p->window[1] == 1) return false;
  // XNNPACK's average leaves padding out of the divisor (ONNX count_include_pad = 0).
  if (!is_max && padded && p->count_include_pad) return false;
  const uint32_t x = get(n.inputs[0], true);
  if (x == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_clamp(i, &out);
  const uint32_t y = define_output(out, true);
  if (y == kNone) return false;
  if (dry_) return true;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (!is_max && !padded && p->window[0] == p->in_dims[0] && p->window[1] == p->in_dims[1] &&
      p->out_dims[0] == 1 && p->out_dims[1] == 1)
    return ok(xnn_define_global_average_pooling_2d(region_->subgraph, act.lo, act.hi, x, y, 0));
  if (is_max)
    return ok(xnn_define_max_pooling_2d(
        region_->subgraph, u(p->pads_front[0]), back[1], back[0], u(p->pads_front[1]),
        u(p->window[0]), u(p->window[1]), u(p->strides[0]), u(p->strides[1]), u(p->dilations[0]),
        u(p->dilations[1]), act.lo, act.hi, x, y, 0));
  return ok(xnn_define_average_pooling_2d(
      region_->subgraph, u(p->pads_front[0]), back[1], back[0], u(p->pads_front[1]),
      u(p->window[0]), u(p->window[1]), u(p->strides[0]), u(p->strides[1]), act.lo, act.hi, x,
      y, 0));
}

// ReduceMean over H and W (the generator's GlobalAveragePool).
bool Builder::global_pool(size_t i) {
  const Node& n = nodes_[i];
  const Dims& in = n.inputs[0]->type.dims;
  const Dims& o = n.outputs[0]->type.dims;
  if (n.inputs.size() != 1 || in.size() != 4) return false;
  const auto* axes = std::any_cast<std::vector<bool>>(&n.params);
  const bool keep = o == Dims{in[0], in[1], 1, 1};
  if (axes != nullptr ? *axes != std::vector<bool>{false, false, true, true}
                      : !keep)  // without the axes only the kept-dims form is unambiguous
    return false;
  const uint32_t x = get(n.inputs[0], true);
  if (x == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_clamp(i, &out);
  if (keep) {
    const uint32_t y = define_output(out, true);
    if (y == kNone) return false;
    return dry_ || ok(xnn_define_global_average_pooling_2d(region_->subgraph, act.lo, act.hi, x, y, 0));
  }
  // [N, C]: pool into [N, 1, 1, C], then the same memory as [N, C].
  const uint32_t t = tensor({in[0], 1, 1, in[1]}, nullptr, kNone, 0);
  const uint32_t y = define_output(out, false);
  if (t == kNone || y == kNone) return false;
  if (dry_) return true;
  std::vector<size_t> d(o.begin(), o.end());
  return ok(xnn_define_global_average_pooling_2d(region_->subgraph, act.lo, act.hi, x, t, 0)) &&
         ok(xnn_define_static_reshape(region_->subgraph, d.size(), d.data(), t, y, 0));
}

// NHWC <-> NCHW transposes (around models from channels-last frameworks) are
// changes of layout only: the result is its input's value seen in the other layout.
bool Builder::transpose(size_t i) {
  const Node& n = nodes_[i];
  const auto* perm = std::any_cast<Dims>(&n.params);
  if (perm == nullptr || n.inputs.size() != 1) return false;
  const bool nchw_of_nhwc = *perm == Dims{0, 3, 1, 2}, nhwc_of_nchw = *perm == Dims{0, 2, 3, 1};
  if (!nchw_of_nhwc && !nhwc_of_nchw) return false;
  const _odla_value* v = n.outputs[0];
  const uint32_t x = get(n.inputs[0], nhwc_of_nchw);  // the input's memory order is the result's
  if (x == kNone || v->type.dtype != ODLA_FLOAT32) return false;
  if (outputs_.count(v) == 0) {
    produced_[v] = {x, nchw_of_nhwc};
    return true;
  }
  const uint32_t y = define_output(v, nchw_of_nhwc);  // read after the region: a copy
  if (y == kNone) return false;
  if (dry_) return true;
  const Dims d0 = nchw_of_nhwc ? to_nhwc(v->type.dims) : v->type.dims;
  std::vector<size_t> d(d0.begin(), d0.end());
  return ok(xnn_define_static_reshape(region_->subgraph, d.size(), d.data(), x, y, 0));
}

bool Builder::is_nhwc(const _odla_value* v) const {
  auto it = produced_.find(v);
  return it != produced_.end() && it->second.nhwc;
}

bool Builder::binary(size_t i) {
  const Node& n = nodes_[i];
  if (n.inputs.size() != 2) return false;
  const _odla_value* a = n.inputs[0];
  const _odla_value* b = n.inputs[1];
  const bool nhwc = n.outputs[0]->type.rank() == 4 && (is_nhwc(a) || is_nhwc(b));
  const uint32_t x = get(a, nhwc), z = get(b, nhwc);
  if (x == kNone || z == kNone) return false;
  const bool clamps = n.op != "odla_Max" && n.op != "odla_Min";
  const _odla_value* out = n.outputs[0];
  const Act act = clamps ? take_clamp(i, &out) : Act{};
  const uint32_t y = define_output(out, nhwc);
  if (y == kNone) return false;
  if (dry_) return true;
  xnn_subgraph_t s = region_->subgraph;
  if (n.op == "odla_Add") return ok(xnn_define_add2(s, act.lo, act.hi, x, z, y, 0));
  if (n.op == "odla_Sub") return ok(xnn_define_subtract(s, act.lo, act.hi, x, z, y, 0));
  if (n.op == "odla_Mul") return ok(xnn_define_multiply2(s, act.lo, act.hi, x, z, y, 0));
  if (n.op == "odla_Div") return ok(xnn_define_divide(s, act.lo, act.hi, x, z, y, 0));
  if (n.op == "odla_Max") return ok(xnn_define_maximum2(s, x, z, y, 0));
  return ok(xnn_define_minimum2(s, x, z, y, 0));
}

bool Builder::unary(size_t i) {
  const Node& n = nodes_[i];
  if (n.inputs.size() != 1) return false;
  const bool is_clamp = n.op == "odla_Relu" || n.op == "odla_Clamp";
  if (is_clamp && !n.clamp) return false;
  const auto* ap = std::any_cast<odla_rt::ActivationParams>(&n.params);
  if ((n.op == "odla_LeakyRelu" || n.op == "odla_Elu") && ap == nullptr) return false;
  const bool nhwc = is_nhwc(n.inputs[0]);
  const uint32_t x = get(n.inputs[0], nhwc);
  if (x == kNone) return false;
  const uint32_t y = define_output(n.outputs[0], nhwc);
  if (y == kNone) return false;
  if (dry_) return true;
  xnn_subgraph_t s = region_->subgraph;
  if (is_clamp) return ok(xnn_define_clamp(s, n.clamp->lo, n.clamp->hi, x, y, 0));
  if (n.op == "odla_Sigmoid") return ok(xnn_define_sigmoid(s, x, y, 0));
  if (n.op == "odla_HardSwish") return ok(xnn_define_hardswish(s, x, y, 0));
  if (n.op == "odla_Abs") return ok(xnn_define_abs(s, x, y, 0));
  if (n.op == "odla_Neg") return ok(xnn_define_negate(s, x, y, 0));
  if (n.op == "odla_Floor") return ok(xnn_define_floor(s, x, y, 0));
  if (n.op == "odla_Ceil") return ok(xnn_define_ceiling(s, x, y, 0));
  if (n.op == "odla_Round") return ok(xnn_define_bankers_rounding(s, x, y, 0));
  if (n.op == "odla_LeakyRelu") return ok(xnn_define_leaky_relu(s, ap->alpha, x, y, 0));
  if (n.op == "odla_Elu") return ok(xnn_define_elu(s, ap->alpha, x, y, 0));
  return ok(xnn_define_square_root(s, x, y, 0));
}

bool Builder::softmax(size_t i) {
  const Node& n = nodes_[i];
  const auto* sp = std::any_cast<odla_rt::AxisSplit>(&n.params);
  if (sp == nullptr || n.inputs.size() != 1) return false;
  const _odla_value* v = n.inputs[0];
  const Dims& d = v->type.dims;
  bool nhwc = false;
  if (is_nhwc(v) && sp->outer == d[0] && sp->axis_len == d[1] && sp->inner == d[2] * d[3])
    nhwc = true;
  else if (sp->inner != 1)
    return false;
  const uint32_t x = get(v, nhwc);
  if (x == kNone) return false;
  const uint32_t y = define_output(n.outputs[0], nhwc);
  if (y == kNone) return false;
  return dry_ || ok(xnn_define_softmax(region_->subgraph, x, y, 0));
}

// Flatten of an NHWC [N, C, H, W] value read only by the fully connected Gemm
// right after it: the Gemm reads the NHWC order, its weights' columns permuted.
bool Builder::flatten_into_gemm(size_t i) {
  const Node& n = nodes_[i];
  const _odla_value* x = n.inputs[0];
  const _odla_value* y = n.outputs[0];
  const Dims& d = x->type.dims;
  if (!is_nhwc(x) || d.size() != 4 || y->type.dims != Dims{d[0], d[1] * d[2] * d[3]}) return false;
  if (i + 1 >= end_ || readers_[y] != 1 || outputs_.count(y) != 0) return false;
  const Node& g = nodes_[i + 1];
  const auto* p = std::any_cast<odla_rt::GemmParams>(&g.params);
  if (g.op != "odla_Gemm" || g.inputs[0] != y || p == nullptr || p->trans_a) return false;
  const uint32_t id = tensor(y->type.dims, nullptr, kNone, 0);
  if (id == kNone) return false;
  std::vector<size_t> dims(y->type.dims.begin(), y->type.dims.end());
  if (!dry_ && !ok(xnn_define_static_reshape(region_->subgraph, dims.size(), dims.data(),
                                              produced_[x].id, id, 0)))
    return false;
  produced_[y] = {id, false};
  flat_[y] = {d[1], d[2] * d[3]};
  return true;
}

bool Builder::reshape(size_t i) {
  const Node& n = nodes_[i];
  if (flatten_into_gemm(i)) return true;
  const uint32_t x = get(n.inputs[0], false);
  if (x == kNone) return false;
  const uint32_t y = define_output(n.outputs[0], false);
  if (y == kNone) return false;
  if (dry_) return true;
  std::vector<size_t> d(n.outputs[0]->type.dims.begin(), n.outputs[0]->type.dims.end());
  return ok(xnn_define_static_reshape(region_->subgraph, d.size(), d.data(), x, y, 0));
}

std::shared_ptr<Region> Builder::finish() {
  if (dry_ || broken_) return nullptr;
  region_->num_nodes = count_;
  if (!region_->prepare()) return nullptr;
  return region_;
}

size_t region_extent(const _odla_computation& comp, const std::vector<Node>& nodes, size_t begin) {
  Builder b(comp, nodes, begin, nodes.size(), nullptr);
  size_t i = begin;
  while (i < nodes.size() && b.add(i)) ++i;
  return i;
}

std::shared_ptr<Region> build_region(const _odla_computation& comp, const std::vector<Node>& nodes,
                                     size_t begin, size_t end,
                                     const std::vector<const _odla_value*>& outputs,
                                     size_t* failed) {
  Builder b(comp, nodes, begin, end, &outputs);
  for (size_t i = begin; i < end; ++i)
    if (!b.add(i)) {
      *failed = i;
      return nullptr;
    }
  auto r = b.finish();
  if (r == nullptr) *failed = end;
  return r;
}

}  // namespace odla_xnn
