// Single-precision matrix multiply (packed, cache-blocked, multi-threaded).
#pragma once

#include <cstdint>

namespace odla_ref {

// C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, all row-major.
// op(A) = A (lda >= K) or, when trans_a, A^T with A stored [K,M] (lda >= M);
// op(B) = B (ldb >= N) or, when trans_b, B^T with B stored [N,K] (ldb >= K).
// ldc >= N. beta == 0 never reads C (NaN/garbage in C is ignored).
// K == 0 gives C = beta * C. Parallel over blocks of C via parallel_for
// (runs single-threaded when called inside another parallel_for).
void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
           float alpha, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace odla_ref
