// int8 kernels for x86: the AVX-512 VNNI GEMM micro-kernel (vpdpbusd: four u8 x s8 products
// summed into each int32 lane, exact), a vectorized requantizing epilogue and an AVX2 panel
// packer, which the AMX kernel (qgemm_amx.cc) shares (see qgemm.h), and the elementwise
// operators (see qlinear.h). Compiled for those instructions by the target pragma below,
// whatever the build flags; only chosen when the CPU has them.
#include "kernels/qgemm.h"
#include "kernels/qlinear.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <cmath>
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
// (col_stride 1); bit-exact with the scalar form. With a finite multiplier the product is never
// NaN, and since rounding is monotone and fixes integers, clamping the product to
// [lo - y_zero, hi - y_zero] before rounding (cvtps under the default rounding mode: half to
// even) equals the scalar clamp to +-2^22, rounding, adding y_zero and saturating. A row whose
// multiplier is not finite takes the scalar form.
void store_avx512(const int32_t* acc, int nr, int rows, int cols, int64_t i0,
                  const int32_t* col_sums, uint8_t* y, const QOutput& o) {
  constexpr int kMaxVectors = 4;
  if (o.col_stride != 1 || cols > 16 * kMaxVectors) {
    qstore_portable(acc, nr, rows, cols, i0, col_sums, y, o);
    return;
  }
  const __m512i zero = _mm512_set1_epi32(static_cast<int32_t>(o.y_zero));
  const __m512 lo = _mm512_set1_ps(o.lo - o.y_zero), hi = _mm512_set1_ps(o.hi - o.y_zero);
  // the column sums once per tile, and 128 times them: the flipped AMX kernel's row_zero is
  // 128 + the weights' zero point, so 128 on every row of symmetric weights (no multiply)
  const int vectors = (cols + 15) / 16;
  __m512i cs[kMaxVectors], cs128[kMaxVectors];
  __mmask16 mask[kMaxVectors];
  for (int v = 0; v < vectors; ++v) {
    const int left = cols - 16 * v;
    mask[v] = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
    cs[v] = col_sums != nullptr ? _mm512_maskz_loadu_epi32(mask[v], col_sums + 16 * v)
                                : _mm512_setzero_si512();
    cs128[v] = _mm512_slli_epi32(cs[v], 7);
  }
  for (int r = 0; r < rows; ++r) {
    const int64_t i = i0 + r;
    if (!std::isfinite(o.row_mul[i])) {
      qstore_portable(acc + r * nr, nr, 1, cols, i, col_sums, y + r * o.row_stride, o);
      continue;
    }
    const __m512i off = _mm512_set1_epi32(o.row_offset[i]);
    const int32_t z = col_sums != nullptr ? o.row_zero[i] : 0;
    const __m512i wz = _mm512_set1_epi32(z);
    const __m512 mul = _mm512_set1_ps(o.row_mul[i]);
    uint8_t* dst = y + r * o.row_stride;
    for (int v = 0; v < vectors; ++v) {
      __m512i a = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask[v], acc + r * nr + 16 * v), off);
      if (z == 128)
        a = _mm512_sub_epi32(a, cs128[v]);
      else if (z != 0)
        a = _mm512_sub_epi32(a, _mm512_mullo_epi32(wz, cs[v]));
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(a), mul);
      f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
      const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(f), zero);
      _mm_mask_storeu_epi8(dst + 16 * v, mask[v], _mm512_cvtepi32_epi8(q));
    }
  }
}

// Row kk of B (the `cols` bytes from column j0 that mask m selects, xor flip, the others 0),
// or zeros past the depth. The masked load reads no byte past the columns.
inline __m256i load_row(const uint8_t* const* rows, int64_t kk, int64_t k, int64_t j0,
                        __m256i flip, __mmask32 m) {
  if (kk >= k) return _mm256_setzero_si256();
  return _mm256_maskz_mov_epi8(
      m, _mm256_xor_si256(_mm256_maskz_loadu_epi8(m, rows[kk] + j0), flip));
}

