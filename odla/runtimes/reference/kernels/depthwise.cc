#include "kernels/depthwise.h"

#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {
namespace {

// out[ox] += w * xr[ox * stride + off] for ox in [lo, hi).
inline void tap_row(float* __restrict out, const float* __restrict xr,
                    int64_t off, float w, int64_t stride, int64_t lo,
                    int64_t hi) {
  if (lo >= hi) return;
  const float* __restrict xs = xr + lo * stride + off;
  float* __restrict o = out + lo;
  const int64_t n = hi - lo;
  if (stride == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] += w * xs[i];
  } else if (stride == 2) {
    for (int64_t i = 0; i < n; ++i) o[i] += w * xs[2 * i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] += w * xs[i * stride];
  }
}

// Accumulates every tap of one (depth, height) output row.
void output_row(const Geometry3& g, const float* x, const float* w,
                int64_t oz, int64_t oy, const int64_t* lo, const int64_t* hi,
                float* out) {
  for (int64_t kz = 0; kz < g.k[0]; ++kz) {
    const int64_t iz = oz * g.s[0] + kz * g.d[0] - g.pad[0];
    if (iz < 0 || iz >= g.in[0]) continue;
    for (int64_t ky = 0; ky < g.k[1]; ++ky) {
      const int64_t iy = oy * g.s[1] + ky * g.d[1] - g.pad[1];
      if (iy < 0 || iy >= g.in[1]) continue;
      const float* xr = x + (iz * g.in[1] + iy) * g.in[2];
      const float* wr = w + (kz * g.k[1] + ky) * g.k[2];
      for (int64_t kx = 0; kx < g.k[2]; ++kx) {
        tap_row(out, xr, kx * g.d[2] - g.pad[2], wr[kx], g.s[2], lo[kx],
                hi[kx]);
      }
    }
  }
}

void plane(const Geometry3& g, const float* x, const float* w, float b,
           const int64_t* lo, const int64_t* hi, float* out) {
  for (int64_t oz = 0; oz < g.out[0]; ++oz) {
    for (int64_t oy = 0; oy < g.out[1]; ++oy, out += g.out[2]) {
      for (int64_t ox = 0; ox < g.out[2]; ++ox) out[ox] = b;
      output_row(g, x, w, oz, oy, lo, hi, out);
    }
  }
}

}  // namespace

void depthwise_conv(const ConvParams& p, const float* input,
                    const float* weight, const float* bias, float* output) {
  const Geometry3 g = widen(p);
  const int64_t mult = p.out_channels / p.in_channels;
  std::vector<int64_t> lo(static_cast<size_t>(g.k[2])), hi(lo.size());
  for (int64_t kx = 0; kx < g.k[2]; ++kx)
    valid_range(g.out[2], g.in[2], g.s[2], kx * g.d[2] - g.pad[2], &lo[kx], &hi[kx]);
  const int64_t planes = p.batch * p.out_channels;
  const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(g.out_size() * g.k_size(), 1));
  parallel_for(planes, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      const int64_t n = pl / p.out_channels, oc = pl % p.out_channels;
      const float* x = input + (n * p.in_channels + oc / mult) * g.in_size();
      plane(g, x, weight + oc * g.k_size(), bias ? bias[oc] : 0.f, lo.data(),
            hi.data(), output + pl * g.out_size());
    }
  }, grain);
}

}  // namespace detail
}  // namespace odla_ref
