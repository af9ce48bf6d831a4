/* HALO extensions: operators the ONNX conformance suite needs beyond the
 * ODLA 0.5 set (scatter-ND, cumulative product, bit casts, determinants,
 * grid sampling, RoI align). Builders return NULL on invalid operands (see
 * odla_GetLastErrorMessage). */
#ifndef ODLA_OPS_ODLA_OPS_EXT_H_
#define ODLA_OPS_ODLA_OPS_EXT_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>
#include <ODLA/ops/odla_ops_process.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ONNX ScatterND: a copy of `input` where input[indices[i..]] (a slice when
 * the index depth is below the rank) is replaced by, or combined by
 * `reduction` with, updates[i..]. Updates apply in row-major order. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ScatterND(
    odla_value input, odla_value indices, odla_value updates,
    odla_scatter_reduction reduction, odla_value_shape output_dims,
    const odla_value_id value_id);

/* Cumulative product along `axis` (ONNX CumProd); `exclusive` starts with 1,
 * `reverse` accumulates from the end. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_CumProd(odla_value input, odla_int32 axis, odla_bool exclusive,
             odla_bool reverse, const odla_value_id value_id);

/* The bytes of `input` read as `target_type` (same element size). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_BitCast(odla_value input, odla_element_type target_type,
             const odla_value_id value_id);

/* Determinants of the square matrices in the last two dimensions. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Det(odla_value input, const odla_value_id value_id);

/* How odla_GridSample reads positions outside the input. */
typedef enum {
  ODLA_GRID_PAD_ZEROS,     /* zero */
  ODLA_GRID_PAD_BORDER,    /* the nearest border element */
  ODLA_GRID_PAD_REFLECTION /* mirrored at the borders */
} odla_grid_padding;

/* ONNX GridSample: input [N, C, D1..Dr] sampled at grid [N, O1..Or, r]
 * (normalized coordinates in [-1, 1], innermost dimension first) with
 * nearest, linear or cubic (a = -0.75) interpolation; result [N, C, O1..Or]. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_GridSample(
    odla_value input, odla_value grid, odla_interpolation_mode mode,
    odla_grid_padding padding, odla_bool align_corners,
    odla_value_shape output_dims, const odla_value_id value_id);

/* ONNX RoiAlign on NCHW input: rois [R, 4] (x1, y1, x2, y2 in input
 * coordinates times spatial_scale), batch_indices [R]; result
 * [R, C, output_height, output_width]. sampling_ratio 0 picks ceil(bin size)
 * samples per bin; half_pixel shifts coordinates by -0.5. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_RoiAlign(
    odla_value input, odla_value rois, odla_value batch_indices,
    odla_bool max_mode, odla_uint32 output_height, odla_uint32 output_width,
    odla_uint32 sampling_ratio, odla_float32 spatial_scale,
    odla_bool half_pixel, odla_value_shape output_dims,
    const odla_value_id value_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_EXT_H_ */
