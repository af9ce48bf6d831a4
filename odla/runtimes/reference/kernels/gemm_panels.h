// GEMM driver with a pluggable source of packed B panels (internal: lets
// conv() pack im2col data straight into the GEMM's panel layout).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "activation.h"

namespace odla_ref {
namespace detail {

// Largest width of a packed B panel over the ISA kernels (see gemm_kernels.h);
// the width in use is gemm_panel_width().
constexpr int kGemmMaxNR = 32;

// Columns per packed B panel (and of C per micro-tile) of the kernel for
// active_isa(): 32 (AVX-512), 16 (AVX2), 12 (NEON) or 8 (portable).
int gemm_panel_width();

// Supplies the logical B[K, N] of a GEMM in packed form.
class PanelSource {
 public:
  // Writes B[k0:k0+kc, j0:j0+nc] to dst as consecutive panels of nr
  // (= gemm_panel_width(), at most kGemmMaxNR) columns: element (k, j) of the
  // block goes to dst[(j / nr) * kc * nr + k * nr + j % nr]; columns past nc
  // in the last panel must be written as 0.
  virtual void pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
                    float* dst) const = 0;

 protected:
  ~PanelSource() = default;
};

// C[M,N] = alpha * op(A)[M,K] * B[K,N] + beta * C with B from `b`; same
// conventions and threading as sgemm().
void sgemm_panels(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const PanelSource& b,
                  float beta, float* C, int64_t ldc);

// alpha * op(A) packed once, in the layout sgemm packs A blocks into (for a
// constant operand such as convolution weights, which is then not repacked on
// every call): for each depth block k0 (multiples of the block depth), the
// row panels of op(A)[:, k0:k0+kc] at data[k0 * m_pad + row * kc].
struct PackedA {
  int64_t M = 0, K = 0, m_pad = 0;  // m_pad: M rounded up to the panel height
  int mr = 0;                       // the panel height (that of the kernel in use)
  std::vector<float> data;
};
PackedA pack_a_matrix(bool trans_a, int64_t M, int64_t K, float alpha, const float* A,
                      int64_t lda);

// C[M,N] = A * B (+ row_bias[i] on row i when given) with a packed A (its
// alpha already applied) and B from `b`; threading as sgemm(). The bias is
// added as the tiles are stored, not in a pass of its own.
void sgemm_packed(const PackedA& a, int64_t N, const PanelSource& b, float* C, int64_t ldc,
                  const float* row_bias = nullptr, const Activation& act = {});
// The same with B a row-major matrix B[K, N] (leading dimension ldb).
void sgemm_packed(const PackedA& a, int64_t N, const float* B, int64_t ldb, float* C,
                  int64_t ldc, const float* row_bias = nullptr, const Activation& act = {});

}  // namespace detail
}  // namespace odla_ref
