// The integer GEMM: packing, the tile loop with its requantizing epilogue, the
// portable micro-kernel and the run-time choice of the kernel.
#include "kernels/qgemm.h"

#include <algorithm>
#include <cstring>

#include "kernels/aligned_buffer.h"
#include "kernels/parallel.h"

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 4, kNR = 8;

// Plain loops the compiler vectorizes for the baseline of the target.
void tile_portable(int64_t kq, const int8_t* __restrict a, const uint8_t* __restrict b,
                   int32_t* __restrict acc) {
  int32_t c[kMR * kNR] = {};
  for (int64_t g = 0; g < kq; ++g, a += kMR * 4, b += kNR * 4) {
    for (int r = 0; r < kMR; ++r) {
      const int32_t a0 = a[r * 4], a1 = a[r * 4 + 1], a2 = a[r * 4 + 2], a3 = a[r * 4 + 3];
      for (int j = 0; j < kNR; ++j)
        c[r * kNR + j] += a0 * b[j * 4] + a1 * b[j * 4 + 1] + a2 * b[j * 4 + 2] +
                          a3 * b[j * 4 + 3];
    }
  }
  std::memcpy(acc, c, sizeof(c));
}

const QGemmKernel kPortable{"portable", kMR,     kNR,     4,       false,
                            tile_portable, qstore_portable, qpack_rows_portable,
                            nullptr, nullptr};

const QGemmKernel& choose() {
  const QGemmKernel* k = qgemm_kernel_amx();
  if (k == nullptr && active_isa() == Isa::kAvx512) k = qgemm_kernel_vnni();
  return k != nullptr ? *k : kPortable;
}

}  // namespace

const QGemmKernel* qgemm_kernel_portable() { return &kPortable; }

const QGemmKernel& qgemm_kernel() {
  static const QGemmKernel& k = choose();
  return k;
}

void qpack_rows_portable(const uint8_t* const* rows, int64_t k, int64_t kq, int64_t j0,
                         int cols, int nr, uint8_t flip, uint8_t xor_out, uint8_t* panel,
                         int32_t* sums) {
  std::memset(panel, 0, static_cast<size_t>(kq * nr * 4));
  for (int64_t kk = 0; kk < k; ++kk) {
    const uint8_t* src = rows[kk] + j0;
    uint8_t* d = panel + (kk / 4) * nr * 4 + kk % 4;
    for (int j = 0; j < cols; ++j) d[j * 4] = src[j] ^ flip ^ xor_out;
  }
  if (sums == nullptr) return;
  for (int j = 0; j < cols; ++j) sums[j] = 0;
  for (int64_t kk = 0; kk < k; ++kk) {
    const uint8_t* src = rows[kk] + j0;
    for (int j = 0; j < cols; ++j) sums[j] += src[j] ^ flip;
  }
}

}  // namespace detail

QPackedA qpack_a(const uint8_t* a, int64_t m, int64_t k, int64_t row_stride, int64_t k_stride,
                 uint8_t flip) {
  const detail::QGemmKernel& kern = detail::qgemm_kernel();
  const int kc = kern.kc;
  const uint8_t xor_out = kern.flipped ? 0x80 : 0;
  QPackedA p;
  p.m = m;
  p.k = k;
  p.kq = (k + kc - 1) / kc * kc / 4;
  p.mr = kern.mr;
  const int64_t blocks = (m + p.mr - 1) / p.mr, block_bytes = p.kq * 4 * p.mr;
  p.data.assign(static_cast<size_t>(blocks * block_bytes), 0);
  p.row_sums.assign(static_cast<size_t>(m), 0);
  for (int64_t i = 0; i < m; ++i) {
    int8_t* dst = p.data.data() + (i / p.mr) * block_bytes + (i % p.mr) * kc;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const uint8_t v = a[i * row_stride + kk * k_stride] ^ flip;
      dst[(kk / kc) * p.mr * kc + kk % kc] = static_cast<int8_t>(v ^ xor_out);
      sum += static_cast<int8_t>(v);
    }
    p.row_sums[static_cast<size_t>(i)] = sum;
  }
  return p;
}

