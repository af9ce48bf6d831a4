/* ODLA math operators: elementwise arithmetic, logic and comparison,
 * elementwise functions, reductions, Gemm.
 *
 * Binary operators broadcast their operands numpy-style; the result has the
 * broadcast shape. Comparisons produce ODLA_BOOL. Every builder appends a node
 * to the calling thread's current computation and returns its result, or NULL
 * (see odla_GetLastErrorMessage) when the operands are invalid. */
#ifndef ODLA_OPS_ODLA_OPS_MATH_H_
#define ODLA_OPS_ODLA_OPS_MATH_H_

#include <ODLA/odla_common.h>
#include <ODLA/odla_value.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- binary arithmetic (operands of one element type) ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Add(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sub(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Mul(odla_value lhs, odla_value rhs, const odla_value_id value_id);
/* Integer division truncates toward zero; division by zero yields 0. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Div(odla_value lhs, odla_value rhs, const odla_value_id value_id);
/* `exponent` may have another numeric type than `base`; the result has the
 * type of `base`. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Pow(odla_value base, odla_value exponent, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Max(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Min(odla_value lhs, odla_value rhs, const odla_value_id value_id);
/* fmod != 0: remainder with the sign of lhs (C fmod); fmod == 0: remainder
 * with the sign of rhs (Python %). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Mod(odla_value lhs, odla_value rhs, odla_int64 fmod,
         const odla_value_id value_id);

/* ---- comparison (result ODLA_BOOL) ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Equal(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_NotEqual(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Less(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_LessOrEqual(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Greater(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_GreaterOrEqual(
    odla_value lhs, odla_value rhs, const odla_value_id value_id);

/* ---- logic (ODLA_BOOL operands) and bitwise (integer operands) ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_And(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Or(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Xor(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Not(odla_value input, const odla_value_id value_id);
/* HALO extensions. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_BitwiseAnd(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_BitwiseOr(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_BitwiseXor(odla_value lhs, odla_value rhs, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_BitwiseNot(odla_value input, const odla_value_id value_id);
/* Unsigned integer shift of `input` by `shift_amount` (broadcast); shifting
 * by the bit width or more gives 0. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Shift(odla_value input, odla_value shift_amount, odla_bool is_left_shift,
           const odla_value_id value_id);

/* ---- elementwise functions ---- */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Abs(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Neg(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sign(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Exp(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Log(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sqrt(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Rsqrt(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Reciprocal(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Floor(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Ceil(odla_value input, const odla_value_id value_id);
/* Rounds halfway cases to the nearest even integer (ONNX semantics). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Round(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Erf(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sin(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Cos(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Tan(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ASin(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ACos(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ATan(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Sinh(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Cosh(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Tanh(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ASinh(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ACosh(odla_value x, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ATanh(odla_value x, const odla_value_id value_id);
/* Result ODLA_BOOL. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_IsNaN(odla_value input, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_IsInf(odla_value input, odla_bool detect_pos, odla_bool detect_neg,
           const odla_value_id value_id);
/* Limits `input` to [lo, hi]; for integer inputs the bounds are converted. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Clamp(odla_value input, odla_float32 lo, odla_float32 hi,
           const odla_value_id value_id);
/* Elementwise `condition ? a : b` with all three broadcast to output_dims
 * (condition is ODLA_BOOL). */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_Select(odla_value condition, odla_value a, odla_value b,
            odla_value_shape output_dims, const odla_value_id value_id);

/* ---- reductions ----
 * `axes` lists num_of_axes distinct dimensions in [0, rank). With keep_dims
 * the reduced dimensions stay as 1, otherwise they are removed. output_dims
 * must equal the resulting shape. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceSum(odla_value input, odla_size_t num_of_axes,
               const odla_uint32* axes, odla_bool keep_dims,
               odla_value_shape output_dims, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceMean(odla_value input, odla_size_t num_of_axes,
                const odla_uint32* axes, odla_bool keep_dims,
                odla_value_shape output_dims, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceMax(odla_value input, odla_size_t num_of_axes,
               const odla_uint32* axes, odla_bool keep_dims,
               odla_value_shape output_dims, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceMin(odla_value input, odla_size_t num_of_axes,
               const odla_uint32* axes, odla_bool keep_dims,
               odla_value_shape output_dims, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceProd(odla_value input, odla_size_t num_of_axes,
                const odla_uint32* axes, odla_bool keep_dims,
                odla_value_shape output_dims, const odla_value_id value_id);
/* sum(|x|) + epsilon */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ReduceL1(
    odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
    odla_bool keep_dims, odla_float32 epsilon, odla_value_shape output_dims,
    const odla_value_id value_id);
/* sqrt(sum(x * x) + epsilon) */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ReduceL2(
    odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
    odla_bool keep_dims, odla_float32 epsilon, odla_value_shape output_dims,
    const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ReduceLogSum(odla_value input, odla_size_t num_of_axes,
                  const odla_uint32* axes, odla_bool keep_dims,
                  odla_value_shape output_dims, const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ReduceLogSumExp(
    odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
    odla_bool keep_dims, odla_value_shape output_dims,
    const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_ReduceSumSquare(
    odla_value input, odla_size_t num_of_axes, const odla_uint32* axes,
    odla_bool keep_dims, odla_value_shape output_dims,
    const odla_value_id value_id);

/* Index of the largest / smallest element along `axis` (negative counts from
 * the back). keep_dims keeps the reduced axis as 1. Ties give the first index
 * unless return_last_index. output_value_type.element_type is ODLA_INT32 or
 * ODLA_INT64; its shape is ignored. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ArgMax(odla_value input, odla_int32 axis, odla_bool keep_dims,
            odla_bool return_last_index, odla_value_type output_value_type,
            const odla_value_id value_id);
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_ArgMin(odla_value input, odla_int32 axis, odla_bool keep_dims,
            odla_bool return_last_index, odla_value_type output_value_type,
            const odla_value_id value_id);

/* Cumulative sum along `axis`, a constant int32/int64 scalar value (negative
 * counts from the back). exclusion: each output excludes its own element;
 * reverse: accumulate from the end. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL
odla_CumSum(odla_value input, odla_value axis, odla_bool exclusion,
            odla_bool reverse, const odla_value_id value_id);

/* alpha * op(A) * op(B) + beta * C, op(X) = X or its transpose. C may be NULL
 * and broadcasts to the result. HALO extension: A and B may have rank > 2;
 * the last two dimensions are the matrices and the leading (batch)
 * dimensions broadcast numpy-style, as in ONNX MatMul. */
extern ODLA_API_EXPORT odla_value ODLA_API_CALL odla_Gemm(
    odla_value A, odla_bool A_transpose, odla_value B, odla_bool B_transpose,
    odla_float32 alpha, odla_float32 beta, odla_value C,
    odla_value_shape output_dims, const odla_value_id value_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ODLA_OPS_ODLA_OPS_MATH_H_ */
