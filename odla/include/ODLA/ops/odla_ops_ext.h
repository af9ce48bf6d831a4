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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_EXT_H_ */
