// The AMX int8 micro-kernel (see qgemm.h): tdpbusd multiplies a 16 x 64 uint8 tile by a
// 16 x 64 int8 tile in VNNI layout ([16 depth groups][16 columns][4]) into 16 x 16 int32
// accumulators, so the kernel computes in the flipped form (A ^ 0x80 as uint8, B ^ 0x80 as
// int8) whose correction terms qgemm folds into the epilogue. A 32 x 32 register tile: four
// accumulator tiles, two A tiles, two B tiles. Compiled for AMX by function attributes,
// whatever the build flags; chosen only when amx_int8_available() (the CPU has AMX-INT8 and
// the OS grants the tile state). The epilogue and the packer are the AVX-512 kernel's.
#include "kernels/qgemm.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define ODLA_AMX __attribute__((target("amx-tile,amx-int8")))

namespace odla_ref {
namespace detail {
namespace {

constexpr int kMR = 32, kNR = 32;
constexpr int kAhead = 2;

// ldtilecfg's operand: palette 1, tiles 0-7 all 16 rows of 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

const TileConfig kConfig;

ODLA_AMX void amx_begin() { _tile_loadconfig(&kConfig); }
ODLA_AMX void amx_end() { _tile_release(); }

// A block: kq / 16 chunks of [32 rows][64 bytes] (tiles 4 and 5 are its rows 0-15 and 16-31);
// B panel: [kq][32][4] (tiles 6 and 7 are columns 0-15 and 16-31 of 16 depth groups, rows of
// the panel 128 bytes apart). Accumulator tiles: 0 = rows 0-15 x columns 0-15, 1 = rows 0-15 x
// columns 16-31, 2 and 3 the same for rows 16-31.
ODLA_AMX void tile_amx(int64_t kq, const int8_t* a, const uint8_t* b, int32_t* acc) {
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  const int8_t* end = a + kq / 16 * kMR * 64;
  for (int64_t c = 0; c < kq / 16; ++c, a += kMR * 64, b += 16 * kNR * 4) {
    // A streams from memory once per panel: fetch the chunk kAhead chunks on
    const int8_t* next = a + kAhead * kMR * 64;
    if (next < end)
      for (int line = 0; line < kMR; ++line) _mm_prefetch(reinterpret_cast<const char*>(next + 64 * line), _MM_HINT_T0);
    _tile_loadd(4, a, 64);
    _tile_loadd(6, b, kNR * 4);
    _tile_loadd(5, a + 16 * 64, 64);
    _tile_loadd(7, b + 64, kNR * 4);
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    _tile_dpbusd(2, 5, 6);
    _tile_dpbusd(3, 5, 7);
  }
  _tile_stored(0, acc, kNR * 4);
  _tile_stored(1, acc + 16, kNR * 4);
  _tile_stored(2, acc + 16 * kNR, kNR * 4);
  _tile_stored(3, acc + 16 * kNR + 16, kNR * 4);
}

}  // namespace

const QGemmKernel* qgemm_kernel_amx() {
  const QGemmKernel* vnni = qgemm_kernel_vnni();
  if (vnni == nullptr || !amx_int8_available()) return nullptr;
  static const QGemmKernel k{"amx",          kMR,           kNR,    64,     true, tile_amx,
                             vnni->store, vnni->pack_rows, amx_begin, amx_end};
  return &k;
}

}  // namespace detail
}  // namespace odla_ref

#else

namespace odla_ref {
namespace detail {
const QGemmKernel* qgemm_kernel_amx() { return nullptr; }
}  // namespace detail
}  // namespace odla_ref

#endif
