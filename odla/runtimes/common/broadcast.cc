#include "broadcast.h"

#include "api.h"

namespace odla_rt {

BroadcastLoop::BroadcastLoop(const Dims& out, const std::vector<Dims>& inputs) {
  const int out_rank = static_cast<int>(out.size());
  std::vector<Dims> strides(inputs.size(), Dims(out.size(), 0));
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Dims& in = inputs[k];
    const int shift = out_rank - static_cast<int>(in.size());
    if (shift < 0) fail("operand rank exceeds the result rank");
    int64_t stride = 1;
    for (int d = out_rank - 1; d >= shift; --d) {
      strides[k][d] = in[d - shift] == 1 ? 0 : stride;
      stride *= in[d - shift];
    }
  }
  init(out, strides);
}

BroadcastLoop BroadcastLoop::with_strides(const Dims& out, const std::vector<Dims>& strides) {
  BroadcastLoop loop;
  loop.init(out, strides);
  return loop;
}

void BroadcastLoop::init(const Dims& out, const std::vector<Dims>& strides) {
  operands_ = static_cast<int>(strides.size());
  size_ = num_elements(out);
  if (operands_ > kMaxOperands) fail("too many broadcast operands");
  // Drop extent-1 dimensions, then merge dimension d into the previous one
  // when every operand walks both contiguously.
  rank_ = 0;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    bool merge = rank_ > 0;
    for (int k = 0; k < operands_ && merge; ++k)
      merge = strides_[k][rank_ - 1] == strides[k][d] * out[d];
    if (merge) {
      dims_[rank_ - 1] *= out[d];
      for (int k = 0; k < operands_; ++k) strides_[k][rank_ - 1] = strides[k][d];
    } else {
      dims_[rank_] = out[d];
      for (int k = 0; k < operands_; ++k) strides_[k][rank_] = strides[k][d];
      ++rank_;
    }
  }
  if (rank_ == 0) {  // a single element
    rank_ = 1;
    dims_[0] = 1;
    for (int k = 0; k < operands_; ++k) strides_[k][0] = 0;
  }
  for (int k = 0; k < operands_; ++k) inner_strides_[k] = strides_[k][rank_ - 1];
}

}  // namespace odla_rt
