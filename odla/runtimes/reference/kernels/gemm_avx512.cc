// AVX-512 GEMM micro-kernel: 8 rows x 32 columns (16 zmm accumulators), FMA.
// Compiled for AVX-512 by the target pragma below, whatever the build flags;
// only called when the CPU has AVX-512F (see isa.cc).
#include "kernels/gemm_kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 8, kNR = 32;

void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
          int64_t ldc, int rows, int cols, Update u, float beta, const float* bias,
          const Activation* act) {
  __m512 acc[kMR][2];
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k, a += kMR, b += kNR) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    for (int r = 0; r < kMR; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
    }
  }
  alignas(64) float out[kMR * kNR];
  for (int r = 0; r < kMR; ++r) {
    _mm512_store_ps(out + r * kNR, acc[r][0]);
    _mm512_store_ps(out + r * kNR + 16, acc[r][1]);
  }
  finish_tile<kMR, kNR>(out, rows, cols, c, ldc, u, beta, bias, act);
}

const GemmKernel kKernel{Isa::kAvx512, kMR, kNR, tile};

}  // namespace

const GemmKernel* gemm_kernel_avx512() { return &kKernel; }

}  // namespace detail
}  // namespace odla_ref

#pragma GCC pop_options

#else

namespace odla_ref {
namespace detail {
const GemmKernel* gemm_kernel_avx512() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
