// Integer operators: odla_Quantize, odla_Dequantize, odla_QLinearConv,
// odla_QLinearMatMul, odla_QLinearAdd (semantics in ODLA/ops/odla_ops_quant.h). Scales and zero
// points are constants, read here; the kernels are in kernels/qlinear.h.
#include <algorithm>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "builder.h"
#include "conv_checks.h"
#include "kernels/parallel.h"
#include "kernels/qgemm.h"
#include "kernels/qlinear.h"
#include "op_params.h"

// The float steps are specified one rounding at a time: no fused multiply-adds.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace odla_rt {
namespace {

bool is_q8(odla_element_type t) { return t == ODLA_UINT8 || t == ODLA_INT8; }

const void* constant_of(odla_value v, const char* what) {
  if (v->kind != ValueKind::kConstant || v->constant_data == nullptr)
    fail(std::string(what) + " must be a constant");
  return v->constant_data;
}

// A constant float32 scale with 1 or `count` elements.
std::vector<float> read_scale(odla_value scale, const char* what, int64_t count) {
  odla_value s = operand(scale, what);
  const float* data = static_cast<const float*>(constant_of(s, what));
  if (s->type.dtype != ODLA_FLOAT32) fail(std::string(what) + " must be float32, got " + type_str(s->type));
  const int64_t n = s->type.numel();
  if (n != 1 && n != count)
    fail(std::string(what) + " must have 1" +
         (count != 1 ? " or " + std::to_string(count) : std::string()) + " elements, got " +
         type_str(s->type));
  return std::vector<float>(data, data + n);
}

// A constant zero point with `count` elements of type `dtype` (NULL: zeros).
std::vector<int32_t> read_zero(odla_value zero, const char* what, int64_t count,
                               odla_element_type dtype) {
  odla_value z = optional_operand(zero, what);
  if (z == nullptr) return std::vector<int32_t>(static_cast<size_t>(count), 0);
  const void* data = constant_of(z, what);
  if (z->type.dtype != dtype)
    fail(std::string(what) + " must be " + dtype_name(dtype) + ", got " + type_str(z->type));
  if (z->type.numel() != count)
    fail(std::string(what) + " must have " + std::to_string(count) +
         " elements (as many as its scale), got " + type_str(z->type));
  std::vector<int32_t> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i)
    out[i] = dtype == ODLA_UINT8  ? static_cast<const uint8_t*>(data)[i]
             : dtype == ODLA_INT8 ? static_cast<const int8_t*>(data)[i]
                                  : static_cast<const int32_t*>(data)[i];
  return out;
}

// Scale and zero point of odla_Quantize/Dequantize: per tensor, or per axis.
struct AxisParams {
  std::vector<float> scale;
  std::vector<int32_t> zero;
  AxisSplit split;  // the tensor as [outer, channels, inner] (one channel per tensor)
};

AxisParams axis_params(odla_value x, odla_value scale, odla_value zero, odla_int32 axis,
                       odla_element_type zero_type) {
  AxisParams a;
  odla_value s = operand(scale, "scale");
  if (s->type.numel() == 1) {
    a.scale = read_scale(s, "scale", 1);
    a.split.inner = x->type.numel();
  } else {
    const int ax = normalize_axis(axis, x->type.rank(), "axis");
    a.split = split_at_axis(x->type.dims, ax);
    a.scale = read_scale(s, "scale", a.split.axis_len);
  }
  a.zero = read_zero(zero, "zero_point", static_cast<int64_t>(a.scale.size()), zero_type);
  return a;
}

// A per-tensor scale and zero point recorded on the node (QuantizeParams).
NodeOptions per_tensor_options(const AxisParams& a) {
  NodeOptions options;
  if (a.scale.size() == 1) options.params = QuantizeParams{a.scale[0], a.zero[0]};
  return options;
}

