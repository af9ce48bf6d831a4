#include "kernels/resize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "kernels/parallel.h"

namespace odla_ref {
namespace {

// Input taps of one output position along one axis (indices already clamped
// to the input); `extrapolate` means the output is extrapolation_value.
struct Taps {
  int64_t idx[4] = {0, 0, 0, 0};
  float w[4] = {0, 0, 0, 0};
  int n = 0;
  bool extrapolate = false;
};

// Input coordinate of output position x along `axis` (float math as ORT).
float source_coord(const ResizeParams& p, int axis, int64_t x) {
  const float in = static_cast<float>(p.in_dims[axis]);
  const float out_int = static_cast<float>(p.out_dims[axis]);
  const float s = p.scales[axis];
  const float out = s * in;  // length implied by the scale
  const float xf = static_cast<float>(x);
  switch (p.coord) {
    case CoordMode::kHalfPixel: return (xf + 0.5f) / s - 0.5f;
    case CoordMode::kHalfPixelSymmetric: {
      const float offset = in / 2 * (1.f - out_int / out);
      return offset + (xf + 0.5f) / s - 0.5f;
    }
    case CoordMode::kPytorchHalfPixel:
      return out_int > 1 ? (xf + 0.5f) / s - 0.5f : 0.f;
    case CoordMode::kAlignCorners:  // ONNX uses the scale-implied length
      return out == 1.f ? 0.f : xf * (in - 1) / (out - 1);
    case CoordMode::kAsymmetric: return xf / s;
    case CoordMode::kTfHalfPixelForNN: return (xf + 0.5f) / s;
    case CoordMode::kTfCropAndResize: {
      const float start = p.roi ? p.roi[axis] : 0.f;
      const float end = p.roi ? p.roi[p.rank + axis] : 1.f;
      if (out_int <= 1) return 0.5f * (start + end) * (in - 1);
      return start * (in - 1) + xf * (end - start) * (in - 1) / (out_int - 1);
    }
  }
  return 0.f;
}

int64_t nearest_index(NearestMode mode, float c) {
  const float f = std::floor(c);
  const float frac = c - f;
  switch (mode) {
    case NearestMode::kRoundPreferFloor: return static_cast<int64_t>(frac <= 0.5f ? f : f + 1);
    case NearestMode::kRoundPreferCeil: return static_cast<int64_t>(frac < 0.5f ? f : f + 1);
    case NearestMode::kFloor: return static_cast<int64_t>(f);
    case NearestMode::kCeil: return static_cast<int64_t>(std::ceil(c));
  }
  return 0;
}

void cubic_weights(float t, float a, float* w) {
  const float d[4] = {t + 1.f, t, 1.f - t, 2.f - t};  // distances to taps
  for (int i = 0; i < 4; ++i) {
    const float x = d[i];
    w[i] = x <= 1.f ? ((a + 2) * x - (a + 3)) * x * x + 1
                    : ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  }
}

Taps taps_at(const ResizeParams& p, int axis, int64_t x) {
  Taps t;
  const int64_t in = p.in_dims[axis];
  const float c = source_coord(p, axis, x);
  if (p.coord == CoordMode::kTfCropAndResize && (c < 0 || c > in - 1)) {
    t.extrapolate = true;
    return t;
  }
  const int64_t base = static_cast<int64_t>(std::floor(c));
  const float frac = c - std::floor(c);
  if (p.mode == ResizeMode::kNearest) {
    t.n = 1;
    t.idx[0] = nearest_index(p.nearest, c);
    t.w[0] = 1.f;
  } else if (p.mode == ResizeMode::kLinear) {
    t.n = 2;
    t.idx[0] = base, t.idx[1] = base + 1;
    t.w[0] = 1.f - frac, t.w[1] = frac;
  } else {
    t.n = 4;
    for (int i = 0; i < 4; ++i) t.idx[i] = base - 1 + i;
    cubic_weights(frac, p.cubic_a, t.w);
  }
  float sum = 0.f;
  for (int i = 0; i < t.n; ++i) {
    const bool outside = t.idx[i] < 0 || t.idx[i] >= in;
    if (outside && p.exclude_outside && p.mode != ResizeMode::kNearest) t.w[i] = 0.f;
    sum += t.w[i];
    t.idx[i] = std::min(std::max<int64_t>(t.idx[i], 0), in - 1);
  }
  if (p.exclude_outside && p.mode != ResizeMode::kNearest && sum != 0.f)
    for (int i = 0; i < t.n; ++i) t.w[i] /= sum;
  return t;
}

std::vector<Taps> axis_taps(const ResizeParams& p, int axis) {
  std::vector<Taps> taps(static_cast<size_t>(p.out_dims[axis]));
  for (int64_t x = 0; x < p.out_dims[axis]; ++x) taps[x] = taps_at(p, axis, x);
  return taps;
}

bool is_identity(const std::vector<Taps>& taps, int64_t in) {
  if (static_cast<int64_t>(taps.size()) != in) return false;
  for (int64_t x = 0; x < in; ++x) {
    const Taps& t = taps[x];
    if (t.extrapolate) return false;
    for (int i = 0; i < t.n; ++i)
      if (t.w[i] != 0.f && (t.idx[i] != x || t.w[i] != 1.f)) return false;
  }
  return true;
}

// Resizes the last axis (inner == 1): rows of `in` elements to rows of
// taps.size() elements.
void resize_last_axis(const float* x, float* y, int64_t rows, int64_t in,
                      const std::vector<Taps>& taps, float extrap) {
  const int64_t out = static_cast<int64_t>(taps.size());
  parallel_for(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * in;
      float* yr = y + r * out;
      for (int64_t j = 0; j < out; ++j) {
        const Taps& t = taps[j];
        float v = 0.f;
        for (int k = 0; k < t.n; ++k) v += t.w[k] * xr[t.idx[k]];
        yr[j] = t.extrapolate ? extrap : v;
      }
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(out, 1)));
}

// y[o, j, :] = sum over taps of w * x[o, idx, :] for a [outer, in, inner]
// tensor resized to [outer, out, inner].
void resize_axis(const float* x, float* y, int64_t outer, int64_t in,
                 int64_t inner, const std::vector<Taps>& taps, float extrap) {
  if (inner == 1) {
    resize_last_axis(x, y, outer, in, taps, extrap);
    return;
  }
  const int64_t out = static_cast<int64_t>(taps.size());
  parallel_for(outer * out, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const Taps& t = taps[r % out];
      const float* xo = x + r / out * in * inner;
      float* yr = y + r * inner;
      if (t.extrapolate) {
        std::fill(yr, yr + inner, extrap);
        continue;
      }
      const float* x0 = xo + t.idx[0] * inner;
      for (int64_t i = 0; i < inner; ++i) yr[i] = t.w[0] * x0[i];
      for (int k = 1; k < t.n; ++k) {
        const float* xk = xo + t.idx[k] * inner;
        for (int64_t i = 0; i < inner; ++i) yr[i] += t.w[k] * xk[i];
      }
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(inner, 1)));
}

