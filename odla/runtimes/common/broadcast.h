// Strided iteration over an output shape with up to three inputs broadcast
// into it (numpy rules). Dimensions of extent 1 are dropped and adjacent
// dimensions that are contiguous for every operand are merged, so same-shape
// operands become one row with stride 1 and scalars one row with stride 0.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph.h"

namespace odla_rt {

class BroadcastLoop {
 public:
  static constexpr int kMaxOperands = 3;

  BroadcastLoop(const Dims& out, const std::vector<Dims>& inputs);

  // Iteration with explicit per-operand element strides for every output
  // dimension (any sign; 0 repeats), e.g. for transposes and slices.
  static BroadcastLoop with_strides(const Dims& out, const std::vector<Dims>& strides);

  int64_t size() const { return size_; }

  // Calls row(out_pos, length, offsets, strides) for consecutive rows that
  // cover output elements [begin, end): output element out_pos + j reads
  // input k at offsets[k] + j * strides[k].
  template <class F>
  void for_rows(int64_t begin, int64_t end, F&& row) const {
    if (begin >= end) return;
    const int r = rank_;
    const int64_t inner = dims_[r - 1];
    int64_t coord[ODLA_MAX_DIMENSION];
    int64_t offset[kMaxOperands] = {0, 0, 0};
    int64_t rest = begin / inner;
    for (int d = r - 2; d >= 0; --d) {
      coord[d] = rest % dims_[d];
      rest /= dims_[d];
      for (int k = 0; k < operands_; ++k) offset[k] += coord[d] * strides_[k][d];
    }
    int64_t pos = begin;
    int64_t in_row = begin % inner;
    const int64_t* inner_strides = inner_strides_;
    while (pos < end) {
      const int64_t len = std::min(inner - in_row, end - pos);
      int64_t row_offset[kMaxOperands];
      for (int k = 0; k < operands_; ++k)
        row_offset[k] = offset[k] + in_row * inner_strides[k];
      row(pos, len, static_cast<const int64_t*>(row_offset), inner_strides);
      pos += len;
      in_row = 0;
      for (int d = r - 2; d >= 0; --d) {  // odometer over the outer dims
        for (int k = 0; k < operands_; ++k) offset[k] += strides_[k][d];
        if (++coord[d] < dims_[d]) break;
        for (int k = 0; k < operands_; ++k) offset[k] -= coord[d] * strides_[k][d];
        coord[d] = 0;
      }
    }
  }

 private:
  BroadcastLoop() = default;
  void init(const Dims& out, const std::vector<Dims>& strides);

  int rank_ = 1;
  int operands_ = 0;
  int64_t size_ = 0;
  int64_t dims_[ODLA_MAX_DIMENSION] = {1};
  int64_t strides_[kMaxOperands][ODLA_MAX_DIMENSION] = {};
  int64_t inner_strides_[kMaxOperands] = {0, 0, 0};
};

}  // namespace odla_rt