template <class T>
Kernel quantize_kernel(AxisParams a) {
  const float lo = std::is_signed_v<T> ? -128.f : 0.f, hi = std::is_signed_v<T> ? 127.f : 255.f;
  return [a, lo, hi](const KernelIO& io) {
    const float* x = io.input<float>(0);
    T* y = io.output<T>(0);
    const int64_t rows = a.split.outer * a.split.axis_len, inner = a.split.inner;
    const odla_ref::detail::QElementwise* vec = odla_ref::detail::qelementwise_avx512();
    odla_ref::parallel_for(rows * inner, [&](int64_t b, int64_t e) {
      while (b < e) {
        const int64_t r = b / inner, end = std::min(e, (r + 1) * inner);
        const float s = a.scale[r % a.split.axis_len];
        const float z = static_cast<float>(a.zero[r % a.split.axis_len]);
        if (vec != nullptr) {
          vec->quantize(x + b, s, z, reinterpret_cast<uint8_t*>(y + b), std::is_signed_v<T>,
                        end - b);
          b = end;
          continue;
        }
        for (int64_t i = b; i < end; ++i) {
          float v = x[i] / s;
          v = v > 4194304.f ? 4194304.f : v;  // saturates anyway; keeps the rounding exact
          v = v < -4194304.f ? -4194304.f : v;
          v = (v + 12582912.f) - 12582912.f;  // nearbyint, half to even
          v = v + z;
          v = v == v ? v : z;  // NaN gives the zero point
          v = v < lo ? lo : v;
          v = v > hi ? hi : v;
          y[i] = static_cast<T>(static_cast<int32_t>(v));
        }
        b = end;
      }
    }, 16384);
  };
}

template <class T>
Kernel dequantize_kernel(AxisParams a) {
  return [a](const KernelIO& io) {
    const T* x = io.input<T>(0);
    float* y = io.output<float>(0);
    const int64_t rows = a.split.outer * a.split.axis_len, inner = a.split.inner;
    // 8-bit inputs: the vectorized form, when there is one
    const odla_ref::detail::QElementwise* vec =
        sizeof(T) == 1 ? odla_ref::detail::qelementwise_avx512() : nullptr;
    odla_ref::parallel_for(rows * inner, [&](int64_t b, int64_t e) {
      while (b < e) {
        const int64_t r = b / inner, end = std::min(e, (r + 1) * inner);
        const float s = a.scale[r % a.split.axis_len];
        const int64_t z = a.zero[r % a.split.axis_len];
        if (vec != nullptr)
          vec->dequantize(reinterpret_cast<const uint8_t*>(x + b), std::is_signed_v<T>,
                          static_cast<int32_t>(z), s, y + b, end - b);
        else
          for (int64_t i = b; i < end; ++i)
            y[i] = static_cast<float>(static_cast<int64_t>(x[i]) - z) * s;
        b = end;
      }
    }, 16384);
  };
}

odla_value build_quantize(odla_value input, odla_value scale, odla_value zero, odla_int32 axis,
                          odla_element_type target, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (x->type.dtype != ODLA_FLOAT32) fail("input must be float32, got " + type_str(x->type));
  if (!is_q8(target))
    fail(std::string("target type must be uint8 or int8, got ") + dtype_name(target));
  AxisParams a = axis_params(x, scale, zero, axis, target);
  const NodeOptions options = per_tensor_options(a);
  Kernel k = target == ODLA_UINT8 ? quantize_kernel<uint8_t>(std::move(a))
                                  : quantize_kernel<int8_t>(std::move(a));
  return add_node("odla_Quantize", {x}, TensorType{target, x->type.dims}, id, std::move(k),
                  options);
}

