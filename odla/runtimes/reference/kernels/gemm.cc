#include "kernels/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kernels/aligned_buffer.h"
#include "kernels/gemm_kernels.h"
#include "kernels/gemm_panels.h"
#include "kernels/gemv.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace {

using detail::Activation;
using detail::PackedA;
using detail::PanelSource;
using detail::gemm_kernel;

// Block sizes (the register tile comes from the ISA's kernel, gemm_kernels.h).
constexpr int64_t kKC = 256;   // depth of a packed block (B micro-panel in L1)
constexpr int64_t kMC = 192;   // rows of a packed A block (in L2)
constexpr int64_t kNC = 2048;  // columns of a packed B block

struct Operand {
  const float* p;
  int64_t ld;
  bool trans;
};

// Packs rows [i0, i0+mc) x depth [k0, k0+kc) of op(A), scaled by alpha, into
// kMR-row panels: panel[k * kMR + r]; rows past mc are zero.
template <int kMR>
void pack_a_fixed(const Operand& a, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
                  float alpha, float* dst) {
  for (int64_t ip = 0; ip < mc; ip += kMR, dst += kMR * kc) {
    const int rows = static_cast<int>(std::min<int64_t>(kMR, mc - ip));
    if (a.trans) {  // rows of the panel are contiguous in memory
      for (int64_t k = 0; k < kc; ++k) {
        const float* src = a.p + (k0 + k) * a.ld + i0 + ip;
        for (int r = 0; r < rows; ++r) dst[k * kMR + r] = alpha * src[r];
        for (int r = rows; r < kMR; ++r) dst[k * kMR + r] = 0.f;
      }
      continue;
    }
    for (int r = 0; r < rows; ++r) {  // read each row of A contiguously
      const float* src = a.p + (i0 + ip + r) * a.ld + k0;
      for (int64_t k = 0; k < kc; ++k) dst[k * kMR + r] = alpha * src[k];
    }
    for (int r = rows; r < kMR; ++r)
      for (int64_t k = 0; k < kc; ++k) dst[k * kMR + r] = 0.f;
  }
}

void pack_a(int mr, const Operand& a, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
            float alpha, float* dst) {
  switch (mr) {
    case 6: return pack_a_fixed<6>(a, i0, mc, k0, kc, alpha, dst);
    case 8: return pack_a_fixed<8>(a, i0, mc, k0, kc, alpha, dst);
    case 12: return pack_a_fixed<12>(a, i0, mc, k0, kc, alpha, dst);
    case 16: return pack_a_fixed<16>(a, i0, mc, k0, kc, alpha, dst);
    default: std::abort();  // a kernel with another height needs a case here
  }
}

// B given as a (possibly transposed) row-major matrix.
class MatrixPanels final : public PanelSource {
 public:
  explicit MatrixPanels(const Operand& b) : b_(b) {}
  void pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int kNR,
            float* dst) const override {
    for (int64_t jp = 0; jp < nc; jp += kNR, dst += kNR * kc) {
      const int cols = static_cast<int>(std::min<int64_t>(kNR, nc - jp));
      for (int64_t k = 0; k < kc; ++k) {
        float* d = dst + k * kNR;
        if (!b_.trans && cols == kNR) {
          std::memcpy(d, b_.p + (k0 + k) * b_.ld + j0 + jp, sizeof(float) * kNR);
          continue;
        }
        for (int c = 0; c < cols; ++c) {
          const int64_t j = j0 + jp + c;
          d[c] = b_.trans ? b_.p[j * b_.ld + k0 + k] : b_.p[(k0 + k) * b_.ld + j];
        }
        for (int c = cols; c < kNR; ++c) d[c] = 0.f;
      }
    }
  }

 private:
  Operand b_;
};

struct Problem {
  const detail::GemmKernel* kern;
  Operand a;
  const PackedA* packed_a;  // when set, used instead of packing `a`
  const PanelSource* b;
  float alpha, beta;
  float* c;
  int64_t ldc, K;
  const float* row_bias = nullptr;  // added to row i of C (sgemm_packed only)
  const Activation* act = nullptr;  // applied as C is stored (sgemm_packed only)
};

