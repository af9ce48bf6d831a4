// Matrix-vector products used by sgemm when M == 1 or N == 1 (internal).
#pragma once

#include <cstdint>

namespace odla_ref {
namespace detail {

// y[i * incy] = alpha * sum_k Mat(i, k) * x[k * incx] + beta * y[i * incy]
// for i in [0, rows), k in [0, K). Mat(i, k) = mat[i * ld + k] when
// row_major, else mat[k * ld + i]. beta == 0 never reads y.
void sgemv(bool row_major, int64_t rows, int64_t K, float alpha,
           const float* mat, int64_t ld, const float* x, int64_t incx,
           float beta, float* y, int64_t incy);

}  // namespace detail
}  // namespace odla_ref
