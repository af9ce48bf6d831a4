// AVX2 GEMM micro-kernel: 6 rows x 16 columns (12 ymm accumulators), FMA.
// Compiled for AVX2+FMA by the target pragma below, whatever the build flags;
// only called when the CPU has AVX2 and FMA (see isa.cc).
#include "kernels/gemm_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 6, kNR = 16;

void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
          int64_t ldc, int rows, int cols, Update u, float beta, const float* bias,
          const Activation* act) {
  __m256 acc[kMR][2];
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += kMR, b += kNR) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    for (int r = 0; r < kMR; ++r) {
      const __m256 ar = _mm256_set1_ps(a[r]);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
  alignas(32) float out[kMR * kNR];
  for (int r = 0; r < kMR; ++r) {
    _mm256_store_ps(out + r * kNR, acc[r][0]);
    _mm256_store_ps(out + r * kNR + 8, acc[r][1]);
  }
  finish_tile<kMR, kNR>(out, rows, cols, c, ldc, u, beta, bias, act);
}

const GemmKernel kKernel{Isa::kAvx2, kMR, kNR, tile};

}  // namespace

const GemmKernel* gemm_kernel_avx2() { return &kKernel; }

}  // namespace detail
}  // namespace odla_ref

#pragma GCC pop_options

#else

namespace odla_ref {
namespace detail {
const GemmKernel* gemm_kernel_avx2() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
