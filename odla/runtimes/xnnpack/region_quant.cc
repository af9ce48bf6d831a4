// region_quant.cc: the integer ops inside a region, on XNNPACK's qs8/qc8 operators.
//
// odla_QLinearConv and odla_QLinearMatMul (a 1x1 convolution over the rows of a)
// become XNNPACK convolutions with int8 activations and per-channel (qcint8)
// weights. XNNPACK's qc8 requantization is ODLA's formula (odla_ops_quant.h):
// (float)acc * scale[co] with scale[co] = input_scale * kernel_scale[co] /
// output_scale in float32 in that order, clamped, rounded half to even, plus the
// zero point; measured bit-exact against the formula (all ties included). Per-tensor
// weights take the channelwise path too: qs8's own requantization is fixed-point on
// ARM. What XNNPACK cannot take exactly stays portable: weights whose w - w_zero
// leaves int8, scales that are not positive normal floats, multipliers >= 256
// (XNNPACK declines them), non-constant biases. A 1-D convolution runs as a 2-D one
// of height 1 ([N, C, W] seen as [N, C, 1, W]).
//
// uint8 values live as int8 (x ^ 0x80, zero point - 128): x - zero_point and every
// result are unchanged (saturate_u8(r + z) = saturate_s8(r + z - 128) + 128). The
// region boundary flips them (region.cc). MaxPool on 8-bit values runs as qint8
// max pooling (the flip keeps the order).
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "kernels/qgemm.h"
#include "region_builder.h"

