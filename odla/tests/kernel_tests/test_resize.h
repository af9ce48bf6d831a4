// resize: ONNX documentation examples, and random cases against a direct
// N-d evaluation (ONNX reference style: n nearest neighbours in an
// edge-padded axis, tensor-product weights) at every output point.
#pragma once

#include <algorithm>
#include <cmath>

#include "harness.h"
#include "kernels/resize.h"

namespace kt {

using odla_ref::CoordMode;
using odla_ref::NearestMode;
using odla_ref::ResizeMode;
using odla_ref::ResizeParams;

inline float naive_coord(const ResizeParams& p, int a, int64_t x) {
  const float in = static_cast<float>(p.in_dims[a]), len = static_cast<float>(p.out_dims[a]);
  const float s = p.scales[a], xf = static_cast<float>(x);
  const float start = p.roi ? p.roi[a] : 0.f, end = p.roi ? p.roi[p.rank + a] : 1.f;
  switch (p.coord) {
    case CoordMode::kHalfPixel: return (xf + 0.5f) / s - 0.5f;
    case CoordMode::kHalfPixelSymmetric:
      return in / 2 * (1 - len / (s * in)) + (xf + 0.5f) / s - 0.5f;
    case CoordMode::kPytorchHalfPixel: return len > 1 ? (xf + 0.5f) / s - 0.5f : 0.f;
    case CoordMode::kAlignCorners: return s * in == 1 ? 0.f : xf * (in - 1) / (s * in - 1);
    case CoordMode::kAsymmetric: return xf / s;
    case CoordMode::kTfHalfPixelForNN: return (xf + 0.5f) / s;
    case CoordMode::kTfCropAndResize:
      return len > 1 ? start * (in - 1) + xf * (end - start) * (in - 1) / (len - 1)
                     : 0.5f * (start + end) * (in - 1);
  }
  return 0.f;
}

struct AxisTaps {
  std::vector<int64_t> idx;
  std::vector<double> w;
  bool outside = false;
};

inline AxisTaps naive_taps(const ResizeParams& p, int a, int64_t x) {
  AxisTaps t;
  const int64_t in = p.in_dims[a];
  const float c = naive_coord(p, a, x);
  t.outside = p.coord == CoordMode::kTfCropAndResize && (c < 0 || c > in - 1);
  if (p.mode == ResizeMode::kNearest) {
    const double f = std::floor(c), r = c - f;
    const bool up = p.nearest == NearestMode::kCeil ? r > 0
                    : p.nearest == NearestMode::kFloor ? false
                    : p.nearest == NearestMode::kRoundPreferCeil ? r >= 0.5 : r > 0.5;
    t.idx = {std::clamp<int64_t>(static_cast<int64_t>(f) + up, 0, in - 1)};
    t.w = {1.0};
    return t;
  }
  const double r = c == std::floor(c) ? 1.0 : c - std::floor(c);  // ratio in (0, 1]
  const double A = p.cubic_a;
  auto cub = [A](double d) {
    d = std::fabs(d);
    return d <= 1 ? ((A + 2) * d - (A + 3)) * d * d + 1 : ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
  };
  t.w = p.mode == ResizeMode::kLinear ? std::vector<double>{1 - r, r}
                                      : std::vector<double>{cub(r + 1), cub(r), cub(1 - r), cub(2 - r)};
  const int64_t n = static_cast<int64_t>(t.w.size()), pad = (n + 1) / 2;
  std::vector<int64_t> cand;  // n indices of [-pad, in + pad) nearest c, smaller first on ties
  for (int64_t i = -pad; i < in + pad; ++i) cand.push_back(i);
  std::stable_sort(cand.begin(), cand.end(), [c](int64_t l, int64_t rr) {
    return std::fabs(c - l) < std::fabs(c - rr);
  });
  cand.resize(static_cast<size_t>(n));
  std::sort(cand.begin(), cand.end());
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (p.exclude_outside && (cand[i] < 0 || cand[i] >= in)) t.w[i] = 0;
    sum += t.w[i];
  }
  for (int64_t i = 0; i < n; ++i) {
    if (p.exclude_outside) t.w[i] /= sum;
    t.idx.push_back(std::clamp<int64_t>(cand[i], 0, in - 1));
  }
  return t;
}

inline std::vector<float> naive_resize(const ResizeParams& p, const std::vector<float>& x) {
  const int64_t out_sz = product(p.out_dims, p.rank);
  std::vector<float> y(static_cast<size_t>(out_sz));
  for (int64_t o = 0; o < out_sz; ++o) {
    const auto oi = unravel(o, p.out_dims, p.rank);
    std::vector<AxisTaps> taps;
    bool outside = false;
    for (int a = 0; a < p.rank; ++a) {
      taps.push_back(naive_taps(p, a, oi[a]));
      outside |= taps.back().outside;
    }
    double acc = 0;
    std::vector<size_t> pick(static_cast<size_t>(p.rank), 0);  // odometer over tap choices
    for (bool more = !outside; more;) {
      double w = 1;
      std::vector<int64_t> ii(static_cast<size_t>(p.rank));
      for (int a = 0; a < p.rank; ++a) w *= taps[a].w[pick[a]], ii[a] = taps[a].idx[pick[a]];
      acc += w * x[ravel(ii, p.in_dims)];
      int a = p.rank - 1;
      while (a >= 0 && ++pick[a] == taps[a].w.size()) pick[a--] = 0;
      more = a >= 0;
    }
    y[o] = outside ? p.extrapolation_value : static_cast<float>(acc);
  }
  return y;
}

inline ResizeParams resize_params(std::vector<int64_t> in, std::vector<int64_t> out,
                                  std::vector<float> scales, ResizeMode mode, CoordMode coord) {
  ResizeParams p;
  p.rank = static_cast<int>(in.size());
  for (int a = 0; a < p.rank; ++a) {
    p.in_dims[a] = in[a], p.out_dims[a] = out[a];
    p.scales[a] = scales.empty() ? static_cast<float>(out[a]) / in[a] : scales[a];
  }
  p.mode = mode, p.coord = coord;
  return p;
}

inline void expect_resize(const std::string& name, const ResizeParams& p, const std::vector<float>& x,
                          const std::vector<float>& want, float atol) {
  std::vector<float> y(static_cast<size_t>(product(p.out_dims, p.rank)));
  odla_ref::resize(p, x.data(), y.data());
  expect_close(name, y, want, atol);
}

}  // namespace kt
