// Parameters the reference builders record on a node (Node::params) for ops
// whose kernel parameters are not already a kernel struct, so that a runtime's
// own kernels can take the node over (common/backend.h). Convolutions record
// odla_ref::ConvParams (kernels/conv.h), pools odla_ref::PoolParams
// (kernels/pool.h).
#pragma once

#include <cstdint>

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

}  // namespace odla_rt
