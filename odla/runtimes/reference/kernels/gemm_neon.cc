// NEON GEMM micro-kernel (aarch64): 8 rows x 12 columns (24 q-register
// accumulators), lane-indexed FMA. NEON is baseline on aarch64: no flags.
#include "kernels/gemm_kernels.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 8, kNR = 12;

void tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
          int64_t ldc, int rows, int cols, Update u, float beta, const float* bias,
          const Activation* act) {
  float32x4_t acc[kMR][3];
  for (int r = 0; r < kMR; ++r) acc[r][0] = acc[r][1] = acc[r][2] = vdupq_n_f32(0.f);
  for (int64_t k = 0; k < kc; ++k, a += kMR, b += kNR) {
    const float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8);
    const float32x4_t a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
#define ODLA_ROW(r, av, lane)                               \
  acc[r][0] = vfmaq_laneq_f32(acc[r][0], b0, av, lane);     \
  acc[r][1] = vfmaq_laneq_f32(acc[r][1], b1, av, lane);     \
  acc[r][2] = vfmaq_laneq_f32(acc[r][2], b2, av, lane);
    ODLA_ROW(0, a0, 0) ODLA_ROW(1, a0, 1) ODLA_ROW(2, a0, 2) ODLA_ROW(3, a0, 3)
    ODLA_ROW(4, a1, 0) ODLA_ROW(5, a1, 1) ODLA_ROW(6, a1, 2) ODLA_ROW(7, a1, 3)
#undef ODLA_ROW
  }
  alignas(16) float out[kMR * kNR];
  for (int r = 0; r < kMR; ++r) {
    vst1q_f32(out + r * kNR, acc[r][0]);
    vst1q_f32(out + r * kNR + 4, acc[r][1]);
    vst1q_f32(out + r * kNR + 8, acc[r][2]);
  }
  finish_tile<kMR, kNR>(out, rows, cols, c, ldc, u, beta, bias, act);
}

const GemmKernel kKernel{Isa::kNeon, kMR, kNR, tile};

}  // namespace

const GemmKernel* gemm_kernel_neon() { return &kKernel; }

}  // namespace detail
}  // namespace odla_ref

#else

namespace odla_ref {
namespace detail {
const GemmKernel* gemm_kernel_neon() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