// qpack_rows_portable for 32-column panels: per depth group, four rows of up to 32 bytes
// interleaved into [32][4] by unpacking bytes, then 16-bit pairs (within 128-bit lanes),
// then reordering the lanes: out[i] holds columns 8i .. 8i + 7 (those past `cols` zero).
void pack_rows_avx2(const uint8_t* const* rows, int64_t k, int64_t kq, int64_t j0, int cols,
                    int nr, uint8_t flip, uint8_t xor_out, uint8_t* panel, int32_t* sums) {
  if (nr != 32) {
    qpack_rows_portable(rows, k, kq, j0, cols, nr, flip, xor_out, panel, sums);
    return;
  }
  const __mmask32 m = cols >= 32 ? ~__mmask32(0) : (__mmask32(1) << cols) - 1;
  const __m256i f = _mm256_set1_epi8(static_cast<char>(flip));
  const __m256i x = _mm256_set1_epi8(static_cast<char>(xor_out));
  const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
  __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                  _mm256_setzero_si256()};
  for (int64_t g = 0; g < kq; ++g, panel += 128) {
    if (4 * g >= k) {
      std::memset(panel, 0, 128);
      continue;
    }
    const __m256i r0 = load_row(rows, 4 * g, k, j0, f, m);
    const __m256i r1 = load_row(rows, 4 * g + 1, k, j0, f, m);
    const __m256i r2 = load_row(rows, 4 * g + 2, k, j0, f, m);
    const __m256i r3 = load_row(rows, 4 * g + 3, k, j0, f, m);
    const __m256i lo01 = _mm256_unpacklo_epi8(r0, r1), hi01 = _mm256_unpackhi_epi8(r0, r1);
    const __m256i lo23 = _mm256_unpacklo_epi8(r2, r3), hi23 = _mm256_unpackhi_epi8(r2, r3);
    const __m256i q0 = _mm256_unpacklo_epi16(lo01, lo23), q1 = _mm256_unpackhi_epi16(lo01, lo23);
    const __m256i q2 = _mm256_unpacklo_epi16(hi01, hi23), q3 = _mm256_unpackhi_epi16(hi01, hi23);
    const __m256i out[4] = {
        _mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q2, q3, 0x20),
        _mm256_permute2x128_si256(q0, q1, 0x31), _mm256_permute2x128_si256(q2, q3, 0x31)};
    for (int i = 0; i < 4; ++i) {
      const __mmask8 mi = static_cast<__mmask8>(m >> (8 * i) & 0xFF);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(panel + 32 * i),
                          _mm256_maskz_mov_epi32(mi, _mm256_xor_si256(out[i], x)));
      if (sums != nullptr)
        s[i] = _mm256_add_epi32(s[i], _mm256_madd_epi16(_mm256_maddubs_epi16(out[i], ones8),
                                                         ones16));
    }
  }
  if (sums != nullptr)
    for (int i = 0; i < 4; ++i) _mm256_storeu_si256(reinterpret_cast<__m256i*>(sums + 8 * i), s[i]);
}

// 16 bytes (uint8 or int8) as floats; masked loads read only the first n.
inline __m512 load_q8(const uint8_t* p, bool is_signed, __mmask16 m) {
  const __m128i v = m == 0xFFFF ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))
                                : _mm_maskz_loadu_epi8(m, p);
  return _mm512_cvtepi32_ps(is_signed ? _mm512_cvtepi8_epi32(v) : _mm512_cvtepu8_epi32(v));
}

// The common tail of the quantizing operators, on v = the value before rounding: NaN to 0
// (so to the zero point), then, as in store_avx512, a clamp to [lo - zero, hi - zero] before
// rounding half to even (cvtps) and adding the zero point, which equals the scalar clamp to
// +-2^22, rounding, zero point and saturation; stored as bytes.
inline void store_quantized(__m512 v, __m512 zero, __m512 lo, __m512 hi, uint8_t* y,
                            __mmask16 m) {
  v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v);
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_sub_ps(lo, zero)), _mm512_sub_ps(hi, zero));
  const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_cvtps_epi32(zero));
  if (m == 0xFFFF)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y), _mm512_cvtepi32_epi8(q));
  else
    _mm_mask_storeu_epi8(y, m, _mm512_cvtepi32_epi8(q));
}

// Whether x / s may be computed as divide(x, s, 1 / s): s and its reciprocal normal floats.
inline bool reciprocal_ok(float s) {
  const float r = 1.f / s;
  return std::isnormal(s) && std::isnormal(r);
}

