// Parameters the reference builders record on a node (Node::params) for ops
// whose kernel parameters are not already a kernel struct, so that a runtime's
// own kernels can take the node over (common/backend.h). Convolutions record
// odla_ref::ConvParams (kernels/conv.h), pools odla_ref::PoolParams
// (kernels/pool.h), the integer ops QLinearParams / odla_ref::QAddParams
// (kernels/qlinear.h).
#pragma once

#include <ODLA/odla_common.h>

#include <cstdint>
#include <vector>

#include "kernels/conv.h"

namespace odla_rt {

// odla_Gemm: Y = alpha * op(A) * op(B) + beta * C, batched over A's and B's
// leading dimensions (numpy broadcast); C is input 2 when has_c.
struct GemmParams {
  bool trans_a = false, trans_b = false;
  float alpha = 1, beta = 0;
  int64_t M = 0, N = 0, K = 0;
  bool has_c = false;
};

// Element-wise activations with parameters: odla_LeakyRelu and odla_Elu (alpha).
struct ActivationParams {
  float alpha = 0, beta = 0;
};

// odla_QLinearConv and odla_QLinearMatMul (ODLA/ops/odla_ops_quant.h): the operands'
// quantization as read from their constants. Inputs: 0 the activation, 1 the int32 bias
// when has_bias. Per output channel (QLinearConv) or column of b (QLinearMatMul) the
// weight zero points and the multipliers (x_scale * w_scale) / y_scale, in that order.
struct QLinearParams {
  odla_ref::ConvParams conv;  // QLinearConv only
  int64_t k = 0, n = 0;       // QLinearMatMul only: b is [k, n]
  odla_element_type x_type = ODLA_UINT8, w_type = ODLA_INT8, y_type = ODLA_UINT8;
  float x_scale = 1, y_scale = 1;
  int32_t x_zero = 0, y_zero = 0;  // in the tensors' own types
  std::vector<float> w_scale;      // 1 (per tensor) or one per output channel
  std::vector<int32_t> w_zero;     // one per output channel
  std::vector<float> mul;          // one per output channel
  const void* weights = nullptr;   // the kernel constant: [C_out, C_in/group, k...] or [k, n]
  bool has_bias = false;
};

// odla_Quantize / odla_Dequantize with a per-tensor scale (per-axis ones record nothing).
struct QuantizeParams {
  float scale = 1;
  int32_t zero = 0;
};

}  // namespace odla_rt
