// Portable GEMM micro-kernel: plain loops over a fixed 6 x 8 register tile
// that compilers vectorize for the baseline of the target (SSE2 on x86-64,
// or whatever -m flags the build adds), and the run-time choice among the
// per-ISA kernels.
#include "kernels/gemm_kernels.h"

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 6, kNR = 8;

void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
          int64_t ldc, int rows, int cols, Update u, float beta, const float* bias,
          const Activation* act) {
  float acc[kMR * kNR] = {};
  for (int64_t k = 0; k < kc; ++k, a += kMR, b += kNR) {
    for (int r = 0; r < kMR; ++r) {
      const float ar = a[r];
      for (int j = 0; j < kNR; ++j) acc[r * kNR + j] += ar * b[j];
    }
  }
  finish_tile<kMR, kNR>(acc, rows, cols, c, ldc, u, beta, bias, act);
}

const GemmKernel kKernel{Isa::kPortable, kMR, kNR, tile};

const GemmKernel& choose() {
  const GemmKernel* k = nullptr;
  switch (active_isa()) {
    case Isa::kAvx512: k = gemm_kernel_avx512(); break;
    case Isa::kAvx2: k = gemm_kernel_avx2(); break;
    case Isa::kNeon: k = gemm_kernel_neon(); break;
    default: break;
  }
  return k != nullptr ? *k : kKernel;
}

}  // namespace

const GemmKernel* gemm_kernel_portable() { return &kKernel; }

const GemmKernel& gemm_kernel() {
  static const GemmKernel& k = choose();
  return k;
}

}  // namespace detail
}  // namespace odla_ref
