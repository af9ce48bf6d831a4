#include "kernels/im2col_panels.h"

#include <algorithm>

namespace odla_ref {
namespace detail {

void Im2colPanels::pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                        float* dst) const {
  thread_local std::vector<RowTap> rows;
  rows.resize(static_cast<size_t>(kc));
  for (int64_t k = 0; k < kc; ++k) rows[k] = row_tap(k0 + k);
  int64_t ox = j0 % g_.out[2], oy = j0 / g_.out[2] % g_.out[1],
          oz = j0 / (g_.out[2] * g_.out[1]);
  Run runs[kGemmMaxNR];
  for (int64_t jp = 0; jp < nc; jp += nr, dst += kc * nr) {
    const int64_t n = std::min<int64_t>(nr, nc - jp);
    int count = 0;
    for (int64_t c = 0; c < n; ++count) {
      const int64_t len = std::min(n - c, g_.out[2] - ox);
      runs[count] = {c, len, ox, oz * g_.s[0] - g_.pad[0], oy * g_.s[1] - g_.pad[1]};
      c += len;
      if ((ox += len) == g_.out[2]) {
        ox = 0;
        if (++oy == g_.out[1]) oy = 0, ++oz;
      }
    }
    for (int64_t k = 0; k < kc; ++k) {
      float* d = dst + k * nr;
      for (int r = 0; r < count; ++r) fill_run(runs[r], rows[k], d);
      for (int64_t c = n; c < nr; ++c) d[c] = 0.f;
    }
  }
}

Im2colPanels::RowTap Im2colPanels::row_tap(int64_t row) const {
  const int64_t taps = g_.k_size(), tap = row % taps;
  const int64_t kx = tap % g_.k[2], ky = tap / g_.k[2] % g_.k[1],
                kz = tap / (g_.k[2] * g_.k[1]);
  RowTap t{x_ + row / taps * g_.in_size(), kz * g_.d[0], ky * g_.d[1],
           kx * g_.d[2] - g_.pad[2], 0, 0};
  valid_range(g_.out[2], g_.in[2], g_.s[2], t.offx, &t.lo, &t.hi);
  return t;
}

void Im2colPanels::fill_run(const Run& run, const RowTap& t, float* d) const {
  const int64_t iz = run.iz0 + t.dz, iy = run.iy0 + t.dy, end = run.ox + run.len;
  const bool inside = iz >= 0 && iz < g_.in[0] && iy >= 0 && iy < g_.in[1];
  // Output x in [a, b) reads the input; the rest of the run is padding.
  const int64_t a = inside ? std::min(std::max(t.lo, run.ox), end) : end;
  const int64_t b = inside ? std::max(a, std::min(t.hi, end)) : end;
  const int64_t shift = run.ox - run.c;  // panel column i is output x = i + shift
  float* __restrict out = d;
  for (int64_t i = run.c; i < a - shift; ++i) out[i] = 0.f;
  for (int64_t i = b - shift; i < run.c + run.len; ++i) out[i] = 0.f;
  if (a == b) return;
  const float* __restrict xr = t.plane + (iz * g_.in[1] + iy) * g_.in[2] + t.offx;
  const int64_t sx = g_.s[2];
  if (sx == 1) {
    const float* __restrict src = xr + shift;
    for (int64_t i = a - shift; i < b - shift; ++i) out[i] = src[i];
  } else if (sx == 2) {
    const float* __restrict src = xr + 2 * shift;
    for (int64_t i = a - shift; i < b - shift; ++i) out[i] = src[2 * i];
  } else {
    const float* __restrict src = xr + sx * shift;
    for (int64_t i = a - shift; i < b - shift; ++i) out[i] = src[sx * i];
  }
}

void ShiftedPanels::pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                         float* dst) const {
  for (int64_t jp = 0; jp < nc; jp += nr, dst += kc * nr) {
    const int64_t n = std::min<int64_t>(nr, nc - jp);
    for (int64_t k = 0; k < kc; ++k) {
      const float* __restrict src = base_ + offsets_[k0 + k] + j0 + jp;
      float* __restrict d = dst + k * nr;
      for (int64_t c = 0; c < n; ++c) d[c] = src[c];
      for (int64_t c = n; c < nr; ++c) d[c] = 0.f;
    }
  }
}

}  // namespace detail
}  // namespace odla_ref
