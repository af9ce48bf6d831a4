#include "kernels/norm.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace odla_ref {
namespace {

int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(work_per_item, 1));
}

// y = x * a + b over n elements.
void affine(const float* x, float* y, int64_t n, float a, float b) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * a + b;
}

// Mean and biased variance of n elements (two passes, double accumulation).
void moments(const float* x, int64_t n, float* mean, float* var) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += x[i];
  const double m = n > 0 ? s / static_cast<double>(n) : 0.0;
  double q = 0.0;
  for (int64_t i = 0; i < n; ++i) q += (x[i] - m) * (x[i] - m);
  *mean = static_cast<float>(m);
  *var = n > 0 ? static_cast<float>(q / static_cast<double>(n)) : 0.f;
}

}  // namespace

void batch_norm(const float* x, float* y, int64_t N, int64_t C, int64_t inner,
                const float* mean, const float* var, const float* scale,
                const float* bias, float eps) {
  parallel_for(N * C, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t c = nc % C;
      const float a = (scale ? scale[c] : 1.f) / std::sqrt(var[c] + eps);
      const float sh = (bias ? bias[c] : 0.f) - mean[c] * a;
      affine(x + nc * inner, y + nc * inner, inner, a, sh);
    }
  }, grain_for(inner));
}

void instance_norm(const float* x, float* y, int64_t N, int64_t C,
                   int64_t inner, const float* scale, const float* bias,
                   float eps) {
  parallel_for(N * C, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t c = nc % C;
      float m, v;
      moments(x + nc * inner, inner, &m, &v);
      const float a = (scale ? scale[c] : 1.f) / std::sqrt(v + eps);
      affine(x + nc * inner, y + nc * inner, inner, a,
             (bias ? bias[c] : 0.f) - m * a);
    }
  }, grain_for(2 * inner));
}

void layer_norm(const float* x, float* y, int64_t outer, int64_t inner,
                const float* scale, const float* bias, float eps) {
  parallel_for(outer, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * inner;
      float* yr = y + r * inner;
      float m, v;
      moments(xr, inner, &m, &v);
      const float inv = 1.f / std::sqrt(v + eps);
      for (int64_t i = 0; i < inner; ++i) {
        yr[i] = (xr[i] - m) * inv * (scale ? scale[i] : 1.f) +
                (bias ? bias[i] : 0.f);
      }
    }
  }, grain_for(2 * inner));
}

void lrn(const float* x, float* y, int64_t N, int64_t C, int64_t inner,
         int64_t size, float alpha, float beta, float bias) {
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const float a = alpha / static_cast<float>(size);
  parallel_for(N * C, [&](int64_t b, int64_t e) {
    for (int64_t nc = b; nc < e; ++nc) {
      const int64_t n = nc / C, c = nc % C;
      const int64_t c0 = std::max<int64_t>(0, c - before),
                    c1 = std::min<int64_t>(C - 1, c + after);
      const float* xc = x + nc * inner;
      float* yc = y + nc * inner;
      for (int64_t i = 0; i < inner; ++i) {
        float s = 0.f;
        for (int64_t k = c0; k <= c1; ++k) {
          const float v = x[(n * C + k) * inner + i];
          s += v * v;
        }
        yc[i] = xc[i] / std::pow(bias + a * s, beta);
      }
    }
  }, grain_for(inner * size));
}

}  // namespace odla_ref