namespace {

// One panel of B columns contiguous in depth (column j at b + j * ld), as QPackRows.
void pack_panel_cols(const uint8_t* b, int64_t ld, int64_t k, int64_t kq, int cols, int nr,
                     uint8_t flip, uint8_t xor_out, uint8_t* __restrict panel,
                     int32_t* __restrict sums) {
  std::memset(panel, 0, static_cast<size_t>(kq * nr * 4));
  for (int j = 0; j < cols; ++j) {
    const uint8_t* src = b + j * ld;
    uint8_t* d = panel + j * 4;
    int32_t s = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const uint8_t v = src[kk] ^ flip;
      d[(kk / 4) * nr * 4 + kk % 4] = v ^ xor_out;
      s += v;
    }
    if (sums != nullptr) sums[j] = s;
  }
}

// The epilogue's per-row terms for a flipped kernel (qgemm.h's identity):
// offset + 128 * sum_k A + 16384 * k, and row_zero + 128 (the -128 * sum_k B
// term joins the row_zero one).
void flipped_terms(const QPackedA& a, const QOutput& out, int32_t* offset, int32_t* zero) {
  const uint32_t kterm = 16384u * static_cast<uint32_t>(a.k);
  for (int64_t i = 0; i < a.m; ++i) {
    offset[i] = static_cast<int32_t>(static_cast<uint32_t>(out.row_offset[i]) +
                                     128u * static_cast<uint32_t>(a.row_sums[i]) + kterm);
    zero[i] = (out.row_zero != nullptr ? out.row_zero[i] : 0) + 128;
  }
}

// Stores a tile whose GEMM columns start at j0, through the column mapping of
// `out` (runs of col_run columns, the first col_keep of each stored).
void store_mapped(const detail::QGemmKernel& kern, const int32_t* acc, int rows, int cols,
                  int64_t i0, int64_t j0, const int32_t* sums, const QOutput& out) {
  uint8_t* y = out.y + i0 * out.row_stride;
  if (out.col_run == 0) {
    kern.store(acc, kern.nr, rows, cols, i0, sums, y + j0 * out.col_stride, out);
    return;
  }
  for (int j = 0; j < cols;) {
    const int64_t run = (j0 + j) / out.col_run, at = (j0 + j) % out.col_run;
    const int len = static_cast<int>(std::min<int64_t>(cols - j, out.col_run - at));
    const int keep = static_cast<int>(std::min<int64_t>(len, std::max<int64_t>(0, out.col_keep - at)));
    if (keep > 0)
      kern.store(acc + j, kern.nr, rows, keep, i0, sums != nullptr ? sums + j : nullptr,
                 y + (run * out.col_keep + at) * out.col_stride, out);
    j += len;
  }
}

// The panel buffer of the calling thread.
uint8_t* thread_panel(size_t bytes) {
  thread_local AlignedBuffer buffer;
  return static_cast<uint8_t*>(buffer.bytes(bytes));
}

// Packed B of all panels a thread may keep (the row-block-major order below).
constexpr size_t kKeptPanelBytes = size_t(1) << 20;

}  // namespace

size_t qgemm_workspace_bytes(int64_t m) {
  return detail::qgemm_kernel().flipped ? static_cast<size_t>(8 * m) : 0;
}

