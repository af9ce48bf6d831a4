/* ODLA neural-network operators: convolution, pooling, activations,
 * normalization, softmax family, TopK.
 *
 * Spatial operators take channels-first data [N, C, spatial...] with 1 to 3
 * spatial dimensions; per-axis arrays (strides, paddings, ...) have one entry
 * per spatial dimension. output_dims is authoritative where it is a
 * parameter. Builders return NULL on invalid operands (see
 * odla_GetLastErrorMessage). */
#ifndef ODLA_OPS_ODLA_OPS_NN_H_
#define ODLA_OPS_ODLA_OPS_NN_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Layouts of data (CHANNELS_*) and of convolution kernels (S = spatial,
 * I = input channels, O = output channels). Order follows ODLA 0.5. */
typedef enum {
  ODLA_CHANNELS_FIRST,
  ODLA_CHANNELS_LAST,
  ODLA_SIO,
  ODLA_SOI,
  ODLA_OIS,
  ODLA_IOS
} odla_memory_layout;

/* Convolution of input [N, C_in, s...] with kernel [C_out, C_in/group, k...]
 * (ODLA_OIS); bias [C_out] may be NULL. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Conv(odla_value input, odla_memory_layout input_layout, odla_uint32 group,
          odla_value kernel, odla_memory_layout kernel_layout,
          const odla_uint32* strides, const odla_uint32* dilations,
          const odla_uint32* paddings_front, const odla_uint32* paddings_back,
          odla_value bias, odla_value_shape output_dims,
          const odla_value_id value_id);

/* Transposed convolution with kernel [C_in, C_out/group, k...] (ODLA_IOS, as
 * ONNX stores it); output_dims includes any output padding. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_DeConv(odla_value input, odla_memory_layout input_layout,
            odla_uint32 group, odla_value kernel,
            odla_memory_layout kernel_layout, const odla_uint32* strides,
            const odla_uint32* dilations, const odla_uint32* paddings_front,
            const odla_uint32* paddings_back, odla_value bias,
            odla_value_shape output_dims, const odla_value_id value_id);

/* Average pooling; padding_included counts padded taps in the divisor
 * (ONNX count_include_pad). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_AveragePool(odla_value input, odla_memory_layout input_layout,
                 const odla_uint32* window_dims, const odla_uint32* strides,
                 const odla_uint32* paddings_front,
                 const odla_uint32* paddings_back, odla_bool padding_included,
                 odla_value_shape output_dims, const odla_value_id value_id);

/* Max pooling. HALO change: `dilations` (NULL means all 1) comes before
 * output_dims. The reference runtime also pools uint8 and int8 values (a
 * quantized tensor: the max commutes with dequantization of positive scale). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_MaxPool(
    odla_value input, odla_memory_layout input_layout,
    const odla_uint32* window_dims, const odla_uint32* strides,
    const odla_uint32* paddings_front, const odla_uint32* paddings_back,
    const odla_uint32* dilations, odla_value_shape output_dims,
    const odla_value_id value_id);

/* ---- activations (float types) ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Relu(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sigmoid(odla_value input, const odla_value_id value_id);
/* x < 0 ? alpha * x : x */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_LeakyRelu(
    odla_value input, odla_float32 alpha, const odla_value_id value_id);
/* x < 0 ? slope * x : x, slope broadcast to the input. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_PRelu(odla_value input, odla_value slope, const odla_value_id value_id);
/* x < 0 ? alpha * (exp(x) - 1) : x */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Elu(odla_value input, odla_float32 alpha, const odla_value_id value_id);
/* gamma * (x <= 0 ? alpha * (exp(x) - 1) : x) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Selu(odla_value input, odla_float32 alpha, odla_float32 gamma,
          const odla_value_id value_id);
/* max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Celu(odla_value input, odla_float32 alpha, const odla_value_id value_id);
/* max(0, min(1, alpha * x + beta)) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_HardSigmoid(odla_value input, odla_float32 alpha, odla_float32 beta,
                 const odla_value_id value_id);
/* HALO extension: x * max(0, min(1, x / 6 + 0.5)) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_HardSwish(odla_value input, const odla_value_id value_id);
/* log(1 + exp(x)) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Softplus(odla_value input, const odla_value_id value_id);
/* x / (1 + |x|) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Softsign(odla_value input, const odla_value_id value_id);
/* x > alpha ? x : 0 */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ThresholdedRelu(
    odla_value input, odla_float32 alpha, const odla_value_id value_id);
/* 0.5 * x * (1 + erf(x / sqrt(2))), or the tanh approximation if use_approx */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Gelu(odla_value input, odla_bool use_approx, const odla_value_id value_id);
/* HALO extension: x * tanh(log(1 + exp(x))) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Mish(odla_value input, const odla_value_id value_id);

/* ---- softmax family along `axis` (negative counts from the back) ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Softmax(odla_value input, odla_int32 axis, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_LogSoftmax(
    odla_value input, odla_int32 axis, const odla_value_id value_id);
/* 1 at the first maximum along the axis, 0 elsewhere. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Hardmax(odla_value input, odla_int32 axis, const odla_value_id value_id);

/* ---- normalization (channels first, channel axis 1) ----
 * scale / offset may be NULL; then the scalar_scale / scalar_offset number is
 * used for every channel. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_BatchNormalization(
    odla_value input, odla_memory_layout input_layout, odla_value mean,
    odla_value var, odla_float32 epsilon, odla_value scale, odla_value offset,
    odla_float32 scalar_scale, odla_float32 scalar_offset,
    const odla_value_id value_id);
/* Each (n, c) plane normalized by its own mean and (biased) variance. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_InstanceNormalization(
    odla_value input, odla_memory_layout input_layout, odla_float32 epsilon,
    odla_value scale, odla_value offset, odla_float32 scalar_scale,
    odla_float32 scalar_offset, const odla_value_id value_id);
/* HALO extension: normalizes over dimensions [axis, rank) (negative axis
 * counts from the back); scale and offset (NULL: 1 and 0) hold one number per
 * normalized element. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_LayerNormalization(
    odla_value input, odla_int32 axis, odla_float32 epsilon, odla_value scale,
    odla_value offset, const odla_value_id value_id);
/* Local response normalization across channels with ONNX semantics:
 * y = x / (bias + alpha / window_size * sum(x^2 over the window))^beta. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_LRN(odla_value input, odla_memory_layout input_layout,
         odla_int32 window_size, odla_float32 alpha, odla_float32 beta,
         odla_float32 bias, const odla_value_id value_id);

/* K largest (or smallest) elements along `axis` and their indices: returns
 * {values, indices}. Equal elements keep the lower index first. The element
 * types come from output_value_type (must match the input) and
 * output_value_index_type (ODLA_INT32 or ODLA_INT64); shapes are ignored.
 * value_ids.size may be 0 (ids made up) or 2. */
extern ODLA_API_EXPORT odla_values ODLA_API_CALL odla_TopK(
    odla_value input, odla_uint32 K, odla_bool largest, odla_bool sorted,
    odla_uint32 axis, odla_value_type output_value_type,
    odla_value_type output_value_index_type, const odla_value_ids value_ids);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_NN_H_ */
