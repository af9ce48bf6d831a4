// GEMM panel sources for convolution (internal; used by conv()).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv_geometry.h"
#include "kernels/gemm_panels.h"

namespace odla_ref {
namespace detail {

// The im2col matrix of one group, B[c * taps + tap, output position] over
// the input planes at x, packed into GEMM panels without materializing it.
// Works for any geometry; a panel's output positions split into runs along
// output rows, and each run of each B row is a zero / copy / zero triple.
class Im2colPanels final : public PanelSource {
 public:
  Im2colPanels(const Geometry3& g, const float* x) : g_(g), x_(x) {}
  void pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
            float* dst) const override;

 private:
  struct RowTap {  // one row of B: input plane, tap offsets, valid ox range
    const float* plane;
    int64_t dz, dy, offx, lo, hi;
  };
  struct Run {  // panel columns [c, c+len) = output row positions ox...
    int64_t c, len, ox, iz0, iy0;
  };
  RowTap row_tap(int64_t row) const;
  void fill_run(const Run& run, const RowTap& t, float* d) const;

  Geometry3 g_;
  const float* x_;
};

// B[k, j] = base[offsets[k] + j]: every row is a contiguous slice of one
// buffer (the stride-1 convolution over a zero-padded input, see conv.cc).
class ShiftedPanels final : public PanelSource {
 public:
  ShiftedPanels(const float* base, std::vector<int64_t> offsets)
      : base_(base), offsets_(std::move(offsets)) {}
  void pack(int64_t k0, int64_t kc, int64_t j0, int64_t nc, int nr,
            float* dst) const override;

 private:
  const float* base_;
  std::vector<int64_t> offsets_;
};

}  // namespace detail
}  // namespace odla_ref
