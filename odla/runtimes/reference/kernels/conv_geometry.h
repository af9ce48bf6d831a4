// Internal helpers shared by conv.cc and deconv.cc: ConvParams widened to
// exactly three spatial axes (depth, height, width; missing leading axes have
// size 1, kernel 1, stride 1, no padding).
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/conv.h"

namespace odla_ref {
namespace detail {

struct Geometry3 {
  int64_t in[3], out[3], k[3], s[3], d[3], pad[3];
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
};

inline Geometry3 widen(const ConvParams& p) {
  Geometry3 g;
  const int lead = 3 - p.spatial;
  for (int a = 0; a < 3; ++a) {
    const int i = a - lead;
    const bool real = i >= 0;
    g.in[a] = real ? p.in_dims[i] : 1;
    g.out[a] = real ? p.out_dims[i] : 1;
    g.k[a] = real ? p.kernel[i] : 1;
    g.s[a] = real ? p.strides[i] : 1;
    g.d[a] = real ? p.dilations[i] : 1;
    g.pad[a] = real ? p.pads_front[i] : 0;
  }
  return g;
}

// Range [*lo, *hi) of output positions o in [0, out) whose input position
// o * stride + offset lies in [0, in).
inline void valid_range(int64_t out, int64_t in, int64_t stride,
                        int64_t offset, int64_t* lo, int64_t* hi) {
  // o * stride + offset >= 0  <=>  o >= ceil(-offset / stride)
  const int64_t a = -offset;
  *lo = a <= 0 ? 0 : (a + stride - 1) / stride;
  // o * stride + offset <= in - 1  <=>  o <= floor((in - 1 - offset) / stride)
  const int64_t b = in - 1 - offset;
  *hi = b < 0 ? 0 : std::min(out, b / stride + 1);
  *lo = std::min(*lo, *hi);
}

// out[n, c, :] = act(out[n, c, :] + bias[c]) over planes of `plane` elements
// (bias may be null); one pass, none when there is nothing to do.
void add_bias(float* out, int64_t batch, int64_t channels, int64_t plane,
              const float* bias, const Activation& act = {});

// Returns `bytes` of scratch: `given` when non-null, else a per-thread buffer.
void* scratch(void* given, size_t bytes);

}  // namespace detail
}  // namespace odla_ref