// x / s, correctly rounded, without a division (vdivps is the bottleneck of these loops):
// q = x * r with r = RN(1 / s) is within an ulp of x / s, its remainder x - q * s is exact with
// a fused multiply-add, and q + remainder * r rounds to RN(x / s) (Markstein's theorem). q is
// first clamped to +-2^23 (a quotient that large saturates anyway) so that no infinity meets
// the remainder; NaN stays NaN (the min/max order).
inline __m512 divide(__m512 x, __m512 s, __m512 r) {
  const __m512 big = _mm512_set1_ps(8388608.f);
  __m512 q = _mm512_mul_ps(x, r);
  q = _mm512_max_ps(_mm512_sub_ps(_mm512_setzero_ps(), big), _mm512_min_ps(big, q));
  return _mm512_fmadd_ps(_mm512_fnmadd_ps(q, s, x), r, q);
}

inline __mmask16 tail_mask(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
}

void add_avx512(const QAddParams& p, const uint8_t* a, bool a_signed, const uint8_t* b,
                bool b_signed, uint8_t* y, int64_t n) {
  const __m512 as = _mm512_set1_ps(p.as), az = _mm512_set1_ps(p.az);
  const __m512 bs = _mm512_set1_ps(p.bs), bz = _mm512_set1_ps(p.bz);
  const __m512 ys = _mm512_set1_ps(p.ys), yz = _mm512_set1_ps(p.yz);
  const __m512 lo = _mm512_set1_ps(p.lo), hi = _mm512_set1_ps(p.hi);
  const bool fast = reciprocal_ok(p.ys);
  const __m512 yr = _mm512_set1_ps(1.f / p.ys);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512 fa = _mm512_mul_ps(_mm512_sub_ps(load_q8(a + i, a_signed, m), az), as);
    const __m512 fb = _mm512_mul_ps(_mm512_sub_ps(load_q8(b + i, b_signed, m), bz), bs);
    __m512 v = _mm512_add_ps(fa, fb);
    if (p.relu) v = _mm512_max_ps(_mm512_setzero_ps(), v);
    store_quantized(fast ? divide(v, ys, yr) : _mm512_div_ps(v, ys), yz, lo, hi, y + i, m);
  }
}

void quantize_avx512(const float* x, float scale, float zero, uint8_t* y, bool y_signed,
                     int64_t n) {
  const __m512 s = _mm512_set1_ps(scale), z = _mm512_set1_ps(zero);
  const __m512 lo = _mm512_set1_ps(y_signed ? -128.f : 0.f);
  const __m512 hi = _mm512_set1_ps(y_signed ? 127.f : 255.f);
  const bool fast = reciprocal_ok(scale);
  const __m512 r = _mm512_set1_ps(1.f / scale);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    store_quantized(fast ? divide(v, s, r) : _mm512_div_ps(v, s), z, lo, hi, y + i, m);
  }
}

void dequantize_avx512(const uint8_t* x, bool x_signed, int32_t zero, float scale, float* y,
                       int64_t n) {
  const __m512i z = _mm512_set1_epi32(zero);
  const __m512 s = _mm512_set1_ps(scale);
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = tail_mask(n - i);
    const __m128i v = _mm_maskz_loadu_epi8(m, x + i);
    const __m512i q = x_signed ? _mm512_cvtepi8_epi32(v) : _mm512_cvtepu8_epi32(v);
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, z)), s));
  }
}

const QElementwise kElementwise{add_avx512, quantize_avx512, dequantize_avx512};

const QGemmKernel kVnni{"avx512-vnni", kMR,         kNR,           4,       false,
                        tile_vnni,     store_avx512, pack_rows_avx2, nullptr, nullptr};

}  // namespace

const QGemmKernel* qgemm_kernel_vnni() {
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") ? &kVnni
                                                                                     : nullptr;
}

const QElementwise* qelementwise_avx512() {
  static const bool ok = active_isa() == Isa::kAvx512 && __builtin_cpu_supports("avx512bw");
  return ok ? &kElementwise : nullptr;
}

}  // namespace detail
}  // namespace odla_ref

#pragma GCC diagnostic pop
#pragma GCC pop_options

#else

namespace odla_ref {
namespace detail {
const QGemmKernel* qgemm_kernel_vnni() { return nullptr; }
const QElementwise* qelementwise_avx512() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
