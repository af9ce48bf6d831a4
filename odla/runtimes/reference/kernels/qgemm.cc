// The integer GEMM: packing, the tile loop with its requantizing epilogue, the
// portable micro-kernel and the run-time choice of the kernel.
#include "kernels/qgemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

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

const QGemmKernel kPortable{Isa::kPortable, kMR, kNR, tile_portable, qstore_portable};

const QGemmKernel& choose() {
  const QGemmKernel* k = nullptr;
  const Isa isa = active_isa();
  if (isa == Isa::kAvx512) k = qgemm_kernel_vnni();
  if (k == nullptr && (isa == Isa::kAvx512 || isa == Isa::kAvx2)) k = qgemm_kernel_avx2();
  return k != nullptr ? *k : kPortable;
}

}  // namespace

const QGemmKernel* qgemm_kernel_portable() { return &kPortable; }

const QGemmKernel& qgemm_kernel() {
  static const QGemmKernel& k = choose();
  return k;
}

}  // namespace detail

QPackedA qpack_a(const uint8_t* a, int64_t m, int64_t k, int64_t row_stride, int64_t k_stride,
                 uint8_t flip) {
  const detail::QGemmKernel& kern = detail::qgemm_kernel();
  QPackedA p;
  p.m = m;
  p.k = k;
  p.kq = (k + 3) / 4;
  p.mr = kern.mr;
  const int64_t blocks = (m + p.mr - 1) / p.mr;
  p.data.assign(static_cast<size_t>(blocks * p.kq * p.mr * 4), 0);
  p.row_sums.assign(static_cast<size_t>(m), 0);
  for (int64_t i = 0; i < m; ++i) {
    int8_t* dst = p.data.data() + (i / p.mr) * p.kq * p.mr * 4 + (i % p.mr) * 4;
    int32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int8_t v = static_cast<int8_t>(a[i * row_stride + kk * k_stride] ^ flip);
      dst[(kk / 4) * p.mr * 4 + kk % 4] = v;
      sum += v;
    }
    p.row_sums[static_cast<size_t>(i)] = sum;
  }
  return p;
}

size_t qpacked_b_bytes(int64_t k, int64_t n) {
  const int nr = detail::qgemm_kernel().nr;
  return static_cast<size_t>((n + nr - 1) / nr * nr * ((k + 3) / 4) * 4);
}

namespace {

// One panel of nr columns from a B whose columns are contiguous (k_stride = ld).
template <int NR>
void pack_panel_rows(const uint8_t* b, int64_t k, int64_t ld, int cols, uint8_t flip,
                     uint8_t* __restrict dst) {
  const int64_t kq = (k + 3) / 4;
  for (int64_t g = 0; g < kq; ++g, dst += NR * 4) {
    const uint8_t* rows[4];
    for (int t = 0; t < 4; ++t) rows[t] = 4 * g + t < k ? b + (4 * g + t) * ld : nullptr;
    if (cols == NR && rows[3] != nullptr) {
      const uint8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
      for (int j = 0; j < NR; ++j) {
        dst[j * 4] = r0[j] ^ flip;
        dst[j * 4 + 1] = r1[j] ^ flip;
        dst[j * 4 + 2] = r2[j] ^ flip;
        dst[j * 4 + 3] = r3[j] ^ flip;
      }
      continue;
    }
    std::memset(dst, 0, NR * 4);
    for (int t = 0; t < 4; ++t)
      if (rows[t] != nullptr)
        for (int j = 0; j < cols; ++j) dst[j * 4 + t] = rows[t][j] ^ flip;
  }
}

// One panel from a B whose depth is contiguous (column j at b + j * ld).
void pack_panel_cols(const uint8_t* b, int64_t k, int64_t ld, int nr, int cols, uint8_t flip,
                     uint8_t* __restrict dst) {
  const int64_t kq = (k + 3) / 4, full = k / 4;
  std::memset(dst, 0, static_cast<size_t>(kq * nr * 4));
  for (int j = 0; j < cols; ++j) {
    const uint8_t* src = b + j * ld;
    uint8_t* d = dst + j * 4;
    for (int64_t g = 0; g < full; ++g)
      for (int t = 0; t < 4; ++t) d[g * nr * 4 + t] = src[g * 4 + t] ^ flip;
    for (int64_t kk = full * 4; kk < k; ++kk) d[full * nr * 4 + kk % 4] = src[kk] ^ flip;
  }
}

// Column sums of one packed panel (padding is 0, so the whole depth is summed).
void panel_sums(const uint8_t* __restrict panel, int64_t kq, int nr, int cols,
                int32_t* __restrict sums) {
  int32_t s[64] = {};
  for (int64_t g = 0; g < kq; ++g, panel += nr * 4)
    for (int j = 0; j < nr; ++j)
      s[j] += panel[j * 4] + panel[j * 4 + 1] + panel[j * 4 + 2] + panel[j * 4 + 3];
  for (int j = 0; j < cols; ++j) sums[j] = s[j];
}

}  // namespace