odla_value build_dequantize(odla_value input, odla_value scale, odla_value zero, odla_int32 axis,
                            odla_element_type target, const odla_value_id id) {
  odla_value x = operand(input, "input");
  const odla_element_type t = x->type.dtype;
  if (!is_q8(t) && t != ODLA_INT32)
    fail("input must be uint8, int8 or int32, got " + type_str(x->type));
  if (target != ODLA_FLOAT32)
    fail(std::string("target type must be float32, got ") + dtype_name(target));
  AxisParams a = axis_params(x, scale, zero, axis, t);
  const NodeOptions options = per_tensor_options(a);
  Kernel k = t == ODLA_UINT8  ? dequantize_kernel<uint8_t>(std::move(a))
             : t == ODLA_INT8 ? dequantize_kernel<int8_t>(std::move(a))
                              : dequantize_kernel<int32_t>(std::move(a));
  return add_node("odla_Dequantize", {x}, TensorType{ODLA_FLOAT32, x->type.dims}, id,
                  std::move(k), options);
}

// The output's type: that of its zero point, or `fallback` without one.
odla_element_type output_type(odla_value zero, odla_element_type fallback) {
  odla_value z = optional_operand(zero, "output_zero_point");
  if (z == nullptr) return fallback;
  if (!is_q8(z->type.dtype))
    fail("output_zero_point must be uint8 or int8, got " + type_str(z->type));
  return z->type.dtype;
}

// (x_scale * w_scale[c]) / y_scale in float32, for each of `count` channels.
std::vector<float> multipliers(float xs, const std::vector<float>& ws, float ys, int64_t count) {
  std::vector<float> m(static_cast<size_t>(count));
  for (int64_t c = 0; c < count; ++c) {
    const float t = xs * ws[ws.size() == 1 ? 0 : c];
    m[c] = t / ys;
  }
  return m;
}

std::vector<int32_t> per_channel(std::vector<int32_t> v, int64_t count) {
  if (v.size() == 1) v.assign(static_cast<size_t>(count), v[0]);
  return v;
}

odla_value checked_bias(odla_value bias, int64_t count) {
  odla_value b = optional_operand(bias, "bias");
  if (b != nullptr && (b->type.dtype != ODLA_INT32 || b->type.numel() != count))
    fail("bias must be int32 with " + std::to_string(count) + " elements, got " +
         type_str(b->type));
  return b;
}

odla_value build_qconv(odla_value input, odla_memory_layout input_layout, odla_uint32 group,
                       odla_value kernel, odla_memory_layout kernel_layout,
                       const odla_uint32* strides, const odla_uint32* dilations,
                       const odla_uint32* pads_front, const odla_uint32* pads_back,
                       odla_value bias, odla_value x_scale, odla_value x_zero,
                       odla_value w_scale, odla_value w_zero, odla_value y_scale,
                       odla_value y_zero, const odla_value_shape& output_dims,
                       const odla_value_id id) {
  odla_value x = operand(input, "input");
  odla_value w = operand(kernel, "kernel");
  const int s = spatial_rank(x, input_layout, is_q8, "uint8 or int8");
  if (kernel_layout != ODLA_OIS) fail("kernel layout must be ODLA_OIS");
  if (!is_q8(w->type.dtype) || w->type.rank() != s + 2)
    fail("kernel must be int8 or uint8 of the input's rank, got " + type_str(w->type));
  const uint8_t* wdata = static_cast<const uint8_t*>(constant_of(w, "kernel"));
  odla_ref::ConvParams p;
  const Dims out = conv_geometry(false, x->type.dims, w->type.dims, s, group, strides, dilations,
                                 pads_front, pads_back, output_dims, &p);
  const int64_t cout = p.out_channels;
  odla_value b = checked_bias(bias, cout);
  const float xs = read_scale(x_scale, "input_scale", 1)[0];
  const int32_t xz = read_zero(x_zero, "input_zero_point", 1, x->type.dtype)[0];
  const std::vector<float> ws = read_scale(w_scale, "kernel_scale", cout);
  const std::vector<int32_t> wz = per_channel(
      read_zero(w_zero, "kernel_zero_point", static_cast<int64_t>(ws.size()), w->type.dtype),
      cout);
  const float ys = read_scale(y_scale, "output_scale", 1)[0];
  const odla_element_type yt = output_type(y_zero, x->type.dtype);
  const int32_t yz = read_zero(y_zero, "output_zero_point", 1, yt)[0];
  auto plan = std::make_shared<const odla_ref::QConvPlan>(odla_ref::plan_qconv(
      p, x->type.dtype == ODLA_INT8, xz, wdata, w->type.dtype == ODLA_UINT8, wz,
      multipliers(xs, ws, ys, cout), yt == ODLA_INT8, yz));
  const bool has_bias = b != nullptr;
  std::vector<odla_value> inputs{x};
  if (has_bias) inputs.push_back(b);
  NodeOptions options;
  options.scratch_bytes = odla_ref::qconv_workspace_bytes(*plan);
  options.params = QLinearParams{p,  0,  0,  x->type.dtype, w->type.dtype, yt, xs, ys, xz, yz,
                                 ws, wz, plan->mul, wdata, has_bias};
  Kernel k = [plan, has_bias](const KernelIO& io) {
    odla_ref::qconv(*plan, io.input<uint8_t>(0), has_bias ? io.input<int32_t>(1) : nullptr,
                    io.output<uint8_t>(0), io.scratch);
  };
  return add_node("odla_QLinearConv", std::move(inputs), TensorType{yt, out}, id, std::move(k),
                  options);
}

