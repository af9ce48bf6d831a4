// Integer GEMM for the quantized operators: C[i][j] = sum_k A[i][k] * B[k][j]
// with A int8 (a constant operand, packed once), B uint8 (packed per call, a
// panel at a time, from where the operator keeps it), int32 accumulation
// (wrapping), and a requantizing epilogue that writes uint8/int8 results.
// The operators bring every operand to this canonical form first: an int8
// activation x is read as x ^ 0x80 = x + 128 (its zero point + 128), a uint8
// weight w as w ^ 0x80 = w - 128 (its zero point - 128).
//
// A kernel may compute with its operands in another form (AMX's tdpbusd takes
// the uint8 operand first): with A' = A ^ 0x80 (uint8) and B' = B ^ 0x80
// (int8), sum_k A*B = sum_k A'*B' + 128 * sum_k A - 128 * sum_k B + 16384 * k
// exactly (mod 2^32), which the driver folds into the epilogue's terms, so
// every kernel gives the same int32 sums and the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/isa.h"

namespace odla_ref {

struct QOutput;

namespace detail {

// acc[r * nr + j] = sum_k A(r, k) * B(k, j) over the packed depth 4 * kq
// (overwritten), for one packed A block (mr rows) and one packed B panel (nr
// columns); layouts below.
using QTile = void (*)(int64_t kq, const int8_t* a, const uint8_t* b, int32_t* acc);

// Requantizes one tile's accumulators (acc[r * nr + j], `rows` x `cols` of
// them, GEMM rows i0 + r) into y[r * out.row_stride + j * out.col_stride]
// (see QOutput); col_sums: sum_k B(k, j) of these columns, or null when the
// epilogue has no row_zero term.
using QStore = void (*)(const int32_t* acc, int nr, int rows, int cols, int64_t i0,
                        const int32_t* col_sums, uint8_t* y, const QOutput& out);

// Packs columns [j0, j0 + cols) (cols <= nr) of B(kk, j) = rows[kk][j] into a
// panel [kq][nr][4]: byte (g, j, t) = B(4g + t, j0 + j) ^ flip ^ xor_out, 0 for
// depth >= k or columns >= cols. When sums is given, sums[j] = sum_kk
// (B(kk, j0 + j) ^ flip) for j < cols (the canonical uint8 values).
using QPackRows = void (*)(const uint8_t* const* rows, int64_t k, int64_t kq, int64_t j0,
                           int cols, int nr, uint8_t flip, uint8_t xor_out, uint8_t* panel,
                           int32_t* sums);

struct QGemmKernel {
  const char* name;
  int mr, nr;  // register tile: rows of an A block x columns of a B panel
  // Depth bytes per row of an A chunk (4 or 64, see QPackedA); the packed
  // depth is a multiple of it.
  int kc;
  // Operands in tdpbusd order: A packed as uint8 (A ^ 0x80), B as int8
  // (B ^ 0x80); see the identity above.
  bool flipped;
  QTile tile;
  QStore store;
  QPackRows pack_rows;
  void (*begin)();  // per thread before a run of tiles (null: nothing to do)
  void (*end)();    // and after it
};

// The scalar pieces (every kernel's fallback for what it does not vectorize).
void qstore_portable(const int32_t* acc, int nr, int rows, int cols, int64_t i0,
                     const int32_t* col_sums, uint8_t* y, const QOutput& out);
void qpack_rows_portable(const uint8_t* const* rows, int64_t k, int64_t kq, int64_t j0,
                         int cols, int nr, uint8_t flip, uint8_t xor_out, uint8_t* panel,
                         int32_t* sums);

const QGemmKernel* qgemm_kernel_portable();
const QGemmKernel* qgemm_kernel_vnni();  // AVX-512 VNNI, or null
const QGemmKernel* qgemm_kernel_amx();   // AMX int8 (amx_int8_available()), or null
// The kernel for active_isa(): AMX when amx_int8_available(), VNNI when the
// AVX-512 CPU has it, else portable. Chosen once.
const QGemmKernel& qgemm_kernel();

}  // namespace detail

// The constant int8 operand A [m x k], packed in blocks of mr rows; a block
// is kp / kc chunks, each [mr][kc] bytes (row r's depth c * kc .. c * kc + kc - 1),
// kp = k rounded up to kc; rows past m and depth past k are 0. kc = 4 is the
// [kq][mr][4] layout a broadcasting kernel reads, kc = 64 AMX's 16 x 64 tiles.
// Bytes are in the kernel's form (A ^ 0x80 for a flipped kernel).
struct QPackedA {
  int64_t m = 0, k = 0, kq = 0;  // kq = kp / 4
  int mr = 0;
  std::vector<int8_t> data;
  std::vector<int32_t> row_sums;  // sum_k A[i][k] (canonical int8 values)
  const int8_t* block(int64_t rb) const { return data.data() + rb * kq * mr * 4; }
};

// Packs A(i, kk) = a[i * row_stride + kk * k_stride], each byte xor `flip`
// (0x80 turns uint8 weights w into the int8 w - 128, 0 keeps int8 ones).
QPackedA qpack_a(const uint8_t* a, int64_t m, int64_t k, int64_t row_stride, int64_t k_stride,
                 uint8_t flip);

// Where the GEMM reads B [k x n] (canonical B(kk, j) = byte ^ flip; 0x80 turns
// int8 activations into uint8 ones): rows, when given, are k row pointers with
// B(kk, j) at rows[kk][j]; otherwise B(kk, j) = cols[j * ld + kk] (each column
// contiguous in depth).
struct QSourceB {
  const uint8_t* const* rows = nullptr;
  const uint8_t* cols = nullptr;
  int64_t ld = 0;
  uint8_t flip = 0;
};

// Requantization of the accumulators into the output: with
// a = acc + row_offset[i] - row_zero[i] * sum_k B(k, j) (int32, wrapping; the
// last term only when row_zero is given), element (i, j) of the result,
// y[i * row_stride + j' * col_stride], is
// saturate(nearbyintf((float)a * row_mul[i]) + y_zero) in [lo, hi]
// (int8 when y_signed, else uint8). Output column j' is GEMM column j, or,
// with col_run > 0, j' = (j / col_run) * col_keep + j % col_run, and column j
// is not stored when j % col_run >= col_keep (a GEMM over a padded grid).
struct QOutput {
  uint8_t* y = nullptr;
  bool y_signed = false;
  int64_t row_stride = 0, col_stride = 1;
  int64_t col_run = 0, col_keep = 0;
  const int32_t* row_offset = nullptr;
  const int32_t* row_zero = nullptr;
  const float* row_mul = nullptr;
  float y_zero = 0, lo = 0, hi = 255;
};

// Scratch bytes qgemm needs for an A of m rows (the caller's workspace).
size_t qgemm_workspace_bytes(int64_t m);

// C = A * B (n columns) requantized into `out`. Parallel over tiles (panel by
// panel; each thread packs the panels it works on into its own buffer).
// workspace: qgemm_workspace_bytes(a.m) bytes, 4-byte aligned.
void qgemm(const QPackedA& a, const QSourceB& b, int64_t n, const QOutput& out,
           void* workspace);

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
