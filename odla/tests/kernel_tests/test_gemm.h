// sgemm against a double-precision triple loop.
#pragma once

#include <limits>

#include "harness.h"
#include "kernels/gemm.h"

namespace kt {

struct GemmCase {
  bool ta, tb;
  int64_t M, N, K;
  float alpha, beta;
  int64_t pad;  // extra leading-dimension slack
};

inline void naive_gemm(const GemmCase& g, const float* A, int64_t lda, const float* B,
                       int64_t ldb, float* C, int64_t ldc) {
  for (int64_t i = 0; i < g.M; ++i) {
    for (int64_t j = 0; j < g.N; ++j) {
      double s = 0;
      for (int64_t k = 0; k < g.K; ++k) {
        const float a = g.ta ? A[k * lda + i] : A[i * lda + k];
        const float b = g.tb ? B[j * ldb + k] : B[k * ldb + j];
        s += static_cast<double>(a) * b;
      }
      const double old = g.beta == 0.f ? 0.0 : static_cast<double>(g.beta) * C[i * ldc + j];
      C[i * ldc + j] = static_cast<float>(g.alpha * s + old);
    }
  }
}

inline void run_gemm_case(const GemmCase& g, uint32_t seed) {
  const int64_t lda = (g.ta ? g.M : g.K) + g.pad, ldb = (g.tb ? g.K : g.N) + g.pad,
                ldc = g.N + g.pad;
  const auto A = random_vec(static_cast<size_t>((g.ta ? g.K : g.M) * lda), seed);
  const auto B = random_vec(static_cast<size_t>((g.tb ? g.N : g.K) * ldb), seed + 1);
  auto C = random_vec(static_cast<size_t>(g.M * ldc), seed + 2);
  if (g.beta == 0.f) C.assign(C.size(), std::numeric_limits<float>::quiet_NaN());
  auto want = C;
  naive_gemm(g, A.data(), lda, B.data(), ldb, want.data(), ldc);
  if (g.beta == 0.f) {  // slack columns are never written: keep them comparable
    for (size_t i = 0; i < C.size(); ++i)
      if (static_cast<int64_t>(i) % ldc >= g.N) want[i] = C[i] = 0.f;
  }
  odla_ref::sgemm(g.ta, g.tb, g.M, g.N, g.K, g.alpha, A.data(), lda, B.data(), ldb, g.beta,
                  C.data(), ldc);
  if (g.beta == 0.f) {
    for (size_t i = 0; i < C.size(); ++i)
      if (static_cast<int64_t>(i) % ldc >= g.N) C[i] = 0.f;
  }
  const float tol = 1e-5f * static_cast<float>(g.K + 1);
  expect_close("sgemm ta=" + std::to_string(g.ta) + " tb=" + std::to_string(g.tb) + " " +
                   std::to_string(g.M) + "x" + std::to_string(g.N) + "x" + std::to_string(g.K) +
                   " beta=" + std::to_string(g.beta),
               C, want, tol, 1e-4f);
}

inline void test_gemm() {
  uint32_t seed = 100;
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      run_gemm_case({ta, tb, 1, 1, 1, 1.f, 0.f, 0}, seed++);
      run_gemm_case({ta, tb, 7, 5, 3, 1.f, 0.f, 2}, seed++);
      run_gemm_case({ta, tb, 1, 37, 19, 0.5f, 1.f, 1}, seed++);   // row vector
      run_gemm_case({ta, tb, 45, 1, 300, 2.f, 0.5f, 3}, seed++);  // column vector
      run_gemm_case({ta, tb, 33, 65, 17, 1.f, 0.f, 0}, seed++);
      run_gemm_case({ta, tb, 200, 150, 301, -1.5f, 0.25f, 5}, seed++);  // several K blocks
      run_gemm_case({ta, tb, 17, 2100, 40, 1.f, 1.f, 0}, seed++);       // several N blocks
    }
  }
  run_gemm_case({false, false, 6, 9, 0, 1.f, 2.f, 0}, seed++);  // K == 0 scales C
  run_gemm_case({false, false, 6, 9, 0, 1.f, 0.f, 0}, seed++);  // K == 0 zeroes C
  run_gemm_case({false, false, 513, 257, 129, 1.f, 0.f, 0}, seed++);
}

}  // namespace kt