// Multiplies the packed blocks into C[i0:i0+mc, j0:j0+nc].
void macro_kernel(const Problem& pr, const float* pa, const float* pb,
                  int64_t i0, int64_t mc, int64_t j0, int64_t nc, int64_t kc,
                  bool first_k, bool last_k) {
  const float* bias = last_k ? pr.row_bias : nullptr;
  const Activation* act = last_k ? pr.act : nullptr;
  using detail::Update;
  const int kMR = pr.kern->mr, kNR = pr.kern->nr;
  const detail::MicroKernel tile = pr.kern->tile;
  const Update u = !first_k ? Update::kAccumulate
                   : pr.beta == 0.f ? Update::kAssign
                   : pr.beta == 1.f ? Update::kAccumulate
                                    : Update::kScale;
  for (int64_t jr = 0; jr < nc; jr += kNR) {
    const int cols = static_cast<int>(std::min<int64_t>(kNR, nc - jr));
    for (int64_t ir = 0; ir < mc; ir += kMR) {
      const int rows = static_cast<int>(std::min<int64_t>(kMR, mc - ir));
      tile(kc, pa + ir * kc, pb + jr * kc,
                   pr.c + (i0 + ir) * pr.ldc + j0 + jr, pr.ldc, rows, cols, u,
                   pr.beta, bias != nullptr ? bias + i0 + ir : nullptr, act);
    }
  }
}

// Serial blocked GEMM on the C rectangle [m0, m1) x [n0, n1).
void gemm_tile(const Problem& pr, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
  const int kMR = pr.kern->mr, kNR = pr.kern->nr;
  const int64_t kNC = ::odla_ref::kNC / kNR * kNR, kMC = ::odla_ref::kMC / kMR * kMR;
  const int64_t kc_max = std::min(kKC, pr.K);
  const int64_t nc_max = std::min(kNC, (n1 - n0 + kNR - 1) / kNR * kNR);
  const int64_t mc_max = std::min(kMC, (m1 - m0 + kMR - 1) / kMR * kMR);
  thread_local AlignedBuffer buf_a, buf_b;
  float* pa = pr.packed_a ? nullptr : buf_a.floats(static_cast<size_t>(kc_max * mc_max));
  float* pb = buf_b.floats(static_cast<size_t>(kc_max * nc_max));
  for (int64_t jc = n0; jc < n1; jc += kNC) {
    const int64_t nc = std::min(kNC, n1 - jc);
    for (int64_t pc = 0; pc < pr.K; pc += kKC) {
      const int64_t kc = std::min(kKC, pr.K - pc);
      pr.b->pack(pc, kc, jc, nc, kNR, pb);
      for (int64_t ic = m0; ic < m1; ic += kMC) {
        const int64_t mc = std::min(kMC, m1 - ic);
        const float* block = pa;
        if (pr.packed_a != nullptr)  // ic is a multiple of kMR (see bound())
          block = pr.packed_a->data.data() + pc * pr.packed_a->m_pad + ic * kc;
        else
          pack_a(kMR, pr.a, ic, mc, pc, kc, pr.alpha, pa);
        macro_kernel(pr, block, pb, ic, mc, jc, nc, kc, pc == 0, pc + kc == pr.K);
      }
    }
  }
}

// Splits C into tm x tn tiles for the pool, favoring square-ish tiles.
void split(int64_t M, int64_t N, int64_t K, int kMR, int kNR, int64_t* tm, int64_t* tn) {
  *tm = *tn = 1;
  const int64_t threads = num_threads();
  if (threads == 1 || M * N * K < (int64_t{1} << 18)) return;
  double best = 0;
  for (int64_t m = 1; m <= threads; ++m) {
    if (threads % m != 0) continue;
    const int64_t n = threads / m;
    if ((m > 1 && M < m * kMR) || (n > 1 && N < n * kNR)) continue;
    const double cost = static_cast<double>(M) / m + static_cast<double>(N) / n;
    if (best == 0 || cost < best) best = cost, *tm = m, *tn = n;
  }
}

