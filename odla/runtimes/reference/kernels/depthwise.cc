#include "kernels/depthwise.h"

#include <algorithm>
#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {
namespace {

// Width-axis geometry of one output row: output x reads input
// x * s + kx * d - pad; [left, right) is where every kx tap is inside.
struct RowGeom {
  int64_t kw, s, d, pad, in_w, out_w, left, right;
};

RowGeom row_geometry(const Geometry3& g) {
  RowGeom r{g.k[2], g.s[2], g.d[2], g.pad[2], g.in[2], g.out[2], 0, g.out[2]};
  for (int64_t kx = 0; kx < r.kw; ++kx) {
    int64_t lo, hi;
    valid_range(r.out_w, r.in_w, r.s, kx * r.d - r.pad, &lo, &hi);
    r.left = std::max(r.left, lo);
    r.right = std::min(r.right, hi);
  }
  r.right = std::max(r.right, r.left);
  return r;
}

// out[x] += sum over kx of w[kx] * xr[x * S + kx * d - pad] on [r.left,
// r.right); KW/S > 0 fix the kernel width/stride at compile time.
template <int KW, int S>
void interior(const RowGeom& r, const float* __restrict xr,
              const float* __restrict w, float* __restrict out) {
  const int64_t kw = KW > 0 ? KW : r.kw, s = S > 0 ? S : r.s;
  for (int64_t x = r.left; x < r.right; ++x) {
    const float* src = xr + x * s - r.pad;
    float acc = 0.f;
    for (int64_t kx = 0; kx < kw; ++kx) acc += w[kx] * src[kx * r.d];
    out[x] += acc;
  }
}

// The same sum at output x, skipping taps outside the input (borders).
void border(const RowGeom& r, const float* xr, const float* w, float* out,
            int64_t x) {
  float acc = 0.f;
  for (int64_t kx = 0; kx < r.kw; ++kx) {
    const int64_t ix = x * r.s + kx * r.d - r.pad;
    if (ix >= 0 && ix < r.in_w) acc += w[kx] * xr[ix];
  }
  out[x] += acc;
}

void accumulate_row(const RowGeom& r, const float* xr, const float* w, float* out) {
  for (int64_t x = 0; x < r.left; ++x) border(r, xr, w, out, x);
  if (r.kw == 3 && r.s == 1) {
    interior<3, 1>(r, xr, w, out);
  } else if (r.kw == 3 && r.s == 2) {
    interior<3, 2>(r, xr, w, out);
  } else {
    interior<0, 0>(r, xr, w, out);
  }
  for (int64_t x = r.right; x < r.out_w; ++x) border(r, xr, w, out, x);
}

// 3x3 fast path for an output row whose three input rows x0..x2 are all
// inside: out[x] += the nine taps (weights w, row-major 3x3), stride S.
template <int S>
void fused3x3(const RowGeom& r, const float* __restrict x0,
              const float* __restrict x1, const float* __restrict x2,
              const float* __restrict w, float* __restrict out) {
  for (int64_t x = 0; x < r.left; ++x) {
    border(r, x0, w, out, x), border(r, x1, w + 3, out, x), border(r, x2, w + 6, out, x);
  }
  for (int64_t x = r.left; x < r.right; ++x) {
    const int64_t i = x * S - r.pad;
    out[x] += w[0] * x0[i] + w[1] * x0[i + r.d] + w[2] * x0[i + 2 * r.d] +
              w[3] * x1[i] + w[4] * x1[i + r.d] + w[5] * x1[i + 2 * r.d] +
              w[6] * x2[i] + w[7] * x2[i + r.d] + w[8] * x2[i + 2 * r.d];
  }
  for (int64_t x = r.right; x < r.out_w; ++x) {
    border(r, x0, w, out, x), border(r, x1, w + 3, out, x), border(r, x2, w + 6, out, x);
  }
}

// Adds every valid (kz, ky) input row's taps into output row (oz, oy).
void output_row(const Geometry3& g, const RowGeom& r, const float* x,
                const float* w, int64_t oz, int64_t oy, float* out) {
  const int64_t iy0 = oy * g.s[1] - g.pad[1], span = (g.k[1] - 1) * g.d[1];
  const int64_t iz0 = oz * g.s[0] - g.pad[0];
  const bool fast = g.k_size() == 9 && g.k[2] == 3 && iy0 >= 0 &&
                    iy0 + span < g.in[1] && iz0 >= 0 && iz0 < g.in[0] &&
                    (r.s == 1 || r.s == 2);
  if (fast) {  // k[0] == 1: one depth slice
    const float* x0 = x + (iz0 * g.in[1] + iy0) * g.in[2];
    const float *x1 = x0 + g.d[1] * g.in[2], *x2 = x1 + g.d[1] * g.in[2];
    if (r.s == 1) {
      fused3x3<1>(r, x0, x1, x2, w, out);
    } else {
      fused3x3<2>(r, x0, x1, x2, w, out);
    }
    return;
  }
  for (int64_t kz = 0; kz < g.k[0]; ++kz) {
    const int64_t iz = iz0 + kz * g.d[0];
    if (iz < 0 || iz >= g.in[0]) continue;
    for (int64_t ky = 0; ky < g.k[1]; ++ky) {
      const int64_t iy = iy0 + ky * g.d[1];
      if (iy < 0 || iy >= g.in[1]) continue;
      accumulate_row(r, x + (iz * g.in[1] + iy) * g.in[2],
                     w + (kz * g.k[1] + ky) * g.k[2], out);
    }
  }
}

// One output channel plane: bias, then the taps of every output row.
void plane(const Geometry3& g, const RowGeom& r, const float* x, const float* w,
           float b, float* out) {
  for (int64_t oz = 0; oz < g.out[0]; ++oz) {
    for (int64_t oy = 0; oy < g.out[1]; ++oy, out += g.out[2]) {
      std::fill(out, out + g.out[2], b);
      output_row(g, r, x, w, oz, oy, out);
    }
  }
}

}  // namespace

void depthwise_conv(const ConvParams& p, const float* input,
                    const float* weight, const float* bias, float* output) {
  const Geometry3 g = widen(p);
  const RowGeom r = row_geometry(g);
  const int64_t mult = p.out_channels / p.in_channels;
  const int64_t grain = std::max<int64_t>(1, 4096 / std::max<int64_t>(g.out_size() * g.k_size(), 1));
  parallel_for(p.batch * p.out_channels, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      const int64_t n = pl / p.out_channels, oc = pl % p.out_channels;
      const float* x = input + (n * p.in_channels + oc / mult) * g.in_size();
      plane(g, r, x, weight + oc * g.k_size(), bias ? bias[oc] : 0.f,
            output + pl * g.out_size());
    }
  }, grain);
}

}  // namespace detail
}  // namespace odla_ref
