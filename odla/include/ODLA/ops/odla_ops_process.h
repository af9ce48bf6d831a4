/* ODLA data-movement operators: reshape, transpose, concat, slice, pad,
 * gather/scatter, tile, broadcast, cast, resize. They accept every element
 * type (resize: float32). Builders return NULL on invalid operands (see
 * odla_GetLastErrorMessage). */
#ifndef ODLA_OPS_ODLA_OPS_PROCESS_H_
#define ODLA_OPS_ODLA_OPS_PROCESS_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ODLA_NEAREST,
  ODLA_LINEAR, /* N-linear */
  ODLA_CUBIC   /* N-cubic */
} odla_interpolation_mode;

/* How an output coordinate x maps to an input coordinate (scale s). The
 * first four follow ODLA 0.5 (ODLA_ASSYMMETRIC keeps its spelling); the rest
 * are HALO additions. */
typedef enum {
  ODLA_ASSYMMETRIC,          /* x / s */
  ODLA_HALF_PIXEL,           /* (x + 0.5) / s - 0.5 */
  ODLA_HALF_PIXEL_TF,        /* (x + 0.5) / s: ONNX tf_half_pixel_for_nn */
  ODLA_ALIGN_CORNERS,        /* x * (in - 1) / (out - 1) */
  ODLA_PYTORCH_HALF_PIXEL,   /* out > 1 ? (x + 0.5) / s - 0.5 : 0 */
  ODLA_HALF_PIXEL_SYMMETRIC, /* ONNX half_pixel_symmetric */
  ODLA_TF_CROP_AND_RESIZE    /* ONNX tf_crop_and_resize, uses roi */
} odla_resize_coordinate_mode;

/* HALO addition: rounding of ODLA_NEAREST coordinates. */
typedef enum {
  ODLA_NEAREST_ROUND_PREFER_FLOOR,
  ODLA_NEAREST_ROUND_PREFER_CEIL,
  ODLA_NEAREST_FLOOR,
  ODLA_NEAREST_CEIL
} odla_resize_nearest_mode;

/* HALO addition: how odla_Pad fills the border. */
typedef enum {
  ODLA_PAD_CONSTANT,
  ODLA_PAD_REFLECT, /* mirror without repeating the edge element */
  ODLA_PAD_EDGE,    /* repeat the edge element */
  ODLA_PAD_WRAP     /* periodic */
} odla_pad_mode;

/* HALO addition: how odla_ScatterElements combines an update with the data. */
typedef enum {
  ODLA_SCATTER_NONE, /* overwrite */
  ODLA_SCATTER_ADD,
  ODLA_SCATTER_MUL,
  ODLA_SCATTER_MAX,
  ODLA_SCATTER_MIN
} odla_scatter_reduction;

/* Same data, new shape (same element count). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Reshape(odla_value input, odla_value_shape output_dims,
             const odla_value_id value_id);

/* Output dimension i is input dimension permutations.dims[i]. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Transpose(odla_value input, odla_value_shape permutations,
               odla_value_shape output_dims, const odla_value_id value_id);

/* Joins inputs of one element type along `axis` (negative counts from the
 * back). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Concat(odla_values inputs, odla_int32 axis, odla_value_shape output_shape,
            const odla_value_id value_id);

/* Per dimension d: elements start[d], start[d] + stride[d], ... up to but
 * excluding end[d]. Values are already clamped to the dimension; stride may
 * be negative, and then end[d] == -1 means "through index 0". */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Slice(odla_value input, const odla_int32* start, const odla_int32* end,
           const odla_int32* stride, odla_value_shape output_dims,
           const odla_value_id value_id);

/* Pads each dimension by padding_front[d] / padding_back[d] elements. HALO
 * change: `mode` and `constant_value` (used by ODLA_PAD_CONSTANT, converted to
 * the element type) come before output_dims. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Pad(odla_value input, const odla_uint32* padding_front,
         const odla_uint32* padding_back, odla_pad_mode mode,
         odla_float32 constant_value, odla_value_shape output_dims,
         const odla_value_id value_id);

/* Repeats the input repeat[d] times along each dimension d. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Tile(odla_value input, const odla_uint32* repeat,
          odla_value_shape output_dims, const odla_value_id value_id);

/* Broadcasts the input to output_dims (numpy broadcast_to). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ExpandDims(odla_value input, odla_value_shape output_dims,
                const odla_value_id value_id);

/* Converts elements: float to integer truncates toward zero (saturating),
 * anything to ODLA_BOOL tests != 0, float16 conversions round to nearest
 * even. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Cast(odla_value input, odla_element_type target_type,
          const odla_value_id value_id);

/* Takes slices along `axis` at `indices` (ODLA_INT32 / ODLA_INT64, negative
 * counts from the back); output shape is input[:axis] + indices +
 * input[axis+1:]. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Gather(odla_value input, odla_value indices, odla_int32 axis,
            odla_value_shape output_dims, const odla_value_id value_id);

/* out[i..] = input[i.. with dimension `axis` replaced by indices[i..]]. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_GatherElements(odla_value input, odla_value indices, odla_int32 axis,
                    odla_value_shape output_dims, const odla_value_id value_id);

/* ONNX GatherND with `num_batch_dims` leading batch dimensions. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_GatherND(odla_value input, odla_value indices, odla_int32 num_batch_dims,
              odla_value_shape output_dims, const odla_value_id value_id);

/* HALO extension: copy of `input` with updates[i..] written (or combined by
 * `reduction`) at input[i.. with dimension `axis` replaced by indices[i..]].
 * Indices and updates have one shape. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ScatterElements(
    odla_value input, odla_value indices, odla_value updates, odla_int32 axis,
    odla_scatter_reduction reduction, odla_value_shape output_dims,
    const odla_value_id value_id);

/* One-hot encoding of integer `indices` with `depth` classes inserted at
 * `axis`; `values` holds {off_value, on_value} and gives the element type.
 * Negative indices count from depth; out-of-range ones give all off. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_OneHot(
    odla_value indices, odla_int32 depth, odla_value values, odla_int32 axis,
    odla_value_shape output_dims, const odla_value_id value_id);

/* Resizes float32 data to output_dims (ONNX Resize). axes_mask selects the
 * dimensions that may change size (bit 0 = innermost dimension; 0 = all).
 * HALO change: the parameters after axes_mask are additions: rounding for
 * ODLA_NEAREST, the cubic coefficient (ONNX cubic_coeff_a), exclude_outside,
 * extrapolation_value (ODLA_TF_CROP_AND_RESIZE), `scales` (one per dimension;
 * NULL means output / input size) and `roi` (ODLA_TF_CROP_AND_RESIZE only:
 * rank starts then rank ends, normalized; NULL means 0 and 1). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_Resize(
    odla_value input, odla_interpolation_mode interpolation,
    odla_resize_coordinate_mode mode, odla_uint32 axes_mask,
    odla_resize_nearest_mode nearest_mode, odla_float32 cubic_coeff_a,
    odla_bool exclude_outside, odla_float32 extrapolation_value,
    const odla_float32* scales, const odla_float32* roi,
    odla_value_shape output_dims, const odla_value_id value_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_PROCESS_H_ */