odla_value build_qmatmul(odla_value a_value, odla_value a_scale, odla_value a_zero,
                         odla_value b_value, odla_value b_scale, odla_value b_zero,
                         odla_value bias, odla_value y_scale, odla_value y_zero,
                         const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value a = operand(a_value, "a");
  odla_value bm = operand(b_value, "b");
  if (!is_q8(a->type.dtype) || a->type.rank() < 1)
    fail("a must be uint8 or int8 of rank >= 1, got " + type_str(a->type));
  if (!is_q8(bm->type.dtype) || bm->type.rank() != 2)
    fail("b must be int8 or uint8 of rank 2, got " + type_str(bm->type));
  const uint8_t* bdata = static_cast<const uint8_t*>(constant_of(bm, "b"));
  const int64_t k = a->type.dims.back(), n = bm->type.dims[1];
  if (bm->type.dims[0] != k)
    fail("a " + type_str(a->type) + " and b " + type_str(bm->type) + " do not multiply");
  Dims out = a->type.dims;
  out.back() = n;
  check_output_dims(output_dims, out);
  const int64_t m = k == 0 ? num_elements(Dims(a->type.dims.begin(), a->type.dims.end() - 1))
                           : a->type.numel() / k;
  odla_value b = checked_bias(bias, n);
  const float as = read_scale(a_scale, "a_scale", 1)[0];
  const int32_t az = read_zero(a_zero, "a_zero_point", 1, a->type.dtype)[0];
  const std::vector<float> bs = read_scale(b_scale, "b_scale", n);
  const std::vector<int32_t> bz = per_channel(
      read_zero(b_zero, "b_zero_point", static_cast<int64_t>(bs.size()), bm->type.dtype), n);
  const float ys = read_scale(y_scale, "output_scale", 1)[0];
  const odla_element_type yt = output_type(y_zero, a->type.dtype);
  const int32_t yz = read_zero(y_zero, "output_zero_point", 1, yt)[0];
  auto plan = std::make_shared<const odla_ref::QMatMulPlan>(odla_ref::plan_qmatmul(
      k, n, a->type.dtype == ODLA_INT8, az, bdata, bm->type.dtype == ODLA_UINT8, bz,
      multipliers(as, bs, ys, n), yt == ODLA_INT8, yz));
  const bool has_bias = b != nullptr;
  std::vector<odla_value> inputs{a};
  if (has_bias) inputs.push_back(b);
  NodeOptions options;
  options.scratch_bytes = odla_ref::qmatmul_workspace_bytes(*plan, m);
  options.params = QLinearParams{{}, k,  n,  a->type.dtype, bm->type.dtype, yt, as, ys, az, yz,
                                 bs, bz, plan->mul, bdata, has_bias};
  Kernel kern = [plan, has_bias, m](const KernelIO& io) {
    odla_ref::qmatmul(*plan, io.input<uint8_t>(0), m, has_bias ? io.input<int32_t>(1) : nullptr,
                      io.output<uint8_t>(0), io.scratch);
  };
  return add_node("odla_QLinearMatMul", std::move(inputs), TensorType{yt, out}, id,
                  std::move(kern), options);
}

