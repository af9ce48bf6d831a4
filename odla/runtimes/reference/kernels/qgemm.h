// Integer GEMM for the quantized operators: C[i][j] = sum_k A[i][k] * B[k][j]
// with A int8 (a constant operand, packed once), B uint8 (packed per call),
// int32 accumulation (wrapping), and a requantizing epilogue that writes
// uint8/int8 results. The operators bring every operand to this form first:
// an int8 activation x is read as x ^ 0x80 = x + 128 (its zero point + 128),
// a uint8 weight w as w ^ 0x80 = w - 128 (its zero point - 128).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/isa.h"

namespace odla_ref {
namespace detail {

// acc[r * nr + j] = sum over kq groups g of sum_t a[(g * mr + r) * 4 + t] *
// b[(g * nr + j) * 4 + t] (overwritten). a: one packed A block, b: one packed B
// panel (see below).
using QTile = void (*)(int64_t kq, const int8_t* a, const uint8_t* b, int32_t* acc);

}  // namespace detail

struct QOutput;

namespace detail {

// Requantizes one tile's accumulators (acc[r * nr + j], `rows` x `cols` of them) into the
// output at row i0, column j0 (see QOutput).
using QStore = void (*)(const int32_t* acc, int nr, int rows, int cols, int64_t i0, int64_t j0,
                        const QOutput& out);

struct QGemmKernel {
  Isa isa;
  int mr, nr;  // register tile: rows of an A block x columns of a B panel
  QTile tile;
  QStore store;
};

// The scalar epilogue (every kernel's fallback for tiles it does not vectorize).
void qstore_portable(const int32_t* acc, int nr, int rows, int cols, int64_t i0, int64_t j0,
                     const QOutput& out);

const QGemmKernel* qgemm_kernel_portable();
const QGemmKernel* qgemm_kernel_avx2();
const QGemmKernel* qgemm_kernel_vnni();  // AVX-512 VNNI
// The kernel for active_isa() (VNNI when the AVX-512 CPU has it).
const QGemmKernel& qgemm_kernel();

}  // namespace detail

// The constant int8 operand A [m x k], packed in blocks of mr rows, each
// [kq][mr][4] bytes (kq = ceil(k / 4); rows past m and depth past k are 0).
struct QPackedA {
  int64_t m = 0, k = 0, kq = 0;
  int mr = 0;
  std::vector<int8_t> data;
  std::vector<int32_t> row_sums;  // sum_k A[i][k]
  const int8_t* block(int64_t rb) const { return data.data() + rb * kq * mr * 4; }
};

// Packs A(i, kk) = a[i * row_stride + kk * k_stride], each byte xor `flip`
// (0x80 turns uint8 weights w into the int8 w - 128, 0 keeps int8 ones).
QPackedA qpack_a(const uint8_t* a, int64_t m, int64_t k, int64_t row_stride, int64_t k_stride,
                 uint8_t flip);

// Bytes of the packed form of B [k x n] (panels of nr columns, each
// [kq][nr][4] bytes), for qpack_b's dst.
size_t qpacked_b_bytes(int64_t k, int64_t n);
// Packs B(kk, j) = b[kk * k_stride + j * col_stride] xor `flip` (0x80 turns
// int8 activations into uint8 ones); one of the strides must be 1. When
// col_sums is given it receives sum_k B(kk, j) for every j < n. Parallel.
void qpack_b(const uint8_t* b, int64_t k, int64_t n, int64_t k_stride, int64_t col_stride,
             uint8_t flip, uint8_t* dst, int32_t* col_sums);

// Requantization of the accumulators into the output: with
// a = acc + row_offset[i] - row_zero[i] * col_sums[j] (int32, wrapping; the
// last term only when col_sums is given), element (i, j) of the result,
// y[i * row_stride + j * col_stride], is
// saturate(nearbyintf((float)a * row_mul[i]) + y_zero) in [lo, hi]
// (int8 when y_signed, else uint8).
struct QOutput {
  void* y = nullptr;
  bool y_signed = false;
  int64_t row_stride = 0, col_stride = 1;
  const int32_t* row_offset = nullptr;
  const int32_t* row_zero = nullptr;
  const int32_t* col_sums = nullptr;
  const float* row_mul = nullptr;
  float y_zero = 0, lo = 0, hi = 255;
};

// C = A * B for the packed A and packed B (n columns), requantized into
// `out`. Parallel over tiles.
void qgemm(const QPackedA& a, const uint8_t* packed_b, int64_t n, const QOutput& out);

// One requantized value (the scalar form of the epilogue; bit-exact with it).
inline float requantize(int32_t acc, float mul, float y_zero, float lo, float hi) {
  float v = static_cast<float>(acc) * mul;
  v = v == v ? v : 0.f;  // NaN (0 * inf) counts as 0
  // |v| > 2^22 saturates anyway; the clamp keeps the rounding below exact
  v = v > 4194304.f ? 4194304.f : v;
  v = v < -4194304.f ? -4194304.f : v;
  v = (v + 12582912.f) - 12582912.f;  // round half to even (default rounding mode)
  v = v + y_zero;
  v = v < lo ? lo : v;
  return v > hi ? hi : v;
}

}  // namespace odla_ref