// One separable pass per axis whose mapping is not the identity, shrinking
// axes first so the intermediates stay small.
std::vector<std::pair<int, std::vector<Taps>>> plan_passes(const ResizeParams& p) {
  std::vector<std::pair<int, std::vector<Taps>>> passes;
  for (int a = 0; a < p.rank; ++a) {
    std::vector<Taps> taps = axis_taps(p, a);
    if (!is_identity(taps, p.in_dims[a])) passes.emplace_back(a, std::move(taps));
  }
  std::stable_sort(passes.begin(), passes.end(), [&](const auto& l, const auto& r) {
    return p.out_dims[l.first] * p.in_dims[r.first] < p.out_dims[r.first] * p.in_dims[l.first];
  });
  return passes;
}

template <typename It>
int64_t product(It b, It e) {
  return std::accumulate(b, e, int64_t{1}, std::multiplies<int64_t>());
}

// Nearest mode as one gather: per axis, the input offset of each output
// index (-1: extrapolate), then rows along the last axis.
void resize_nearest(const ResizeParams& p, const float* x, float* y) {
  std::vector<std::vector<int64_t>> offs(static_cast<size_t>(p.rank));
  int64_t stride = 1;
  for (int a = p.rank - 1; a >= 0; --a) {
    for (const Taps& t : axis_taps(p, a)) offs[a].push_back(t.extrapolate ? -1 : t.idx[0] * stride);
    stride *= p.in_dims[a];
  }
  const int last = p.rank - 1;
  const int64_t width = p.out_dims[last];
  const int64_t rows = product(p.out_dims, p.out_dims + last);
  parallel_for(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t base = 0, rest = r;
      bool outside = false;
      for (int a = last - 1; a >= 0; --a) {
        const int64_t o = offs[a][rest % p.out_dims[a]];
        rest /= p.out_dims[a];
        outside |= o < 0;
        base += o;
      }
      float* yr = y + r * width;
      for (int64_t i = 0; i < width; ++i) {
        const int64_t o = offs[last][i];
        yr[i] = outside || o < 0 ? p.extrapolation_value : x[base + o];
      }
    }
  }, std::max<int64_t>(1, 4096 / std::max<int64_t>(width, 1)));
}

}  // namespace

void resize(const ResizeParams& p, const float* x, float* y) {
  if (p.mode == ResizeMode::kNearest) {
    resize_nearest(p, x, y);
    return;
  }
  const auto passes = plan_passes(p);
  std::vector<int64_t> dims(p.in_dims, p.in_dims + p.rank);
  if (passes.empty()) {
    std::memcpy(y, x, sizeof(float) * product(dims.begin(), dims.end()));
    return;
  }
  std::vector<float> buf[2];
  const float* src = x;
  for (size_t i = 0; i < passes.size(); ++i) {
    const int a = passes[i].first;
    const int64_t outer = product(dims.begin(), dims.begin() + a);
    const int64_t inner = product(dims.begin() + a + 1, dims.end());
    const int64_t in = dims[a];
    dims[a] = p.out_dims[a];
    float* dst = y;
    if (i + 1 < passes.size()) {
      buf[i % 2].resize(static_cast<size_t>(product(dims.begin(), dims.end())));
      dst = buf[i % 2].data();
    }
    resize_axis(src, dst, outer, in, inner, passes[i].second, p.extrapolation_value);
    src = dst;
  }
}

}  // namespace odla_ref
