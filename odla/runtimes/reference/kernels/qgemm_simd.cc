// Integer GEMM micro-kernels for x86 (see qgemm.h): AVX-512 VNNI (vpdpbusd: four u8 x s8
// products summed into each int32 lane, exact) with a vectorized requantizing epilogue.
// Compiled for those instructions by the target pragma below, whatever the build flags;
// only chosen when the CPU has them.
#include "kernels/qgemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <cstring>

#pragma GCC push_options
// GCC 12 reports the intrinsics' own undefined-vector idiom as a use before initialization
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma")

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 8, kNR = 32;

// 8 rows of A against 32 columns of B: per depth group of 4, two 64-byte loads of B (u8) and
// 16 vpdpbusd with each row's 4 weight bytes (s8) broadcast.
void tile_vnni(int64_t kq, const int8_t* __restrict a, const uint8_t* __restrict b,
               int32_t* acc) {
  __m512i c[kMR][2];
  for (int r = 0; r < kMR; ++r) c[r][0] = c[r][1] = _mm512_setzero_si512();
  for (int64_t g = 0; g < kq; ++g, a += kMR * 4, b += kNR * 4) {
    const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
    for (int r = 0; r < kMR; ++r) {
      int32_t w;
      std::memcpy(&w, a + r * 4, 4);
      const __m512i ar = _mm512_set1_epi32(w);
      c[r][0] = _mm512_dpbusd_epi32(c[r][0], b0, ar);
      c[r][1] = _mm512_dpbusd_epi32(c[r][1], b1, ar);
    }
  }
  for (int r = 0; r < kMR; ++r) {
    _mm512_storeu_si512(acc + r * kNR, c[r][0]);
    _mm512_storeu_si512(acc + r * kNR + 16, c[r][1]);
  }
}

// The epilogue of qgemm.h's requantize(), 16 lanes at a time, for row-major outputs
// (col_stride 1); bit-exact with the scalar form: float32 product, NaN as 0, clamp to 2^22,
// round half to even (cvtps under the default rounding mode), zero point, saturation.
void store_vnni(const int32_t* acc, int nr, int rows, int cols, int64_t i0, int64_t j0,
                const QOutput& o) {
  if (o.col_stride != 1) {
    qstore_portable(acc, nr, rows, cols, i0, j0, o);
    return;
  }
  const __m512 big = _mm512_set1_ps(4194304.f), small = _mm512_set1_ps(-4194304.f);
  const __m512i zero = _mm512_set1_epi32(static_cast<int32_t>(o.y_zero));
  const __m512i lo = _mm512_set1_epi32(static_cast<int32_t>(o.lo));
  const __m512i hi = _mm512_set1_epi32(static_cast<int32_t>(o.hi));
  for (int r = 0; r < rows; ++r) {
    const int64_t i = i0 + r;
    const __m512i off = _mm512_set1_epi32(o.row_offset[i]);
    const __m512i wz = _mm512_set1_epi32(o.row_zero != nullptr ? o.row_zero[i] : 0);
    const __m512 mul = _mm512_set1_ps(o.row_mul[i]);
    int8_t* dst = static_cast<int8_t*>(o.y) + i * o.row_stride + j0;
    for (int j = 0; j < cols; j += 16) {
      const __mmask16 m = cols - j >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (cols - j)) - 1);
      __m512i a = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, acc + r * nr + j), off);
      if (o.col_sums != nullptr)
        a = _mm512_sub_epi32(
            a, _mm512_mullo_epi32(wz, _mm512_maskz_loadu_epi32(m, o.col_sums + j0 + j)));
      __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(a), mul);
      v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v);
      v = _mm512_min_ps(_mm512_max_ps(v, small), big);
      __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), zero);
      q = _mm512_min_epi32(_mm512_max_epi32(q, lo), hi);
      _mm_mask_storeu_epi8(dst + j, m, _mm512_cvtepi32_epi8(q));
    }
  }
}

const QGemmKernel kVnni{Isa::kAvx512, kMR, kNR, tile_vnni, store_vnni};

}  // namespace

const QGemmKernel* qgemm_kernel_vnni() {
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") ? &kVnni
                                                                                     : nullptr;
}
const QGemmKernel* qgemm_kernel_avx2() { return nullptr; }

}  // namespace detail
}  // namespace odla_ref

#pragma GCC diagnostic pop
#pragma GCC pop_options

#else

namespace odla_ref {
namespace detail {
const QGemmKernel* qgemm_kernel_avx2() { return nullptr; }
const QGemmKernel* qgemm_kernel_vnni() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
