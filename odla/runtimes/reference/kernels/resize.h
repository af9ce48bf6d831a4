// N-d resize (ONNX Resize semantics), float32, any layout, rank 1..8.
#pragma once

#include <cstdint>

namespace odla_ref {

constexpr int kMaxResizeRank = 8;

enum class ResizeMode { kNearest, kLinear, kCubic };

// Maps output coordinate x to input coordinate (scale s, input length in,
// output length out; L = s * in is the length the scale implies):
//   kHalfPixel           (x + 0.5) / s - 0.5
//   kHalfPixelSymmetric  half_pixel shifted so the sampled span is centered
//   kPytorchHalfPixel    out > 1 ? (x + 0.5) / s - 0.5 : 0
//   kAlignCorners        L != 1 ? x * (in - 1) / (L - 1) : 0
//   kAsymmetric          x / s
//   kTfHalfPixelForNN    (x + 0.5) / s
//   kTfCropAndResize     from roi (see ResizeParams::roi)
enum class CoordMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNN,
  kTfCropAndResize,
};

// How kNearest turns an input coordinate into an index (then clamped).
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

struct ResizeParams {
  int rank = 4;
  int64_t in_dims[kMaxResizeRank] = {};
  int64_t out_dims[kMaxResizeRank] = {};
  // Per-axis scale used by the coordinate mapping; the caller passes
  // out_dims[i] / in_dims[i] when the model gave sizes.
  float scales[kMaxResizeRank] = {};
  ResizeMode mode = ResizeMode::kNearest;
  CoordMode coord = CoordMode::kHalfPixel;
  NearestMode nearest = NearestMode::kRoundPreferFloor;
  float cubic_a = -0.75f;
  bool exclude_outside = false;     // zero taps outside input, renormalize
  float extrapolation_value = 0.f;  // kTfCropAndResize, outside [0, in-1]
  // kTfCropAndResize only: [start_0..start_{rank-1}, end_0..end_{rank-1}],
  // normalized coordinates. Null means start 0, end 1.
  const float* roi = nullptr;
};

// y[out_dims] = resize(x[in_dims]). Linear and cubic interpolate separably
// over every axis (an axis whose mapping is the identity is copied);
// taps outside the input read the nearest edge value.
void resize(const ResizeParams& p, const float* x, float* y);

}  // namespace odla_ref
