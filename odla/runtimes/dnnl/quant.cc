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
// - odla_QLinearAdd, and odla_Quantize / odla_Dequantize per tensor, as the runtime's own
//   steps (the vectorized kernels of the reference runtime, kernels/qlinear.h) on the
//   operands' region layout, on oneDNN's OpenMP team: no reorder at either side, and no
//   team spinning while other threads work.
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

bool all_zero(const std::vector<int32_t>& v) {
  return std::all_of(v.begin(), v.end(), [](int32_t z) { return z == 0; });
}

// Whether oneDNN's int8 kernels sum products exactly here: with VNNI (vpdpbusd) or AMX they
// accumulate u8 x s8 products in int32; without (plain AVX2 / AVX-512) they pair them in
// int16 with saturation (vpmaddubsw), which is not ODLA's arithmetic.
}  // namespace

bool exact_int8() {
  static const bool on = [] {
    const int isa = static_cast<int>(dnnl::get_effective_cpu_isa());
    return (isa & dnnl_cpu_isa_avx512_core_vnni) == dnnl_cpu_isa_avx512_core_vnni ||
           (isa & dnnl_cpu_isa_avx2_vnni) == dnnl_cpu_isa_avx2_vnni;
  }();
  return on;
}

namespace {

// The checks oneDNN's int8 primitives need: a CPU where they are exact, 8-bit source and
// result, int8 weights with zero zero points (oneDNN has no weight zero points).
bool claimable_qlinear(const Node& n) {
  if (n.params.type() != typeid(QLinearParams) || !exact_int8()) return false;
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

// oneDNN 2.6's AMX int8 kernels (jit_1x1:avx512_core_amx_int8, e.g. a 1x1 convolution
// to 24 channels on 6x6 pixels: 288 bytes past an 864-byte result) write, and may read,
// whole tiles of 16 rows: `rows` rounded up to 16, of `row_bytes` each. The bytes past the
// tensor that this touches.
size_t tile_overrun(int64_t rows, int64_t row_bytes) {
  return static_cast<size_t>(((rows + 15) / 16 * 16 - rows) * row_bytes) + 64;
}

// Rows of an [N, C, spatial...] tensor in channels-last order (N * spatial, C each), or of
// an [..., M, K] matrix (all but the last dim, the last dim each).
size_t overrun_of(const Dims& dims, bool channels, size_t element) {
  int64_t rows = 1;
  for (size_t k = 0; k < dims.size(); ++k)
    if (k != (channels ? 1u : dims.size() - 1)) rows *= dims[k];
  return tile_overrun(rows, dims[channels ? 1 : dims.size() - 1] * static_cast<int64_t>(element));
}

// A source the primitive reads from region scratch gets the slack; one from elsewhere (an
// argument, a constant) is copied into scratch first, unless its tensor is whole tiles.
int padded_source(Builder& b, int tensor, const md_t& want, size_t slack) {
  const int t = b.convert(tensor, want);
  if (b.reserve_slack(t, slack) || slack <= 64) return t;
  return b.copy_to_scratch(t, want, slack);
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
  const size_t x_bytes = odla_rt::element_size(q.x_type), y_bytes = odla_rt::element_size(q.y_type);
  args.emplace_back(DNNL_ARG_SRC, padded_source(b, b.value_tensor(n.inputs[0]), pd.src_desc(),
                                                overrun_of(c.src, true, x_bytes)));
  args.emplace_back(DNNL_ARG_WEIGHTS,
                    b.convert(b.data_tensor(q.weights, plain_md(c.w, dt::s8)), pd.weights_desc()));
  if (q.has_bias)
    args.emplace_back(DNNL_ARG_BIAS, b.convert(b.value_tensor(n.inputs[1]), pd.bias_desc()));
  const int out = b.new_output(ch.result, pd.dst_desc(), overrun_of(c.dst, true, y_bytes));
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
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
  const size_t x_bytes = odla_rt::element_size(q.x_type), y_bytes = odla_rt::element_size(q.y_type);
  args.emplace_back(DNNL_ARG_SRC, padded_source(b, b.value_tensor(n.inputs[0]), a,
                                                overrun_of(a_dims, false, x_bytes)));
  args.emplace_back(DNNL_ARG_WEIGHTS,
                    b.convert(b.data_tensor(q.weights, plain_md(w_dims, dt::s8)), pd.weights_desc()));
  if (q.has_bias)
    args.emplace_back(DNNL_ARG_BIAS,
                      b.view(b.value_tensor(n.inputs[1]), plain_md(bias_dims, dt::s32)));
  const int out = b.new_output(ch.result, pd.dst_desc(), overrun_of(y_dims, false, y_bytes));
  args.emplace_back(DNNL_ARG_DST, out);
  b.push_scratchpad(pd, args);
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

// A step of the runtime's own element-wise code: node i's inputs in the first one's
// layout (strided, dense), its result in that layout too, typed as each value is;
// fn(buffers, begin, end) on ranges of elements, on the OpenMP team.
void elementwise_step(Builder& b, int i,
                      std::function<void(void* const*, int64_t, int64_t)> fn) {
  const Node& n = b.node(i);
  const int first = b.value_tensor(n.inputs[0]);
  const md_t layout = b.md_of(first);
  const int64_t count = n.outputs[0]->type.numel();
  if (layout.get_size() != static_cast<size_t>(count) * odla_rt::element_size(n.inputs[0]->type.dtype))
    throw Decline("padded layout");
  std::vector<int> tensors{first};
  for (size_t k = 1; k < n.inputs.size(); ++k)
    tensors.push_back(b.convert(b.value_tensor(n.inputs[k]),
                                retyped(layout, dt_of(n.inputs[k]->type.dtype))));
  const int out = b.new_output(n.outputs[0], retyped(layout, dt_of(n.outputs[0]->type.dtype)));
  tensors.push_back(out);
  b.add_step(
      [fn = std::move(fn), count](void* const* buf) {
        omp_for(count, 16384, [&](int64_t s, int64_t e) { fn(buf, s, e); });
      },
      tensors);
  b.produced(n.outputs[0], out);
}

const odla_ref::detail::QElementwise* vectorized() {
  const odla_ref::detail::QElementwise* vec = odla_ref::detail::qelementwise_avx512();
  if (vec == nullptr) throw Decline("no vectorized integer element-wise kernels on this CPU");
  return vec;
}

void build_qadd(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& p = std::any_cast<const odla_ref::QAddParams&>(n.params);
  const odla_ref::detail::QElementwise* vec = vectorized();
  const bool a_signed = n.inputs[0]->type.dtype == ODLA_INT8;
  const bool b_signed = n.inputs[1]->type.dtype == ODLA_INT8;
  elementwise_step(b, i, [p, vec, a_signed, b_signed](void* const* buf, int64_t s, int64_t e) {
    vec->add(p, static_cast<const uint8_t*>(buf[0]) + s, a_signed,
            static_cast<const uint8_t*>(buf[1]) + s, b_signed, static_cast<uint8_t*>(buf[2]) + s,
            e - s);
  });
}

// odla_Quantize (float32 to 8 bits) and odla_Dequantize (8 bits to float32), per tensor.
void build_qcast(Builder& b, int i) {
  const Node& n = b.node(i);
  const auto& q = std::any_cast<const odla_rt::QuantizeParams&>(n.params);
  const odla_ref::detail::QElementwise* vec = vectorized();
  const float scale = q.scale, zero = static_cast<float>(q.zero);
  if (n.op == "odla_Quantize") {
    const bool y_signed = n.outputs[0]->type.dtype == ODLA_INT8;
    elementwise_step(b, i, [vec, scale, zero, y_signed](void* const* buf, int64_t s, int64_t e) {
      vec->quantize(static_cast<const float*>(buf[0]) + s, scale, zero,
                   static_cast<uint8_t*>(buf[1]) + s, y_signed, e - s);
    });
  } else {
    const bool x_signed = n.inputs[0]->type.dtype == ODLA_INT8;
    const int32_t z = q.zero;
    elementwise_step(b, i, [vec, scale, z, x_signed](void* const* buf, int64_t s, int64_t e) {
      vec->dequantize(static_cast<const uint8_t*>(buf[0]) + s, x_signed, z, scale,
                     static_cast<float*>(buf[1]) + s, e - s);
    });
  }
}

}  // namespace

bool claimable_quant(const Node& n) {
  if (!exact_int8()) return false;  // the integer graph stays on the reference kernels
  if (n.op == "odla_QLinearConv" || n.op == "odla_QLinearMatMul") return claimable_qlinear(n);
  const bool vec = odla_ref::detail::qelementwise_avx512() != nullptr;
  if (n.op == "odla_QLinearAdd")
    return n.params.type() == typeid(odla_ref::QAddParams) && n.inputs.size() == 2 && vec;
  if (n.op == "odla_Quantize" || n.op == "odla_Dequantize")  // 8-bit values, per tensor
    return n.params.type() == typeid(odla_rt::QuantizeParams) && vec &&
           is_q8(n.op == "odla_Quantize" ? n.outputs[0]->type.dtype : n.inputs[0]->type.dtype);
  float lo, hi;  // an integer clamp joins the convolution or matmul before it
  return is_q8(n.inputs[0]->type.dtype) && integer_clamp(n, n.inputs[0], lo, hi);
}

void build_quant(Builder& b, int i) {
  const std::string& op = b.node(i).op;
  if (op == "odla_QLinearConv") return build_qconv(b, i);
  if (op == "odla_QLinearMatMul") return build_qmatmul(b, i);
  if (op == "odla_QLinearAdd") return build_qadd(b, i);
  if (op == "odla_Quantize" || op == "odla_Dequantize") return build_qcast(b, i);
  throw Decline("an integer clamp that no convolution before it absorbs");
}

}  // namespace odla_dnnl