void qpack_b(const uint8_t* b, int64_t k, int64_t n, int64_t k_stride, int64_t col_stride,
             uint8_t flip, uint8_t* dst, int32_t* col_sums) {
  const int nr = detail::qgemm_kernel().nr;
  const int64_t kq = (k + 3) / 4, panels = (n + nr - 1) / nr;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(1, kq * nr * 4));
  parallel_for(panels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t j0 = p * nr;
      const int cols = static_cast<int>(std::min<int64_t>(nr, n - j0));
      uint8_t* d = dst + p * kq * nr * 4;
      if (col_stride == 1 && nr == 8)
        pack_panel_rows<8>(b + j0, k, k_stride, cols, flip, d);
      else if (col_stride == 1 && nr == 16)
        pack_panel_rows<16>(b + j0, k, k_stride, cols, flip, d);
      else if (col_stride == 1 && nr == 32)
        pack_panel_rows<32>(b + j0, k, k_stride, cols, flip, d);
      else if (col_stride == 1)
        std::abort();  // a kernel with another panel width needs a case here
      else
        pack_panel_cols(b + j0 * col_stride, k, col_stride, nr, cols, flip, d);
      if (col_sums != nullptr) panel_sums(d, kq, nr, cols, col_sums + j0);
    }
  }, grain);
}

namespace {

template <class T>
void store_tile(const int32_t* acc, int nr, int rows, int cols, int64_t i0, int64_t j0,
                const QOutput& o) {
  T* y = static_cast<T*>(o.y);
  for (int r = 0; r < rows; ++r) {
    const int64_t i = i0 + r;
    const uint32_t off = static_cast<uint32_t>(o.row_offset[i]);
    const float mul = o.row_mul[i];
    const int32_t* a = acc + r * nr;
    T* dst = y + i * o.row_stride + j0 * o.col_stride;
    if (o.col_sums != nullptr) {
      const uint32_t z = static_cast<uint32_t>(o.row_zero[i]);
      const int32_t* cs = o.col_sums + j0;
      for (int j = 0; j < cols; ++j) {
        const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(a[j]) + off -
                                               z * static_cast<uint32_t>(cs[j]));
        dst[j * o.col_stride] =
            static_cast<T>(static_cast<int32_t>(requantize(v, mul, o.y_zero, o.lo, o.hi)));
      }
    } else {
      for (int j = 0; j < cols; ++j) {
        const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(a[j]) + off);
        dst[j * o.col_stride] =
            static_cast<T>(static_cast<int32_t>(requantize(v, mul, o.y_zero, o.lo, o.hi)));
      }
    }
  }
}

}  // namespace

namespace detail {

void qstore_portable(const int32_t* acc, int nr, int rows, int cols, int64_t i0, int64_t j0,
                     const QOutput& out) {
  if (out.y_signed)
    store_tile<int8_t>(acc, nr, rows, cols, i0, j0, out);
  else
    store_tile<uint8_t>(acc, nr, rows, cols, i0, j0, out);
}

}  // namespace detail

void qgemm(const QPackedA& a, const uint8_t* packed_b, int64_t n, const QOutput& out) {
  const detail::QGemmKernel& kern = detail::qgemm_kernel();
  const int mr = kern.mr, nr = kern.nr;
  const int64_t row_blocks = (a.m + mr - 1) / mr, panels = (n + nr - 1) / nr;
  const int64_t tile_ops = a.kq * 4 * mr * nr;
  const int64_t grain = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, tile_ops));
  // consecutive tiles share a B panel
  parallel_for(row_blocks * panels, [&](int64_t t0, int64_t t1) {
    alignas(64) int32_t acc[16 * 64];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t p = t / row_blocks, rb = t % row_blocks;
      kern.tile(a.kq, a.block(rb), packed_b + p * a.kq * nr * 4, acc);
      const int rows = static_cast<int>(std::min<int64_t>(mr, a.m - rb * mr));
      const int cols = static_cast<int>(std::min<int64_t>(nr, n - p * nr));
      kern.store(acc, nr, rows, cols, rb * mr, p * nr, out);
    }
  }, grain);
}

}  // namespace odla_ref
