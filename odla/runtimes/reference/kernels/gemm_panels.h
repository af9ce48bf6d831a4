// GEMM driver with a pluggable source of packed B panels (internal: lets
// conv() pack im2col data straight into the GEMM's panel layout).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "activation.h"

namespace odla_ref {
namespace detail {

// Width of a packed B panel (columns of C per micro-tile), sized to the
// vector registers of the target.
#if defined(__AVX512F__)
constexpr int kGemmNR = 32;
#elif defined(__AVX__)
constexpr int kGemmNR = 16;
#else
constexpr int kGemmNR = 8;
#endif

// Supplies the logical B[K, N] of a GEMM in packed form.
class PanelSource {
 public:
  // Writes B[k0:k0+kc, j0:j0+nc] to dst as consecutive panels of kGemmNR
  // columns: element (k, j) of the block goes to
  // dst[(j / kGemmNR) * kc * kGemmNR + k * kGemmNR + j % kGemmNR];
  // columns past nc in the last panel must be written as 0.
  virtual void pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc,
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