void qgemm(const QPackedA& a, const QSourceB& b, int64_t n, const QOutput& out,
           void* workspace) {
  const detail::QGemmKernel& kern = detail::qgemm_kernel();
  const int mr = kern.mr, nr = kern.nr;
  QOutput o = out;
  if (kern.flipped) {
    int32_t* terms = static_cast<int32_t*>(workspace);
    flipped_terms(a, out, terms, terms + a.m);
    o.row_offset = terms;
    o.row_zero = terms + a.m;
  }
  const bool sums = o.row_zero != nullptr;
  const uint8_t xor_out = kern.flipped ? 0x80 : 0;
  const int64_t row_blocks = (a.m + mr - 1) / mr, panels = (n + nr - 1) / nr;
  const size_t panel_bytes = static_cast<size_t>(a.kq * nr * 4);
  // Panel by panel: consecutive tiles share a B panel, packed once per chunk; chunks of whole
  // panels when there are enough for every thread, else of parts of panels. With few panels
  // (a small output grid, a large A), row block by row block instead: each thread keeps every
  // panel it packed, and A, the larger operand, is read once rather than once per panel.
  const int64_t threads = num_threads(), tile_ops = a.kq * 4 * mr * nr;
  const bool a_major = panels > 1 && panels < 4 * threads &&
                       static_cast<size_t>(panels) * panel_bytes <= kKeptPanelBytes;
  int64_t grain = panels >= 4 * threads ? row_blocks
                  : a_major ? (row_blocks + threads - 1) / threads * panels
                            : std::max<int64_t>(1, row_blocks * panels / (2 * threads));
  grain = std::max(grain, (1 << 16) / std::max<int64_t>(1, tile_ops));
  const int64_t kept = a_major ? panels : 1;
  parallel_for(row_blocks * panels, [&](int64_t t0, int64_t t1) {
    alignas(64) int32_t acc[32 * 64];
    thread_local std::vector<int32_t> col_sums;
    col_sums.resize(static_cast<size_t>(kept * 64));
    uint8_t* panels_buf = thread_panel(static_cast<size_t>(kept) * panel_bytes);
    std::vector<char> packed(static_cast<size_t>(panels), 0);
    int64_t last = -1;
    if (kern.begin != nullptr) kern.begin();
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t p = a_major ? t % panels : t / row_blocks;
      const int64_t rb = a_major ? t / panels : t % row_blocks, j0 = p * nr;
      const int cols = static_cast<int>(std::min<int64_t>(nr, n - j0));
      const int64_t slot = a_major ? p : 0;
      uint8_t* panel = panels_buf + slot * panel_bytes;
      int32_t* cs = col_sums.data() + slot * 64;
      if (a_major ? packed[static_cast<size_t>(p)] == 0 : p != last) {
        int32_t* s = sums ? cs : nullptr;
        if (b.rows != nullptr)
          kern.pack_rows(b.rows, a.k, a.kq, j0, cols, nr, b.flip, xor_out, panel, s);
        else
          pack_panel_cols(b.cols + j0 * b.ld, b.ld, a.k, a.kq, cols, nr, b.flip, xor_out,
                          panel, s);
        packed[static_cast<size_t>(p)] = 1;
        last = p;
      }
      kern.tile(a.kq, a.block(rb), panel, acc);
      const int rows = static_cast<int>(std::min<int64_t>(mr, a.m - rb * mr));
      store_mapped(kern, acc, rows, cols, rb * mr, j0, sums ? cs : nullptr, o);
    }
    if (kern.end != nullptr) kern.end();
  }, grain);
}

namespace {

template <class T>
void store_tile(const int32_t* acc, int nr, int rows, int cols, int64_t i0,
                const int32_t* cs, uint8_t* out, const QOutput& o) {
  for (int r = 0; r < rows; ++r) {
    const int64_t i = i0 + r;
    const uint32_t off = static_cast<uint32_t>(o.row_offset[i]);
    const uint32_t z = cs != nullptr ? static_cast<uint32_t>(o.row_zero[i]) : 0u;
    const float mul = o.row_mul[i];
    const int32_t* a = acc + r * nr;
    T* dst = reinterpret_cast<T*>(out + r * o.row_stride);
    for (int j = 0; j < cols; ++j) {
      const uint32_t c = cs != nullptr ? static_cast<uint32_t>(cs[j]) : 0u;
      const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(a[j]) + off - z * c);
      dst[j * o.col_stride] =
          static_cast<T>(static_cast<int32_t>(requantize(v, mul, o.y_zero, o.lo, o.hi)));
    }
  }
}

}  // namespace

namespace detail {

void qstore_portable(const int32_t* acc, int nr, int rows, int cols, int64_t i0,
                     const int32_t* col_sums, uint8_t* y, const QOutput& out) {
  if (out.y_signed)
    store_tile<int8_t>(acc, nr, rows, cols, i0, col_sums, y, out);
  else
    store_tile<uint8_t>(acc, nr, rows, cols, i0, col_sums, y, out);
}

}  // namespace detail
}  // namespace odla_ref
