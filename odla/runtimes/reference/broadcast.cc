#include "broadcast.h"

#include "api.h"

namespace odla_rt {

BroadcastLoop::BroadcastLoop(const Dims& out, const std::vector<Dims>& inputs)
    : operands_(static_cast<int>(inputs.size())), size_(num_elements(out)) {
  if (operands_ > kMaxOperands) fail("too many broadcast operands");
  const int out_rank = static_cast<int>(out.size());
  // Per output dimension: extent and each operand's element stride.
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides(operands_);
  for (int d = 0; d < out_rank; ++d) {
    if (out[d] == 1) continue;
    dims.push_back(out[d]);
    for (int k = 0; k < operands_; ++k) {
      const Dims& in = inputs[k];
      const int shift = out_rank - static_cast<int>(in.size());
      int64_t stride = 0;
      if (d >= shift && in[d - shift] != 1) {
        stride = 1;
        for (size_t e = d - shift + 1; e < in.size(); ++e) stride *= in[e];
      }
      strides[k].push_back(stride);
    }
  }
  if (dims.empty()) {  // scalar result
    dims.push_back(1);
    for (auto& s : strides) s.push_back(0);
  }
  // Merge dimension d into d + 1 when every operand walks them contiguously.
  rank_ = 0;
  for (size_t d = 0; d < dims.size(); ++d) {
    bool merge = rank_ > 0;
    for (int k = 0; k < operands_ && merge; ++k)
      merge = strides[k][rank_ - 1] == strides[k][d] * dims[d];
    if (merge) {
      dims_[rank_ - 1] *= dims[d];
      for (int k = 0; k < operands_; ++k) strides_[k][rank_ - 1] = strides[k][d];
    } else {
      dims_[rank_] = dims[d];
      for (int k = 0; k < operands_; ++k) strides_[k][rank_] = strides[k][d];
      ++rank_;
    }
  }
  for (int k = 0; k < operands_; ++k) inner_strides_[k] = strides_[k][rank_ - 1];
}

}  // namespace odla_rt
