// Validation of the geometry of channels-first convolutions and pools, shared
// by the float builders (nn_conv.cc) and the quantized ones (quant.cc).
#pragma once

#include <algorithm>
#include <string>

#include "builder.h"
#include "kernels/conv.h"

namespace odla_rt {

// Checks a channels-first input with 1..3 spatial dims whose element type
// `dtype_ok` accepts (`dtypes` names them in the message); returns the
// number of spatial dims.
inline int spatial_rank(odla_value x, odla_memory_layout layout,
                        bool (*dtype_ok)(odla_element_type), const char* dtypes) {
  if (layout != ODLA_CHANNELS_FIRST) fail("only ODLA_CHANNELS_FIRST input is supported");
  if (!dtype_ok(x->type.dtype))
    fail(std::string("input must be ") + dtypes + ", got " + type_str(x->type));
  const int s = x->type.rank() - 2;
  if (s < 1 || s > 3) fail("input must have rank 3 to 5, got " + type_str(x->type));
  return s;
}

inline bool is_float32(odla_element_type t) { return t == ODLA_FLOAT32; }
inline bool is_max_pool_type(odla_element_type t) {
  return t == ODLA_FLOAT32 || t == ODLA_UINT8 || t == ODLA_INT8;
}

// Reads per-axis parameters; NULL gives `fallback` on every axis.
inline void read_axes(const odla_uint32* src, int n, int64_t fallback, int64_t minimum,
                      int64_t* dst, const char* what) {
  for (int i = 0; i < n; ++i) {
    dst[i] = src != nullptr ? static_cast<int64_t>(src[i]) : fallback;
    if (dst[i] < minimum) fail(std::string(what) + " must be >= " + std::to_string(minimum));
  }
}

// Checks a spatial output extent against the window arithmetic: for conv
// and pooling `lo`..`hi` are the floor / ceil forms, for deconv the range
// that output padding (< stride or dilation) allows.
inline void check_extent(int axis, int64_t out, int64_t lo, int64_t hi) {
  if (out < lo || out > hi || out < 0)
    fail("output extent " + std::to_string(out) + " of spatial axis " + std::to_string(axis) +
         " is inconsistent with the window parameters (expected " + std::to_string(lo) +
         (hi != lo ? ".." + std::to_string(hi) : "") + ")");
}

inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

inline Dims checked_out(const odla_value_shape& output_dims, int rank, int64_t n, int64_t c) {
  const Dims out = to_dims(output_dims, "output_dims");
  if (static_cast<int>(out.size()) != rank || out[0] != n || out[1] != c)
    fail("output_dims " + dims_str(out) + " do not match batch " + std::to_string(n) +
         " and channels " + std::to_string(c));
  return out;
}

// The geometry of a convolution (or, `transposed`, a deconvolution) of input
// dims `in` (s spatial dims) with kernel dims `k` (ODLA_OIS, or ODLA_IOS when
// transposed, of the input's rank: checked by the caller): channel and group
// consistency, per-axis parameters and the output extents. Returns the
// output dims.
inline Dims conv_geometry(bool transposed, const Dims& in, const Dims& k, int s,
                          odla_uint32 group, const odla_uint32* strides,
                          const odla_uint32* dilations, const odla_uint32* pads_front,
                          const odla_uint32* pads_back, const odla_value_shape& output_dims,
                          odla_ref::ConvParams* params) {
  if (group == 0) fail("group must be >= 1");
  odla_ref::ConvParams& p = *params;
  p.spatial = s;
  p.batch = in[0];
  p.in_channels = in[1];
  p.group = group;
  p.out_channels = transposed ? k[1] * group : k[0];
  const int64_t kernel_in = transposed ? k[0] : k[1] * group;
  if (kernel_in != p.in_channels || p.out_channels % group != 0 || p.in_channels % group != 0)
    fail("kernel " + dims_str(k) + " does not fit input " + dims_str(in) + " with group " +
         std::to_string(group));
  const Dims out = checked_out(output_dims, s + 2, p.batch, p.out_channels);
  for (int i = 0; i < s; ++i) {
    p.in_dims[i] = in[i + 2];
    p.out_dims[i] = out[i + 2];
    p.kernel[i] = k[i + 2];
  }
  read_axes(strides, s, 1, 1, p.strides, "strides");
  read_axes(dilations, s, 1, 1, p.dilations, "dilations");
  read_axes(pads_front, s, 0, 0, p.pads_front, "paddings");
  int64_t back[odla_ref::kMaxSpatial];
  read_axes(pads_back, s, 0, 0, back, "paddings");
  for (int i = 0; i < s; ++i) {
    const int64_t span = p.dilations[i] * (p.kernel[i] - 1) + 1;
    if (transposed) {
      const int64_t base = (p.in_dims[i] - 1) * p.strides[i] - p.pads_front[i] - back[i] + span;
      check_extent(i, p.out_dims[i], base, base + std::max(p.strides[i], p.dilations[i]) - 1);
    } else {
      const int64_t e = floor_div(p.in_dims[i] + p.pads_front[i] + back[i] - span, p.strides[i]) + 1;
      check_extent(i, p.out_dims[i], e, e);
    }
  }
  return out;
}

}  // namespace odla_rt
