// GEMM micro-kernels, one family per ISA (internal to the kernels).
//
// Each gemm_<isa>.cc defines the register tile for its instruction set with
// function-level target attributes (#pragma GCC target), so the library is
// built with plain -O3 and still uses AVX2/AVX-512 where the CPU has them;
// gemm_kernel() returns the one for active_isa().
#pragma once

#include <cstdint>

#include "kernels/gemm_panels.h"
#include "kernels/isa.h"

namespace odla_ref {
namespace detail {

// How a tile of C is updated with the new products `acc`.
enum class Update { kAssign, kScale, kAccumulate };  // acc, acc + beta*C, C + acc

// C tile (rows x cols at c, rows <= mr, cols <= nr) updated with the sum over
// k < kc of a-panel column k (mr values at a + k*mr) times b-panel row k (nr
// values at b + k*nr), plus bias[r] on row r when `bias` is given, then `act`
// on the stored values when given.
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, float* c,
                             int64_t ldc, int rows, int cols, Update u, float beta,
                             const float* bias, const Activation* act);

struct GemmKernel {
  Isa isa;
  int mr, nr;  // register tile: mr rows (A panel height) x nr columns (B panel width)
  MicroKernel tile;
};

// The kernel of `isa`, or null when this build has none for it.
const GemmKernel* gemm_kernel_portable();
const GemmKernel* gemm_kernel_avx2();
const GemmKernel* gemm_kernel_avx512();
const GemmKernel* gemm_kernel_neon();

// The kernel for active_isa() (portable when the build lacks that one).
const GemmKernel& gemm_kernel();

// The shared tail of every micro-kernel (acc: the mr x nr products, row-major,
// as a plain array): bias, update of C, activation. MR/NR are compile-time so
// the loops vectorize with the including file's target.
#if defined(__GNUC__)
#define ODLA_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define ODLA_ALWAYS_INLINE inline
#endif

template <int MR, int NR>
static ODLA_ALWAYS_INLINE void finish_tile(const float* __restrict acc, int rows, int cols, float* c,
                               int64_t ldc, Update u, float beta, const float* bias,
                               const Activation* act) {
  const bool full = rows == MR && cols == NR;
  for (int r = 0; r < rows; ++r, c += ldc) {
    const float* __restrict s = acc + r * NR;
    const float v = bias != nullptr ? bias[r] : 0.f;
    float* __restrict d = c;
    if (full) {
      if (u == Update::kAssign) {
        for (int j = 0; j < NR; ++j) d[j] = s[j] + v;
      } else if (u == Update::kScale) {
        for (int j = 0; j < NR; ++j) d[j] = s[j] + v + beta * d[j];
      } else {
        for (int j = 0; j < NR; ++j) d[j] += s[j] + v;
      }
      if (act != nullptr) {
        const Activation f = *act;
        for (int j = 0; j < NR; ++j) d[j] = f(d[j]);
      }
      continue;
    }
    for (int j = 0; j < cols; ++j) {
      const float x = u == Update::kAssign  ? s[j] + v
                      : u == Update::kScale ? s[j] + v + beta * d[j]
                                            : d[j] + s[j] + v;
      d[j] = act != nullptr ? (*act)(x) : x;
    }
  }
}

}  // namespace detail
}  // namespace odla_ref
