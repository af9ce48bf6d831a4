#include "kernels/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/parallel.h"

namespace odla_ref {
namespace {

// Per output position along one axis: window taps k in [lo, hi) read input
// start + k * dilation inside [0, in); `padded` taps lie inside
// [-pad_front, in + pad_back).
struct AxisTaps {
  std::vector<int64_t> start, lo, hi, padded;
  int64_t dilation = 1;
  int64_t in = 1;
};

AxisTaps axis_taps(int64_t in, int64_t out, int64_t win, int64_t stride,
                   int64_t dil, int64_t pad_f, int64_t pad_b) {
  AxisTaps t;
  t.dilation = dil;
  t.in = in;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t s = o * stride - pad_f;
    int64_t lo = 0, hi = 0, padded = 0;
    for (int64_t k = 0; k < win; ++k) {
      const int64_t i = s + k * dil;
      if (i < 0) lo = k + 1;
      if (i < in) hi = k + 1;
      if (i < in + pad_b) padded = k + 1;
    }
    t.start.push_back(s);
    t.lo.push_back(lo);
    t.hi.push_back(std::max(lo, hi));
    t.padded.push_back(padded);
  }
  return t;
}

// The three axes (depth, height, width); missing leading axes are trivial.
std::vector<AxisTaps> all_taps(const PoolParams& p) {
  std::vector<AxisTaps> axes;
  for (int a = 0; a < 3 - p.spatial; ++a) axes.push_back(axis_taps(1, 1, 1, 1, 1, 0, 0));
  for (int i = 0; i < p.spatial; ++i) {
    axes.push_back(axis_taps(p.in_dims[i], p.out_dims[i], p.window[i],
                             p.strides[i], p.dilations[i], p.pads_front[i],
                             p.pads_back[i]));
  }
  return axes;
}

// Sets every output to reduce(plane, axes, oz, oy, ox), parallel over the
// batch * channels planes.
template <typename Reduce>
void pool_planes(const PoolParams& p, const float* input, float* output,
                 Reduce reduce) {
  const std::vector<AxisTaps> ax = all_taps(p);
  const int64_t in_plane = ax[0].in * ax[1].in * ax[2].in;
  const int64_t oz_n = static_cast<int64_t>(ax[0].start.size()),
                oy_n = static_cast<int64_t>(ax[1].start.size()),
                ox_n = static_cast<int64_t>(ax[2].start.size());
  parallel_for(p.batch * p.channels, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      const float* x = input + pl * in_plane;
      float* y = output + pl * oz_n * oy_n * ox_n;
      for (int64_t oz = 0; oz < oz_n; ++oz)
        for (int64_t oy = 0; oy < oy_n; ++oy)
          for (int64_t ox = 0; ox < ox_n; ++ox)
            *y++ = reduce(x, ax, oz, oy, ox);
    }
  });
}

// Applies f(value) to every tap of output (oz, oy, ox) inside the input.
template <typename F>
void for_taps(const float* x, const std::vector<AxisTaps>& ax, int64_t oz,
              int64_t oy, int64_t ox, F f) {
  const AxisTaps &z = ax[0], &y = ax[1], &w = ax[2];
  for (int64_t kz = z.lo[oz]; kz < z.hi[oz]; ++kz) {
    const int64_t iz = z.start[oz] + kz * z.dilation;
    for (int64_t ky = y.lo[oy]; ky < y.hi[oy]; ++ky) {
      const float* row = x + (iz * y.in + y.start[oy] + ky * y.dilation) * w.in;
      for (int64_t kx = w.lo[ox]; kx < w.hi[ox]; ++kx)
        f(row[w.start[ox] + kx * w.dilation]);
    }
  }
}

}  // namespace

void max_pool(const PoolParams& p, const float* input, float* output) {
  pool_planes(p, input, output,
              [](const float* x, const std::vector<AxisTaps>& ax, int64_t oz,
                 int64_t oy, int64_t ox) {
                float m = -std::numeric_limits<float>::infinity();
                for_taps(x, ax, oz, oy, ox, [&m](float v) {
                  if (v > m || v != v) m = v;  // NaN propagates
                });
                return m;
              });
}

void avg_pool(const PoolParams& p, const float* input, float* output) {
  const bool include_pad = p.count_include_pad;
  pool_planes(p, input, output,
              [include_pad](const float* x, const std::vector<AxisTaps>& ax,
                            int64_t oz, int64_t oy, int64_t ox) {
                float s = 0.f;
                for_taps(x, ax, oz, oy, ox, [&s](float v) { s += v; });
                int64_t count = 1;
                const int64_t o[3] = {oz, oy, ox};
                for (int a = 0; a < 3; ++a) {
                  count *= include_pad ? ax[a].padded[o[a]]
                                       : ax[a].hi[o[a]] - ax[a].lo[o[a]];
                }
                return count > 0 ? s / static_cast<float>(count) : 0.f;
              });
}

}  // namespace odla_ref
