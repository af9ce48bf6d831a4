// The clamp a kernel applies to its results as it stores them (a fused Relu or
// Clamp). Shared by the graph (fusion decisions) and the kernels.
#pragma once

#include <limits>

namespace odla_ref {
namespace detail {

// A clamp applied to results as they are stored (a fused Relu or Clamp), with
// the fused op's exact semantics: Relu (nan_to_lo) maps NaN and -0 to lo, Clamp
// keeps both. The default keeps every value.
struct Activation {
  static constexpr float kInf = std::numeric_limits<float>::infinity();
  float lo = -kInf, hi = kInf;
  bool nan_to_lo = false;
  bool active() const { return lo != -kInf || hi != kInf || nan_to_lo; }
  float operator()(float x) const {
    if (nan_to_lo) return x > lo ? (x > hi ? hi : x) : lo;
    return x < lo ? lo : (x > hi ? hi : x);
  }
};

}  // namespace detail
}  // namespace odla_ref
