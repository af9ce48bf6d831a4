// N-d max (float32, uint8, int8) / average (float32) pooling, channels first.
#pragma once

#include <cstdint>

namespace odla_ref {

constexpr int kMaxPoolSpatial = 3;

// Only the first `spatial` (1..3) entries of the per-axis arrays are read.
// Output dims are given (ceil_mode already resolved by the caller): windows
// may run past in + pads_back; such taps are skipped.
struct PoolParams {
  int spatial = 2;
  int64_t batch = 1;
  int64_t channels = 0;
  int64_t in_dims[kMaxPoolSpatial] = {1, 1, 1};
  int64_t out_dims[kMaxPoolSpatial] = {1, 1, 1};
  int64_t window[kMaxPoolSpatial] = {1, 1, 1};
  int64_t strides[kMaxPoolSpatial] = {1, 1, 1};
  int64_t dilations[kMaxPoolSpatial] = {1, 1, 1};
  int64_t pads_front[kMaxPoolSpatial] = {0, 0, 0};
  int64_t pads_back[kMaxPoolSpatial] = {0, 0, 0};
  bool count_include_pad = false;  // average pooling only
};

// Max over the window taps inside the input (padding never wins). A window
// with no tap inside the input yields -infinity (the integer types: their lowest value).
void max_pool(const PoolParams& p, const float* input, float* output);
void max_pool(const PoolParams& p, const uint8_t* input, uint8_t* output);
void max_pool(const PoolParams& p, const int8_t* input, int8_t* output);

// Average over the window. Divisor: number of taps inside the input, or, with
// count_include_pad, number of taps inside [-pads_front, in + pads_back)
// (ONNX semantics; taps past the padded end never count). Dilations apply.
// A window with no counted tap yields 0.
void avg_pool(const PoolParams& p, const float* input, float* output);

}  // namespace odla_ref
