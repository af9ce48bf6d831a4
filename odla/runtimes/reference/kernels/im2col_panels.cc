#include "kernels/im2col_panels.h"

#include <algorithm>

namespace odla_ref {
namespace detail {

void Im2colPanels::pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                        float* dst) const {
  thread_local std::vector<RowTap> rows;
  rows.resize(static_cast<size_t>(kc));
  for (int64_t k = 0; k < kc; ++k) rows[k] = row_tap(k0 + k);
  int64_t ox = j0 % g_.out[2], oy = j0 / g_.out[2] % g_.out[1],
          oz = j0 / (g_.out[2] * g_.out[1]);
  Run runs[kGemmNR];
  for (int64_t jp = 0; jp < nc; jp += kGemmNR, dst += kc * kGemmNR) {
    const int64_t n = std::min<int64_t>(kGemmNR, nc - jp);
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
      float* d = dst + k * kGemmNR;
      for (int r = 0; r < count; ++r) fill_run(runs[r], rows[k], d);
      for (int64_t c = n; c < kGemmNR; ++c) d[c] = 0.f;
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
  const int64_t a = inside ? std::min(std::max(t.lo, run.ox), end) : end;
  const int64_t b = inside ? std::max(a, std::min(t.hi, end)) : end;
  const int64_t shift = run.ox - run.c;  // panel column i is output x = i + shift
  if (a == b) {
    std::fill(d + run.c, d + run.c + run.len, 0.f);
    return;
  }
  const float* xr = t.plane + (iz * g_.in[1] + iy) * g_.in[2] + t.offx;
  const int64_t sx = g_.s[2];
  for (int64_t i = run.c; i < run.c + run.len; ++i) {
    const int64_t x = i + shift;
    d[i] = x >= a && x < b ? xr[x * sx] : 0.f;
  }
}

void ShiftedPanels::pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                         float* dst) const {
  for (int64_t jp = 0; jp < nc; jp += kGemmNR, dst += kc * kGemmNR) {
    const int64_t n = std::min<int64_t>(kGemmNR, nc - jp);
    for (int64_t k = 0; k < kc; ++k) {
      const float* __restrict src = base_ + offsets_[k0 + k] + j0 + jp;
      float* __restrict d = dst + k * kGemmNR;
      if (n == kGemmNR) {
        for (int c = 0; c < kGemmNR; ++c) d[c] = src[c];
        continue;
      }
      for (int64_t c = 0; c < n; ++c) d[c] = src[c];
      for (int64_t c = n; c < kGemmNR; ++c) d[c] = 0.f;
    }
  }
}

}  // namespace detail
}  // namespace odla_ref