using odla_ref::QAddParams;

// odla_QLinearAdd on `n` elements converted to float (exact for 8-bit integers), into float
// results that are whole numbers in the output type's range; `quantize_kernel`'s rounding and
// saturation. Branch-free so that it vectorizes; cloned per x86 vector width.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void qadd_block(const float* __restrict a, const float* __restrict b, float* __restrict y, int n,
                const QAddParams& p) {
  const float relu_floor = p.relu ? 0.f : -__builtin_inff();
  for (int i = 0; i < n; ++i) {
    const float fa = (a[i] - p.az) * p.as;
    const float fb = (b[i] - p.bz) * p.bs;
    float v = fa + fb;
    v = v < relu_floor ? relu_floor : v;
    v = v / p.ys;
    const bool nan = v != v;
    v = v > 4194304.f ? 4194304.f : v;
    v = v < -4194304.f ? -4194304.f : v;
    v = (v + 12582912.f) - 12582912.f;
    v = v + p.yz;
    v = nan ? p.yz : v;
    v = v < p.lo ? p.lo : v;
    y[i] = v > p.hi ? p.hi : v;
  }
}

template <class A, class B, class Y>
Kernel add_kernel(QAddParams p, int64_t n) {
  return [p, n](const KernelIO& io) {
    const A* a = io.input<A>(0);
    const B* b = io.input<B>(1);
    Y* y = io.output<Y>(0);
    const odla_ref::detail::QElementwise* vec = odla_ref::detail::qelementwise_avx512();
    odla_ref::parallel_for(n, [&](int64_t s, int64_t e) {
      if (vec != nullptr) {
        vec->add(p, reinterpret_cast<const uint8_t*>(a + s), std::is_signed_v<A>,
                 reinterpret_cast<const uint8_t*>(b + s), std::is_signed_v<B>,
                 reinterpret_cast<uint8_t*>(y + s), e - s);
        return;
      }
      constexpr int kBlock = 512;
      alignas(64) float fa[kBlock], fb[kBlock], fy[kBlock];
      for (int64_t i0 = s; i0 < e; i0 += kBlock) {
        const int m = static_cast<int>(std::min<int64_t>(kBlock, e - i0));
        for (int i = 0; i < m; ++i) fa[i] = static_cast<float>(a[i0 + i]);
        for (int i = 0; i < m; ++i) fb[i] = static_cast<float>(b[i0 + i]);
        qadd_block(fa, fb, fy, m, p);
        for (int i = 0; i < m; ++i) y[i0 + i] = static_cast<Y>(static_cast<int32_t>(fy[i]));
      }
    }, 16384);
  };
}

template <class A, class B>
Kernel add_kernel_for(odla_element_type yt, const QAddParams& p, int64_t n) {
  return yt == ODLA_UINT8 ? add_kernel<A, B, uint8_t>(p, n) : add_kernel<A, B, int8_t>(p, n);
}

