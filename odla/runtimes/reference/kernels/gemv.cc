#include "kernels/gemv.h"

#include <algorithm>
#include <vector>

#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {
namespace {

constexpr int kLanes = 16;  // independent partial sums (vectorizable)
constexpr int64_t kColBlock = 256;

float dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float part[kLanes] = {};
  int64_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (int l = 0; l < kLanes; ++l) part[l] += a[k + l] * b[k + l];
  }
  float s = 0.f;
  for (; k < n; ++k) s += a[k] * b[k];
  for (int l = 0; l < kLanes; ++l) s += part[l];
  return s;
}

void store(float v, float alpha, float beta, float* y) {
  *y = beta == 0.f ? alpha * v : alpha * v + beta * *y;
}

// Rows [i0, i1) of a column-major matrix: accumulate axpy over k.
void columns_block(int64_t i0, int64_t i1, int64_t K, float alpha,
                   const float* mat, int64_t ld, const float* x, float beta,
                   float* y, int64_t incy) {
  float acc[kColBlock];
  const int64_t n = i1 - i0;
  std::fill(acc, acc + n, 0.f);
  for (int64_t k = 0; k < K; ++k) {
    const float xk = x[k];
    const float* __restrict m = mat + k * ld + i0;
    for (int64_t i = 0; i < n; ++i) acc[i] += xk * m[i];
  }
  for (int64_t i = 0; i < n; ++i) store(acc[i], alpha, beta, y + (i0 + i) * incy);
}

}  // namespace

void sgemv(bool row_major, int64_t rows, int64_t K, float alpha,
           const float* mat, int64_t ld, const float* x, int64_t incx,
           float beta, float* y, int64_t incy) {
  std::vector<float> xs;
  if (incx != 1) {
    xs.resize(static_cast<size_t>(K));
    for (int64_t k = 0; k < K; ++k) xs[k] = x[k * incx];
    x = xs.data();
  }
  if (row_major) {
    const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(K, 1));
    parallel_for(rows, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        store(dot(mat + i * ld, x, K), alpha, beta, y + i * incy);
    }, grain);
    return;
  }
  const int64_t blocks = (rows + kColBlock - 1) / kColBlock;
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(K * kColBlock, 1));
  parallel_for(blocks, [&](int64_t b, int64_t e) {
    for (int64_t blk = b; blk < e; ++blk) {
      const int64_t i0 = blk * kColBlock;
      columns_block(i0, std::min(rows, i0 + kColBlock), K, alpha, mat, ld, x,
                    beta, y, incy);
    }
  }, grain);
}

}  // namespace detail
}  // namespace odla_ref
