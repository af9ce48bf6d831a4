// odla_Resize (float32, N-d) on top of kernels/resize.h.
#include "builder.h"
#include "kernels/resize.h"

namespace odla_rt {
namespace {

odla_ref::CoordMode coord_mode(odla_resize_coordinate_mode m) {
  switch (m) {
    case ODLA_ASSYMMETRIC: return odla_ref::CoordMode::kAsymmetric;
    case ODLA_HALF_PIXEL: return odla_ref::CoordMode::kHalfPixel;
    case ODLA_HALF_PIXEL_TF: return odla_ref::CoordMode::kTfHalfPixelForNN;
    case ODLA_ALIGN_CORNERS: return odla_ref::CoordMode::kAlignCorners;
    case ODLA_PYTORCH_HALF_PIXEL: return odla_ref::CoordMode::kPytorchHalfPixel;
    case ODLA_HALF_PIXEL_SYMMETRIC: return odla_ref::CoordMode::kHalfPixelSymmetric;
    case ODLA_TF_CROP_AND_RESIZE: return odla_ref::CoordMode::kTfCropAndResize;
  }
  fail("unknown coordinate transformation mode");
}

odla_ref::NearestMode nearest_mode(odla_resize_nearest_mode m) {
  switch (m) {
    case ODLA_NEAREST_ROUND_PREFER_FLOOR: return odla_ref::NearestMode::kRoundPreferFloor;
    case ODLA_NEAREST_ROUND_PREFER_CEIL: return odla_ref::NearestMode::kRoundPreferCeil;
    case ODLA_NEAREST_FLOOR: return odla_ref::NearestMode::kFloor;
    case ODLA_NEAREST_CEIL: return odla_ref::NearestMode::kCeil;
  }
  fail("unknown nearest mode");
}

odla_ref::ResizeMode interpolation(odla_interpolation_mode m) {
  switch (m) {
    case ODLA_NEAREST: return odla_ref::ResizeMode::kNearest;
    case ODLA_LINEAR: return odla_ref::ResizeMode::kLinear;
    case ODLA_CUBIC: return odla_ref::ResizeMode::kCubic;
  }
  fail("unknown interpolation mode");
}

struct ResizeSetup {
  odla_ref::ResizeParams params;
  std::vector<float> roi;  // kept alive for params.roi
};

odla_value build_resize(odla_value input, odla_interpolation_mode interp,
                        odla_resize_coordinate_mode mode, odla_uint32 axes_mask,
                        odla_resize_nearest_mode nearest, float cubic_a, bool exclude_outside,
                        float extrapolation, const float* scales, const float* roi,
                        const odla_value_shape& output_dims, const odla_value_id id) {
  odla_value x = operand(input, "input");
  if (x->type.dtype != ODLA_FLOAT32) fail("input must be float32, got " + type_str(x->type));
  const int rank = x->type.rank();
  if (rank < 1 || rank > odla_ref::kMaxResizeRank) fail("input rank must be 1 to 8");
  const Dims out = to_dims(output_dims, "output_dims");
  if (static_cast<int>(out.size()) != rank) fail("output_dims must have the input's rank");
  auto setup = std::make_shared<ResizeSetup>();
  odla_ref::ResizeParams& p = setup->params;
  p.rank = rank;
  p.mode = interpolation(interp);
  p.coord = coord_mode(mode);
  p.nearest = nearest_mode(nearest);
  p.cubic_a = cubic_a;
  p.exclude_outside = exclude_outside;
  p.extrapolation_value = extrapolation;
  for (int d = 0; d < rank; ++d) {
    const int64_t in = x->type.dims[d];
    const bool may_change = axes_mask == 0 || (axes_mask >> (rank - 1 - d)) & 1u;
    if (!may_change && out[d] != in)
      fail("dimension " + std::to_string(d) + " is outside axes_mask but changes size");
    if (in == 0 && out[d] != 0) fail("cannot resize an empty dimension");
    p.in_dims[d] = in;
    p.out_dims[d] = out[d];
    p.scales[d] = scales != nullptr ? scales[d]
                                    : (in == 0 ? 1.f : static_cast<float>(out[d]) / static_cast<float>(in));
    if (!(p.scales[d] > 0)) fail("scales must be positive");
  }
  if (roi != nullptr && p.coord == odla_ref::CoordMode::kTfCropAndResize) {
    setup->roi.assign(roi, roi + 2 * rank);
    p.roi = setup->roi.data();
  }
  Kernel k = [setup](const KernelIO& io) {
    odla_ref::resize(setup->params, io.input<float>(0), io.output<float>(0));
  };
  return add_node("odla_Resize", {x}, TensorType{ODLA_FLOAT32, out}, id, std::move(k));
}

}  // namespace
}  // namespace odla_rt

extern "C" odla_value odla_Resize(odla_value input, odla_interpolation_mode interpolation,
                                  odla_resize_coordinate_mode mode, odla_uint32 axes_mask,
                                  odla_resize_nearest_mode nearest_mode,
                                  odla_float32 cubic_coeff_a, odla_bool exclude_outside,
                                  odla_float32 extrapolation_value, const odla_float32* scales,
                                  const odla_float32* roi, odla_value_shape output_dims,
                                  const odla_value_id value_id) {
  return odla_rt::guard_build(__func__, [&] {
    return odla_rt::build_resize(input, interpolation, mode, axes_mask, nearest_mode,
                                 cubic_coeff_a, exclude_outside != 0, extrapolation_value, scales,
                                 roi, output_dims, value_id);
  });
}
