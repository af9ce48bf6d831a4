// Quantized convolution (ONNX QLinearConv; channels first, 1..3 spatial
// dims) and matrix product (ONNX QLinearMatMul) on the integer GEMM of
// qgemm.h (convolutions with few output channels per group, such as depthwise
// ones, run a direct loop instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/conv.h"
#include "kernels/qgemm.h"

namespace odla_ref {

// How the GEMM reads a convolution's input: each GEMM row, one (input channel,
// kernel tap) pair, is a shifted view of a volume of dq x hq x wq bytes per
// channel and stride phase of the padded input (phase (pd, ph, pw) holds padded
// positions (z * s + pd, y * s + ph, x * s + pw)), and GEMM column
// oy * wq + ox of output depth od reads its byte od * hq * wq + shift; columns
// with ox >= the output width are computed and not stored. Without padding or
// strides the input itself is the one volume (no copy).
struct QConvViews {
  bool copy = false;
  int64_t dq = 1, hq = 1, wq = 1;
  std::vector<int> phases;         // used phases, (pd * s_h + ph) * s_w + pw
  std::vector<int> tap_phase;      // per kernel tap: its index in `phases`
  std::vector<int64_t> tap_shift;  // per kernel tap: offset in the volume
  int64_t volume() const { return dq * hq * wq; }
};

// Everything about a QLinearConv that is known when it is built: geometry,
// zero points in the GEMM's canonical form (activations uint8, weights int8),
// the packed constant weights and the per-channel requantization.
struct QConvPlan {
  ConvParams p;
  bool x_signed = false;  // input int8 (read as x ^ 0x80, zero point + 128)
  bool y_signed = false;  // output int8
  int32_t x_zero = 0;     // canonical (uint8) input zero point
  int32_t x_pad = 0;      // the input's own byte for a padded position (its zero point)
  float y_zero = 0, lo = 0, hi = 255;
  bool direct = false;
  bool any_w_zero = false;
  // per output channel
  std::vector<int32_t> w_zero;  // canonical (int8 form) weight zero point
  std::vector<int32_t> offset;  // -x_zero * sum_k w + K * x_zero * w_zero (bias added per call)
  std::vector<float> mul;       // (x_scale * w_scale) / y_scale
  std::vector<QPackedA> groups;        // GEMM path: one packed A per group
  QConvViews views;                    // GEMM path
  std::vector<int16_t> centered;       // direct path: w - w_zero, [C_out][K]
};

// Builds the plan. weight: [C_out, C_in/group, k...] bytes (int8 when
// !w_unsigned); w_zero (C_out entries, the weights' own values) and
// mul (C_out entries) per channel; x_zero and y_zero in the tensors' own types.
QConvPlan plan_qconv(const ConvParams& p, bool x_signed, int32_t x_zero, const uint8_t* weight,
                     bool w_unsigned, const std::vector<int32_t>& w_zero,
                     const std::vector<float>& mul, bool y_signed, int32_t y_zero);

size_t qconv_workspace_bytes(const QConvPlan& plan);

// input [N, C_in, in...] and output [N, C_out, out...] bytes; bias int32
// [C_out] or null; workspace of qconv_workspace_bytes(plan) bytes (or null:
// a per-thread buffer).
void qconv(const QConvPlan& plan, const uint8_t* input, const int32_t* bias, uint8_t* output,
           void* workspace);

// A QLinearMatMul with a constant b [K, N]: the GEMM computes y^T = b^T * a^T,
// so b^T is its packed constant operand and each row of a one column.
struct QMatMulPlan {
  int64_t k = 0, n = 0;
  bool a_signed = false, y_signed = false;
  int32_t a_zero = 0;  // canonical (uint8)
  float y_zero = 0, lo = 0, hi = 255;
  bool any_b_zero = false;
  QPackedA b;                   // b^T, [N x K], int8 form
  std::vector<int32_t> b_zero;  // canonical, per column of b
  std::vector<int32_t> offset;  // -a_zero * sum_k b + K * a_zero * b_zero (bias added per call)
  std::vector<float> mul;       // per column of b
};

QMatMulPlan plan_qmatmul(int64_t k, int64_t n, bool a_signed, int32_t a_zero, const uint8_t* b,
                         bool b_unsigned, const std::vector<int32_t>& b_zero,
                         const std::vector<float>& mul, bool y_signed, int32_t y_zero);
size_t qmatmul_workspace_bytes(const QMatMulPlan& plan, int64_t m);
// a [m, K] bytes, bias int32 [N] or null, y [m, N] bytes.
void qmatmul(const QMatMulPlan& plan, const uint8_t* a, int64_t m, const int32_t* bias,
             uint8_t* y, void* workspace);

// odla_QLinearAdd's parameters (odla_ops_quant.h): the operands' scales and
// zero points, the output's, its range [lo, hi], the fused Relu.
struct QAddParams {
  float as = 1, bs = 1, ys = 1, az = 0, bz = 0, yz = 0, lo = 0, hi = 255;
  bool relu = false;
};

namespace detail {

// Vectorized forms of the elementwise int8 operators (odla_ops_quant.h), bit-exact with their
// scalar loops in ops/quant.cc (float32 steps in the stated order, no fused multiply-add), on
// n contiguous elements (bytes of uint8 or int8 as the flags say); one thread each.
struct QElementwise {
  // y = QLinearAdd(a, b) (y's type: the range [p.lo, p.hi])
  void (*add)(const QAddParams& p, const uint8_t* a, bool a_signed, const uint8_t* b,
              bool b_signed, uint8_t* y, int64_t n);
  // y = saturate(nearbyintf(x / scale) + zero)
  void (*quantize)(const float* x, float scale, float zero, uint8_t* y, bool y_signed,
                   int64_t n);
  // y = (float)(x - zero) * scale
  void (*dequantize)(const uint8_t* x, bool x_signed, int32_t zero, float scale, float* y,
                     int64_t n);
};

// The AVX-512 ones (qgemm_simd.cc) when active_isa() is AVX-512 and the CPU has AVX-512BW,
// else null.
const QElementwise* qelementwise_avx512();

}  // namespace detail
}  // namespace odla_ref