odla_value build_qadd(odla_value a_value, odla_value a_scale, odla_value a_zero,
                      odla_value b_value, odla_value b_scale, odla_value b_zero,
                      odla_value y_scale, odla_value y_zero, odla_bool relu,
                      const odla_value_id id) {
  odla_value a = operand(a_value, "a");
  odla_value b = operand(b_value, "b");
  if (!is_q8(a->type.dtype) || !is_q8(b->type.dtype) || a->type.dims != b->type.dims)
    fail("a and b must be uint8 or int8 of one shape, got " + type_str(a->type) + " and " +
         type_str(b->type));
  QAddParams p;
  p.as = read_scale(a_scale, "a_scale", 1)[0];
  p.az = static_cast<float>(read_zero(a_zero, "a_zero_point", 1, a->type.dtype)[0]);
  p.bs = read_scale(b_scale, "b_scale", 1)[0];
  p.bz = static_cast<float>(read_zero(b_zero, "b_zero_point", 1, b->type.dtype)[0]);
  p.ys = read_scale(y_scale, "output_scale", 1)[0];
  const odla_element_type yt = output_type(y_zero, a->type.dtype);
  p.yz = static_cast<float>(read_zero(y_zero, "output_zero_point", 1, yt)[0]);
  p.lo = yt == ODLA_INT8 ? -128.f : 0.f;
  p.hi = yt == ODLA_INT8 ? 127.f : 255.f;
  p.relu = relu != 0;
  const bool au = a->type.dtype == ODLA_UINT8, bu = b->type.dtype == ODLA_UINT8;
  const int64_t n = a->type.numel();
  Kernel k = au ? (bu ? add_kernel_for<uint8_t, uint8_t>(yt, p, n)
                      : add_kernel_for<uint8_t, int8_t>(yt, p, n))
                : (bu ? add_kernel_for<int8_t, uint8_t>(yt, p, n)
                      : add_kernel_for<int8_t, int8_t>(yt, p, n));
  NodeOptions options;
  options.params = p;
  return add_node("odla_QLinearAdd", {a, b}, TensorType{yt, a->type.dims}, id, std::move(k),
                  options);
}

}  // namespace
}  // namespace odla_rt

extern "C" {

odla_value odla_QLinearAdd(odla_value a, odla_value a_scale, odla_value a_zero_point,
                           odla_value b, odla_value b_scale, odla_value b_zero_point,
                           odla_value output_scale, odla_value output_zero_point, odla_bool relu,
                           const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_qadd(a, a_scale, a_zero_point, b, b_scale, b_zero_point, output_scale,
                               output_zero_point, relu, value_id);
  });
}


odla_value odla_Quantize(odla_value input, odla_value scale, odla_value zero_point,
                         odla_int32 axis, odla_element_type target_data_type,
                         const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_quantize(input, scale, zero_point, axis, target_data_type, value_id);
  });
}

odla_value odla_Dequantize(odla_value input, odla_value scale, odla_value zero_point,
                           odla_int32 axis, odla_element_type target_data_type,
                           const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_dequantize(input, scale, zero_point, axis, target_data_type, value_id);
  });
}

odla_value odla_QLinearConv(odla_value input, odla_memory_layout input_layout, odla_uint32 group,
                            odla_value kernel, odla_memory_layout kernel_layout,
                            const odla_uint32* strides, const odla_uint32* dilations,
                            const odla_uint32* paddings_front, const odla_uint32* paddings_back,
                            odla_value bias, odla_value input_scale,
                            odla_value input_zero_point, odla_value kernel_scale,
                            odla_value kernel_zero_point, odla_value output_scale,
                            odla_value output_zero_point, odla_value_shape output_dims,
                            const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_qconv(input, input_layout, group, kernel, kernel_layout, strides,
                                dilations, paddings_front, paddings_back, bias, input_scale,
                                input_zero_point, kernel_scale, kernel_zero_point, output_scale,
                                output_zero_point, output_dims, value_id);
  });
}

odla_value odla_QLinearMatMul(odla_value a, odla_value a_scale, odla_value a_zero_point,
                              odla_value b, odla_value b_scale, odla_value b_zero_point,
                              odla_value bias, odla_value output_scale,
                              odla_value output_zero_point, odla_value_shape output_dims,
                              const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_qmatmul(a, a_scale, a_zero_point, b, b_scale, b_zero_point, bias,
                                  output_scale, output_zero_point, output_dims, value_id);
  });
}

}  // extern "C"