namespace odla_xnn {
namespace {

using odla_rt::Node;
using odla_rt::QLinearParams;

constexpr uint32_t kNone = XNN_INVALID_VALUE_ID;

int32_t flip_of(odla_element_type t) { return t == ODLA_UINT8 ? 128 : 0; }
Quant in_quant(const QLinearParams& q) { return {q.x_scale, q.x_zero - flip_of(q.x_type)}; }
Quant out_quant(const QLinearParams& q) { return {q.y_scale, q.y_zero - flip_of(q.y_type)}; }
bool positive_normal(float s) { return std::isnormal(s) && s > 0; }

// XNNPACK computes the node's multipliers as ODLA does and accepts them.
bool exact_scales(const QLinearParams& q) {
  if (!positive_normal(q.x_scale) || !positive_normal(q.y_scale)) return false;
  for (float s : q.w_scale)
    if (!positive_normal(s)) return false;
  for (float m : q.mul)
    if (!positive_normal(m) || m >= 256.f) return false;
  return true;
}

// Weight `idx` of output channel `co` minus its zero point, or 1000 when it leaves int8.
int32_t centered(const QLinearParams& q, size_t idx, int64_t co) {
  const auto* bytes = static_cast<const uint8_t*>(q.weights);
  const int32_t w = q.w_type == ODLA_UINT8 ? bytes[idx] : static_cast<int8_t>(bytes[idx]);
  const int32_t c = w - q.w_zero[co];
  return c < -128 || c > 127 ? 1000 : c;
}

bool is_const(const _odla_value* v) {
  return v->kind == odla_rt::ValueKind::kConstant && v->constant_data != nullptr;
}

// Whether GEMM-shaped integer ops (dense and grouped convolutions with 4 or more
// output channels per group, matrix products) go to XNNPACK: not where the portable
// integer GEMM has AMX or AVX-512 VNNI kernels, which this XNNPACK snapshot lacks
// (README: ResNet-50 int8 5x slower on XNNPACK); ODLA_XNNPACK_QGEMM=1 or 0 decides
// (read when a computation is planned).
bool xnnpack_gemms() {
  const char* env = std::getenv("ODLA_XNNPACK_QGEMM");
  if (env != nullptr && *env != 0) return std::strcmp(env, "0") != 0;
  return &odla_ref::detail::qgemm_kernel() == odla_ref::detail::qgemm_kernel_portable();
}

// A 1-D convolution as a 2-D one of height 1.
odla_ref::ConvParams as_2d(const odla_ref::ConvParams& p) {
  if (p.spatial != 1) return p;
  odla_ref::ConvParams q = p;
  q.spatial = 2;
  q.in_dims[0] = q.out_dims[0] = q.kernel[0] = q.strides[0] = q.dilations[0] = 1;
  q.pads_front[0] = 0;
  q.in_dims[1] = p.in_dims[0];
  q.out_dims[1] = p.out_dims[0];
  q.kernel[1] = p.kernel[0];
  q.strides[1] = p.strides[0];
  q.dilations[1] = p.dilations[0];
  q.pads_front[1] = p.pads_front[0];
  return q;
}

}  // namespace

// Fixes v's quantization to q, or checks that it already is q.
bool Builder::wants(const _odla_value* v, const Quant& q) {
  if (v->type.dtype != ODLA_UINT8 && v->type.dtype != ODLA_INT8) return false;
  auto it = quant_.find(v);
  if (it == quant_.end()) quant_[v] = q;
  return it == quant_.end() || it->second == q;
}

// An integer Clamp right after node i that alone reads its result becomes the
// node's output_min/max (in real values of the output's quantization q). Also in
// the dry run, which would otherwise stop the region at the clamp.
Act Builder::take_qclamp(size_t i, const Quant& q, const _odla_value** out) {
  Act act;
  *out = nodes_[i].outputs[0];
  if (i + 1 >= end_) return act;
  const Node& next = nodes_[i + 1];
  const auto* c = std::any_cast<odla_ref::detail::Activation>(&next.params);
  if (next.op != "odla_Clamp" || c == nullptr || next.inputs.size() != 1 ||
      next.inputs[0] != *out || next.outputs[0]->type.dtype != (*out)->type.dtype)
    return act;
  if (readers_[*out] != 1 || outputs_.count(*out) != 0) return act;
  const float flip = static_cast<float>(flip_of((*out)->type.dtype));
  act.lo = (c->lo - flip - static_cast<float>(q.zero)) * q.scale;
  act.hi = (c->hi - flip - static_cast<float>(q.zero)) * q.scale;
  *out = next.outputs[0];
  skip_.insert(i + 1);
  return act;
}

// The qcint8 filter (`w`, of `dims`, channels along `channel_dim`) and, in qbias_,
// its qcint32 bias (`bias`, or zeros).
uint32_t Builder::qweights(const QLinearParams& q, const std::vector<int8_t>& w, const Dims& dims,
                           size_t channel_dim, const int32_t* bias) {
  if (dry_) {
    qbias_ = next_fake_++;
    return next_fake_++;
  }
  const int64_t cout = dims[channel_dim];
  std::vector<float> ws(static_cast<size_t>(cout)), bs(static_cast<size_t>(cout));
  for (int64_t co = 0; co < cout; ++co) {
    ws[co] = q.w_scale[q.w_scale.size() == 1 ? 0 : co];
    bs[co] = q.x_scale * ws[co];
  }
  const float* wscale = own(std::move(ws));
  const float* bscale = own(std::move(bs));
  if (bias == nullptr) bias = own(std::vector<int32_t>(static_cast<size_t>(cout), 0));
  std::vector<size_t> d(dims.begin(), dims.end());
  const size_t bd[1] = {static_cast<size_t>(cout)};
  uint32_t wid = kNone, bid = kNone;
  if (!ok(xnn_define_channelwise_quantized_tensor_value(region_->subgraph, xnn_datatype_qcint8,
                                                        wscale, d.size(), channel_dim, d.data(),
                                                        own(w), kNone, 0, &wid)) ||
      !ok(xnn_define_channelwise_quantized_tensor_value(region_->subgraph, xnn_datatype_qcint32,
                                                        bscale, 1, 0, bd, bias, kNone, 0, &bid)))
    return kNone;
  qbias_ = bid;
  return wid;
}

bool Builder::qconv(size_t i) {
  const Node& n = nodes_[i];
  const auto* q = std::any_cast<QLinearParams>(&n.params);
  if (q == nullptr || q->conv.spatial > 2 || !exact_scales(*q)) return false;
  const odla_ref::ConvParams p = as_2d(q->conv);
  const _odla_value* b = q->has_bias ? n.inputs[1] : nullptr;
  uint32_t pads_back[2];
  if ((b != nullptr && !is_const(b)) || !conv_back_pads(p, pads_back)) return false;
  const int64_t cin = p.in_channels, cout = p.out_channels, g = p.group;
  const int64_t kh = p.kernel[0], kw = p.kernel[1], icg = cin / g, taps = kh * kw;
  const bool depthwise = g > 1 && g == cin && cout % cin == 0;
  if (!depthwise && cout / g >= 4 && !xnnpack_gemms()) return false;
  // XNNPACK's filter: [C_out, kh, kw, C_in/group], or [1, kh, kw, C_out] when depthwise.
  std::vector<int8_t> f(dry_ ? 0 : static_cast<size_t>(cout * icg * taps));
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t c = 0; c < icg; ++c)
      for (int64_t s = 0; s < taps; ++s) {
        const int32_t v = centered(*q, static_cast<size_t>((o * icg + c) * taps + s), o);
        if (v == 1000) return false;
        if (!dry_) f[depthwise ? s * cout + o : (o * taps + s) * icg + c] = static_cast<int8_t>(v);
      }
  if (!wants(n.inputs[0], in_quant(*q))) return false;
  if (q->conv.spatial == 1) line_.insert(n.inputs[0]);
  const uint32_t x = get(n.inputs[0], true);
  if (x == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_qclamp(i, out_quant(*q), &out);
  if (!wants(out, out_quant(*q))) return false;
  if (q->conv.spatial == 1) line_.insert(out);
  const Dims fd = depthwise ? Dims{1, kh, kw, cout} : Dims{cout, kh, kw, icg};
  const uint32_t w = qweights(*q, f, fd, depthwise ? 3 : 0,
                              b != nullptr ? static_cast<const int32_t*>(b->constant_data) : nullptr);
  const uint32_t y = define_output(out, true);
  if (w == kNone || y == kNone) return false;
  if (dry_) return true;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (depthwise)
    return ok(xnn_define_depthwise_convolution_2d(
        region_->subgraph, u(p.pads_front[0]), pads_back[1], pads_back[0], u(p.pads_front[1]),
        u(kh), u(kw), u(p.strides[0]), u(p.strides[1]), u(p.dilations[0]), u(p.dilations[1]),
        u(cout / cin), static_cast<size_t>(cin), act.lo, act.hi, x, w, qbias_, y, 0));
  return ok(xnn_define_convolution_2d(
      region_->subgraph, u(p.pads_front[0]), pads_back[1], pads_back[0], u(p.pads_front[1]),
      u(kh), u(kw), u(p.strides[0]), u(p.strides[1]), u(p.dilations[0]), u(p.dilations[1]), u(g),
      static_cast<size_t>(icg), static_cast<size_t>(cout / g), act.lo, act.hi, x, w, qbias_, y,
      0));
}

// a [..., K] as [1, 1, rows, K] through a 1x1 convolution with the filter b^T [N, 1, 1, K]
// (XNNPACK's fully connected takes no channelwise weights in this snapshot).
bool Builder::qmatmul(size_t i) {
  const Node& n = nodes_[i];
  const auto* q = std::any_cast<QLinearParams>(&n.params);
  if (q == nullptr || !xnnpack_gemms() || !exact_scales(*q) || q->k <= 0 || q->n <= 0)
    return false;
  const _odla_value* a = n.inputs[0];
  const _odla_value* b = q->has_bias ? n.inputs[1] : nullptr;
  if (b != nullptr && !is_const(b)) return false;
  const int64_t K = q->k, N = q->n, rows = a->type.numel() / K;
  std::vector<int8_t> f(dry_ ? 0 : static_cast<size_t>(N * K));
  for (int64_t o = 0; o < N; ++o)
    for (int64_t k = 0; k < K; ++k) {
      const int32_t v = centered(*q, static_cast<size_t>(k * N + o), o);
      if (v == 1000) return false;
      if (!dry_) f[o * K + k] = static_cast<int8_t>(v);
    }
  if (!wants(a, in_quant(*q))) return false;
  const uint32_t x = get(a, false);
  if (x == kNone) return false;
  const _odla_value* out = nullptr;
  const Act act = take_qclamp(i, out_quant(*q), &out);
  if (!wants(out, out_quant(*q))) return false;
  const uint32_t x4 = tensor({1, 1, rows, K}, nullptr, kNone, 0, a);
  const uint32_t w = qweights(*q, f, {N, 1, 1, K}, 0,
                              b != nullptr ? static_cast<const int32_t*>(b->constant_data) : nullptr);
  const uint32_t y4 = tensor({1, 1, rows, N}, nullptr, kNone, 0, out);
  const uint32_t y = define_output(out, false);
  if (x4 == kNone || w == kNone || y4 == kNone || y == kNone) return false;
  if (dry_) return true;
  const size_t d4[4] = {1, 1, static_cast<size_t>(rows), static_cast<size_t>(K)};
  std::vector<size_t> od(out->type.dims.begin(), out->type.dims.end());
  return ok(xnn_define_static_reshape(region_->subgraph, 4, d4, x, x4, 0)) &&
         ok(xnn_define_convolution_2d(region_->subgraph, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
                                      static_cast<size_t>(K), static_cast<size_t>(N), act.lo,
                                      act.hi, x4, w, qbias_, y4, 0)) &&
         ok(xnn_define_static_reshape(region_->subgraph, od.size(), od.data(), y4, y, 0));
}

// An 8-bit MaxPool's input and output share one quantization (any works for a
// maximum): the input's, or for a value from outside the one the integer op
// reading the result wants (so that op can stay in the region), or scale 1.
bool Builder::qpool_input(size_t i) {
  const Node& n = nodes_[i];
  const _odla_value* x = n.inputs[0];
  const _odla_value* y = n.outputs[0];
  if (n.inputs.size() != 1 || y->type.dtype != x->type.dtype) return false;
  Quant q{1.f, -flip_of(x->type.dtype)};
  if (auto it = quant_.find(x); it != quant_.end()) {
    q = it->second;
  } else {
    for (size_t j = i + 1; j < end_; ++j) {
      const auto* r = std::any_cast<QLinearParams>(&nodes_[j].params);
      if (r != nullptr && nodes_[j].inputs[0] == y) {
        q = in_quant(*r);
        break;
      }
    }
  }
  return wants(x, q) && wants(y, q);
}

}  // namespace odla_xnn
