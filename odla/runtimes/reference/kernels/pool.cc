#include "kernels/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace {

// Per output position along one axis: window taps k in [lo, hi) read input
// o * stride - pad_front + k * dilation inside [0, in); `count` is the
// divisor contribution (taps inside the input, or inside the padded input).
struct AxisTaps {
  std::vector<int64_t> lo, hi, count;
};

AxisTaps axis_taps(const PoolParams& p, int a) {
  AxisTaps t;
  for (int64_t o = 0; o < p.out_dims[a]; ++o) {
    const int64_t s = o * p.strides[a] - p.pads_front[a];
    int64_t lo = 0, hi = 0, padded = 0;
    for (int64_t k = 0; k < p.window[a]; ++k) {
      const int64_t i = s + k * p.dilations[a];
      if (i < 0) lo = k + 1;
      if (i < p.in_dims[a]) hi = k + 1;
      if (i < p.in_dims[a] + p.pads_back[a]) padded = k + 1;
    }
    hi = std::max(lo, hi);
    t.lo.push_back(lo);
    t.hi.push_back(hi);
    t.count.push_back(p.count_include_pad ? padded : hi - lo);
  }
  return t;
}

// PoolParams widened to three axes (missing leading axes are trivial).
PoolParams widen(const PoolParams& p) {
  PoolParams w = p;
  w.spatial = 3;
  const int lead = 3 - p.spatial;
  for (int a = 0; a < 3; ++a) {
    const int i = a - lead;
    w.in_dims[a] = i >= 0 ? p.in_dims[i] : 1;
    w.out_dims[a] = i >= 0 ? p.out_dims[i] : 1;
    w.window[a] = i >= 0 ? p.window[i] : 1;
    w.strides[a] = i >= 0 ? p.strides[i] : 1;
    w.dilations[a] = i >= 0 ? p.dilations[i] : 1;
    w.pads_front[a] = i >= 0 ? p.pads_front[i] : 0;
    w.pads_back[a] = i >= 0 ? p.pads_back[i] : 0;
  }
  return w;
}

// out[x] = op(out[x], xr[x * S + off]) for x in [lo, hi); S > 0 is a
// compile-time stride, else `s`.
template <bool kMax, int S, class T>
void row_op(T* __restrict out, const T* __restrict xr, int64_t s,
            int64_t off, int64_t lo, int64_t hi) {
  const int64_t st = S > 0 ? S : s;
  for (int64_t x = lo; x < hi; ++x) {
    const T v = xr[x * st + off], o = out[x];
    out[x] = kMax ? (v > o || v != v ? v : o) : o + v;  // max propagates NaN
  }
}

template <bool kMax, class T>
void pool_row(const PoolParams& p, const T* xr, const int64_t* lo,
              const int64_t* hi, T* out) {
  const int64_t s = p.strides[2];
  if (p.out_dims[2] == 1) {  // e.g. global pooling: one output, taps inline
    for (int64_t kx = 0; kx < p.window[2]; ++kx)
      if (lo[kx] < hi[kx]) row_op<kMax, 1>(out, xr, 1, kx * p.dilations[2] - p.pads_front[2], 0, 1);
    return;
  }
  for (int64_t kx = 0; kx < p.window[2]; ++kx) {
    const int64_t off = kx * p.dilations[2] - p.pads_front[2];
    if (s == 1) {
      row_op<kMax, 1>(out, xr, s, off, lo[kx], hi[kx]);
    } else if (s == 2) {
      row_op<kMax, 2>(out, xr, s, off, lo[kx], hi[kx]);
    } else {
      row_op<kMax, 0>(out, xr, s, off, lo[kx], hi[kx]);
    }
  }
}

template <bool kMax, class T>
void pool(const PoolParams& params, const T* input, T* output) {
  const PoolParams p = widen(params);
  const AxisTaps z = axis_taps(p, 0), y = axis_taps(p, 1), x = axis_taps(p, 2);
  std::vector<int64_t> lo(static_cast<size_t>(p.window[2])), hi(lo.size());
  for (int64_t kx = 0; kx < p.window[2]; ++kx) {  // valid outputs per x tap
    detail::valid_range(p.out_dims[2], p.in_dims[2], p.strides[2],
                        kx * p.dilations[2] - p.pads_front[2], &lo[kx], &hi[kx]);
  }
  const int64_t in_plane = p.in_dims[0] * p.in_dims[1] * p.in_dims[2];
  const int64_t ow = p.out_dims[2], out_plane = p.out_dims[0] * p.out_dims[1] * ow;
  const T init = !kMax                                    ? T(0)
                 : std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                         : std::numeric_limits<T>::lowest();
  parallel_for(p.batch * p.channels, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      T* out = output + pl * out_plane;
      for (int64_t oz = 0; oz < p.out_dims[0]; ++oz) {
        for (int64_t oy = 0; oy < p.out_dims[1]; ++oy, out += ow) {
          std::fill(out, out + ow, init);
          for (int64_t kz = z.lo[oz]; kz < z.hi[oz]; ++kz) {
            const int64_t iz = oz * p.strides[0] - p.pads_front[0] + kz * p.dilations[0];
            for (int64_t ky = y.lo[oy]; ky < y.hi[oy]; ++ky) {
              const int64_t iy = oy * p.strides[1] - p.pads_front[1] + ky * p.dilations[1];
              pool_row<kMax, T>(p, input + pl * in_plane + (iz * p.in_dims[1] + iy) * p.in_dims[2],
                             lo.data(), hi.data(), out);
            }
          }
          if constexpr (kMax) continue;
          const int64_t zy = z.count[oz] * y.count[oy];
          for (int64_t ox = 0; ox < ow; ++ox) {
            const int64_t c = zy * x.count[ox];
            out[ox] = c > 0 ? out[ox] / static_cast<float>(c) : 0.f;
          }
        }
      }
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(out_plane * p.window[0] * p.window[1] * p.window[2], 1)));
}

}  // namespace

void max_pool(const PoolParams& p, const float* input, float* output) {
  pool<true>(p, input, output);
}

void max_pool(const PoolParams& p, const uint8_t* input, uint8_t* output) {
  pool<true>(p, input, output);
}

void max_pool(const PoolParams& p, const int8_t* input, int8_t* output) {
  pool<true>(p, input, output);
}

void avg_pool(const PoolParams& p, const float* input, float* output) {
  pool<false>(p, input, output);
}

}  // namespace odla_ref