// Tile boundary t of `parts` over [0, len), rounded to a multiple of `align`.
int64_t bound(int64_t len, int64_t parts, int64_t t, int64_t align) {
  if (t >= parts) return len;
  const int64_t units = (len + align - 1) / align;
  return std::min(len, units * t / parts * align);
}

void scale_c(int64_t M, int64_t N, float beta, float* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    for (int64_t j = 0; j < N; ++j) c[j] = beta == 0.f ? 0.f : beta * c[j];
  }
}

// Splits C over the pool and runs gemm_tile on each part.
void run_tiles(const Problem& pr, int64_t M, int64_t N) {
  int64_t tm, tn;
  const int kMR = pr.kern->mr, kNR = pr.kern->nr;
  split(M, N, pr.K, kMR, kNR, &tm, &tn);
  parallel_for(tm * tn, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t im = t / tn, in = t % tn;
      gemm_tile(pr, bound(M, tm, im, kMR), bound(M, tm, im + 1, kMR),
                bound(N, tn, in, kNR), bound(N, tn, in + 1, kNR));
    }
  });
}

}  // namespace

namespace detail {

int gemm_panel_width() { return gemm_kernel().nr; }

void sgemm_panels(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha,
                  const float* A, int64_t lda, const PanelSource& b,
                  float beta, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  run_tiles(Problem{&gemm_kernel(), {A, lda, trans_a}, nullptr, &b, alpha, beta, C, ldc, K}, M, N);
}

PackedA pack_a_matrix(bool trans_a, int64_t M, int64_t K, float alpha, const float* A,
                      int64_t lda) {
  const int kMR = gemm_kernel().mr;
  PackedA p;
  p.mr = kMR;
  p.M = M;
  p.K = K;
  p.m_pad = (M + kMR - 1) / kMR * kMR;
  p.data.resize(static_cast<size_t>(p.m_pad * K));
  const Operand a{A, lda, trans_a};
  for (int64_t pc = 0; pc < K; pc += kKC)
    pack_a(kMR, a, 0, M, pc, std::min(kKC, K - pc), alpha, p.data.data() + pc * p.m_pad);
  return p;
}

void sgemm_packed(const PackedA& a, int64_t N, const PanelSource& b, float* C, int64_t ldc,
                  const float* row_bias, const Activation& act) {
  if (a.M <= 0 || N <= 0) return;
  if (a.K <= 0) {  // no products: every element of row i is act(row_bias[i])
    for (int64_t i = 0; i < a.M; ++i)
      std::fill(C + i * ldc, C + i * ldc + N, act(row_bias != nullptr ? row_bias[i] : 0.f));
    return;
  }
  if (a.mr != gemm_kernel().mr) std::abort();  // packed for another kernel
  run_tiles(Problem{&gemm_kernel(), {nullptr, 0, false}, &a, &b, 1.f, 0.f, C, ldc, a.K, row_bias,
                    act.active() ? &act : nullptr},
            a.M, N);
}

void sgemm_packed(const PackedA& a, int64_t N, const float* B, int64_t ldb, float* C,
                  int64_t ldc, const float* row_bias, const Activation& act) {
  sgemm_packed(a, N, MatrixPanels({B, ldb, false}), C, ldc, row_bias, act);
}

}  // namespace detail

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
           float alpha, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 1 && K > 0) {  // row of C = op(B)^T applied to the row op(A)
    detail::sgemv(trans_b, N, K, alpha, B, ldb, A, trans_a ? lda : 1, beta, C, 1);
    return;
  }
  if (N == 1 && K > 0) {  // column of C = op(A) applied to the column op(B)
    detail::sgemv(!trans_a, M, K, alpha, A, lda, B, trans_b ? 1 : ldb, beta, C, ldc);
    return;
  }
  detail::sgemm_panels(trans_a, M, N, K, alpha, A, lda,
                       MatrixPanels({B, ldb, trans_b}), beta, C, ldc);
}

}  // namespace odla_ref
