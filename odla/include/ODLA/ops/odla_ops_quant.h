/* ODLA integer (int8) operators: linear quantization and the quantized
 * convolution and matrix product (ONNX QuantizeLinear, DequantizeLinear,
 * QLinearConv, QLinearMatMul, and the sum of two quantized tensors).
 *
 * A real value r is represented by the integer q with r = scale * (q - zero_point).
 * Scales and zero points are odla_values that must be constants (read when
 * the node is built). A scale is float32 with one element (per tensor) or,
 * where stated, one element per channel; its zero point has the same element
 * count and the quantized element type (uint8 or int8; int32 for the int32
 * input of odla_Dequantize); a NULL zero point means 0. Quantized results
 * saturate to uint8 0..255 or int8 -128..127.
 *
 * All arithmetic is float32 in exactly the order stated, rounding with
 * nearbyint (half to even); the results are bit-exact across runtimes and
 * instruction sets. Builders return NULL on invalid operands (see
 * odla_GetLastErrorMessage). */
#ifndef ODLA_OPS_ODLA_OPS_QUANT_H_
#define ODLA_OPS_ODLA_OPS_QUANT_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>
#include <ODLA/ops/odla_ops_nn.h>

#ifdef __cplusplus
extern "C" {
#endif

/* float32 input to target_data_type (ODLA_UINT8 or ODLA_INT8; the zero
 * point, when given, has that type): q = saturate(nearbyint(x / s) + zp),
 * i.e. v = nearbyintf(x / s) (float32 division), v = v + (float)zp, v clamped
 * to the target's range in float, then stored; a NaN x gives zp. A scale with
 * more than one element is per axis: `axis` indexes the input (negative
 * counts from the back) and the scale has dims[axis] elements; `axis` is
 * ignored for a 1-element scale. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Quantize(odla_value input, odla_value scale, odla_value zero_point,
              odla_int32 axis, odla_element_type target_data_type,
              const odla_value_id value_id);

/* uint8, int8 or int32 input (the zero point, when given, has the input's
 * type) to float32 (target_data_type must be ODLA_FLOAT32):
 * y = (float)(q - zp) * s (the difference exact, one float32 multiply); per
 * tensor or per axis as for odla_Quantize. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Dequantize(odla_value input, odla_value scale, odla_value zero_point,
                odla_int32 axis, odla_element_type target_data_type,
                const odla_value_id value_id);

/* Quantized convolution; geometry (layouts ODLA_CHANNELS_FIRST and ODLA_OIS,
 * group, strides, dilations, paddings, output_dims) as for odla_Conv.
 * input [N, C_in, s...] uint8 or int8 with a per-tensor scale/zero point;
 * kernel [C_out, C_in/group, k...] int8 or uint8 with a per-tensor or
 * per-output-channel (C_out elements) scale/zero point; bias int32 [C_out] or
 * NULL; output scale/zero point per tensor. The result's element type is
 * output_zero_point's type (the input's type when it is NULL). For each output
 * element (channel co):
 *   acc = bias[co] + sum over the group's input channels and the taps of
 *         (x - x_zp) * (w - w_zp[co])        (int32; padded taps contribute 0)
 *   M[co] = (x_scale * w_scale[co]) / y_scale          (float32, in this order)
 *   y = saturate(nearbyintf((float)acc * M[co]) + (float)y_zp). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_QLinearConv(
    odla_value input, odla_memory_layout input_layout, odla_uint32 group,
    odla_value kernel, odla_memory_layout kernel_layout,
    const odla_uint32* strides, const odla_uint32* dilations,
    const odla_uint32* paddings_front, const odla_uint32* paddings_back,
    odla_value bias, odla_value input_scale, odla_value input_zero_point,
    odla_value kernel_scale, odla_value kernel_zero_point,
    odla_value output_scale, odla_value output_zero_point,
    odla_value_shape output_dims, const odla_value_id value_id);

/* Quantized matrix product: a [..., M, K] uint8 or int8 (per-tensor
 * scale/zero point; leading dimensions flatten into M), b [K, N] int8 or
 * uint8 (per-tensor or per-column, N elements, scale/zero point), bias int32
 * [N] or NULL, result [..., M, N] of output_zero_point's type (a's type when
 * it is NULL):
 *   acc = bias[n] + sum_k (a - a_zp) * (b - b_zp[n]), M[n] = (a_s * b_s[n]) / y_s,
 *   y = saturate(nearbyintf((float)acc * M[n]) + (float)y_zp). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_QLinearMatMul(
    odla_value a, odla_value a_scale, odla_value a_zero_point, odla_value b,
    odla_value b_scale, odla_value b_zero_point, odla_value bias,
    odla_value output_scale, odla_value output_zero_point,
    odla_value_shape output_dims, const odla_value_id value_id);

/* The sum of two quantized tensors of one shape (uint8 or int8, each with its own
 * per-tensor scale and zero point), quantized to output_scale/output_zero_point
 * (the result's type is output_zero_point's), with an optional Relu: per element
 *   v = (float)(a - a_zp) * a_s + (float)(b - b_zp) * b_s   (two products, one sum;
 *                                                            no fused multiply-add)
 *   v = relu ? max(v, 0) : v,   y = saturate(nearbyintf(v / y_s) + (float)y_zp),
 * i.e. exactly odla_Dequantize, odla_Dequantize, odla_Add, odla_Relu, odla_Quantize. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_QLinearAdd(
    odla_value a, odla_value a_scale, odla_value a_zero_point, odla_value b,
    odla_value b_scale, odla_value b_zero_point, odla_value output_scale,
    odla_value output_zero_point, odla_bool relu, const odla_value_id value_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_QUANT_H_ */
