"""Facts from the TFLite schema: tensor types, builtin operator codes, builtin option tables."""

from __future__ import annotations

from halo.ir.dtype import DType

# TensorType enum, in code order.
TENSOR_TYPES = (  # noqa: SIM905
    "FLOAT32 FLOAT16 INT32 UINT8 INT64 STRING BOOL INT16 COMPLEX64 INT8 FLOAT64 COMPLEX128 UINT64 "
    "RESOURCE VARIANT UINT32 UINT16 INT4 BFLOAT16 INT2 UINT4"
).split()

IR_DTYPES = {
    "FLOAT32": DType.FLOAT32,
    "FLOAT16": DType.FLOAT16,
    "FLOAT64": DType.FLOAT64,
    "INT8": DType.INT8,
    "INT16": DType.INT16,
    "INT32": DType.INT32,
    "INT64": DType.INT64,
    "UINT8": DType.UINT8,
    "UINT16": DType.UINT16,
    "UINT32": DType.UINT32,
    "UINT64": DType.UINT64,
    "BOOL": DType.BOOL,
}

# BuiltinOperator enum, codes 0..161, in code order.
BUILTIN_OPS = (  # noqa: SIM905
    "ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE "
    "EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D "
    "LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 "
    "RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS "
    "SKIP_GRAM "
    "CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND "
    "SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE "
    "BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM "
    "CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT "
    "SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT "
    "SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND "
    "LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE "
    "RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL "
    "REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE "
    "MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 "
    "SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM "
    "CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND "
    "HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE "
    "ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL "
    "GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX "
    "UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT"
).split()


def op_name(code: int, custom: str) -> str:
    if 0 <= code < len(BUILTIN_OPS):
        name = BUILTIN_OPS[code]
        return f"CUSTOM({custom})" if name == "CUSTOM" else name
    return f"BUILTIN_{code}"


# ActivationFunctionType: NONE RELU RELU_N1_TO_1 RELU6 TANH SIGN_BIT.
ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT")
PADDINGS = ("SAME", "VALID")

# A field: (slot, struct code or "[i" for an int32 vector, default).
Field = tuple[int, str, object]
_FUSED: Field = (0, "b", 0)

# Option table name -> (BuiltinOptions union code, {field name: Field}).
OPTION_TABLES: dict[str, tuple[int, dict[str, Field]]] = {
    "Conv2DOptions": (
        1,
        {
            "padding": (0, "b", 0),
            "stride_w": (1, "i", 0),
            "stride_h": (2, "i", 0),
            "fused_activation_function": (3, "b", 0),
            "dilation_w_factor": (4, "i", 1),
            "dilation_h_factor": (5, "i", 1),
            "quantized_bias_type": (6, "b", 0),
        },
    ),
    "DepthwiseConv2DOptions": (
        2,
        {
            "padding": (0, "b", 0),
            "stride_w": (1, "i", 0),
            "stride_h": (2, "i", 0),
            "depth_multiplier": (3, "i", 0),
            "fused_activation_function": (4, "b", 0),
            "dilation_w_factor": (5, "i", 1),
            "dilation_h_factor": (6, "i", 1),
        },
    ),
    "Pool2DOptions": (
        5,
        {
            "padding": (0, "b", 0),
            "stride_w": (1, "i", 0),
            "stride_h": (2, "i", 0),
            "filter_width": (3, "i", 0),
            "filter_height": (4, "i", 0),
            "fused_activation_function": (5, "b", 0),
        },
    ),
    "FullyConnectedOptions": (
        8,
        {
            "fused_activation_function": _FUSED,
            "weights_format": (1, "b", 0),
            "keep_num_dims": (2, "?", False),
            "asymmetric_quantize_inputs": (3, "?", False),
            "quantized_bias_type": (4, "b", 0),
        },
    ),
    "SoftmaxOptions": (9, {"beta": (0, "f", 0.0)}),
    "ConcatenationOptions": (10, {"axis": (0, "i", 0), "fused_activation_function": (1, "b", 0)}),
    "AddOptions": (11, {"fused_activation_function": _FUSED, "pot_scale_int16": (1, "?", True)}),
    "ResizeBilinearOptions": (
        15,
        {
            "new_height": (0, "i", 0),
            "new_width": (1, "i", 0),
            "align_corners": (2, "?", False),
            "half_pixel_centers": (3, "?", False),
        },
    ),
    "ReshapeOptions": (17, {"new_shape": (0, "[i", None)}),
    "SpaceToDepthOptions": (19, {"block_size": (0, "i", 0)}),
    "MulOptions": (21, {"fused_activation_function": _FUSED}),
    "PadOptions": (22, {}),
    "GatherOptions": (23, {"axis": (0, "i", 0), "batch_dims": (1, "i", 0)}),
    "TransposeOptions": (26, {}),
    "ReducerOptions": (27, {"keep_dims": (0, "?", False)}),
    "SubOptions": (28, {"fused_activation_function": _FUSED, "pot_scale_int16": (1, "?", True)}),
    "DivOptions": (29, {"fused_activation_function": _FUSED}),
    "SqueezeOptions": (30, {"squeeze_dims": (0, "[i", None)}),
    "StridedSliceOptions": (
        32,
        {
            "begin_mask": (0, "i", 0),
            "end_mask": (1, "i", 0),
            "ellipsis_mask": (2, "i", 0),
            "new_axis_mask": (3, "i", 0),
            "shrink_axis_mask": (4, "i", 0),
            "offset": (5, "?", False),
        },
    ),
    "ExpOptions": (33, {}),
    "SplitOptions": (35, {"num_splits": (0, "i", 0)}),
    "LogSoftmaxOptions": (36, {}),
    "CastOptions": (37, {"in_data_type": (0, "b", 0), "out_data_type": (1, "b", 0)}),
    "DequantizeOptions": (38, {}),
    "MaximumMinimumOptions": (39, {}),
    "ArgMaxOptions": (40, {"output_type": (0, "b", 0)}),
    "NegOptions": (42, {}),
    "PadV2Options": (43, {}),
    "TransposeConvOptions": (
        49,
        {
            "padding": (0, "b", 0),
            "stride_w": (1, "i", 0),
            "stride_h": (2, "i", 0),
            "fused_activation_function": (3, "b", 0),
            "quantized_bias_type": (4, "b", 0),
        },
    ),
    "TileOptions": (51, {}),
    "ExpandDimsOptions": (52, {}),
    "ArgMinOptions": (57, {"output_type": (0, "b", 0)}),
    "PackOptions": (59, {"values_count": (0, "i", 0), "axis": (1, "i", 0)}),
    "UnpackOptions": (64, {"num": (0, "i", 0), "axis": (1, "i", 0)}),
    "ShapeOptions": (55, {"out_type": (0, "b", 0)}),
    "ResizeNearestNeighborOptions": (
        74,
        {"align_corners": (0, "?", False), "half_pixel_centers": (1, "?", False)},
    ),
    "LeakyReluOptions": (75, {"alpha": (0, "f", 0.0)}),
    "SquaredDifferenceOptions": (76, {}),
    "MirrorPadOptions": (77, {"mode": (0, "b", 0)}),
    "AbsOptions": (78, {}),
    "SplitVOptions": (79, {"num_splits": (0, "i", 0)}),
    "HardSwishOptions": (91, {}),
    "DepthToSpaceOptions": (94, {"block_size": (0, "i", 0)}),
    "BatchMatMulOptions": (
        101,
        {
            "adj_x": (0, "?", False),
            "adj_y": (1, "?", False),
            "asymmetric_quantize_inputs": (2, "?", False),
        },
    ),
    "GeluOptions": (116, {"approximate": (0, "?", False)}),
}

# Builtin op -> the option table it carries (ops without options carry none).
OP_OPTIONS = {
    "CONV_2D": "Conv2DOptions",
    "DEPTHWISE_CONV_2D": "DepthwiseConv2DOptions",
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "MAX_POOL_2D": "Pool2DOptions",
    "FULLY_CONNECTED": "FullyConnectedOptions",
    "SOFTMAX": "SoftmaxOptions",
    "CONCATENATION": "ConcatenationOptions",
    "ADD": "AddOptions",
    "SUB": "SubOptions",
    "MUL": "MulOptions",
    "DIV": "DivOptions",
    "RESIZE_BILINEAR": "ResizeBilinearOptions",
    "RESIZE_NEAREST_NEIGHBOR": "ResizeNearestNeighborOptions",
    "RESHAPE": "ReshapeOptions",
    "PAD": "PadOptions",
    "PADV2": "PadV2Options",
    "GATHER": "GatherOptions",
    "TRANSPOSE": "TransposeOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions",
    "SQUEEZE": "SqueezeOptions",
    "STRIDED_SLICE": "StridedSliceOptions",
    "EXP": "ExpOptions",
    "SPLIT": "SplitOptions",
    "SPLIT_V": "SplitVOptions",
    "LOG_SOFTMAX": "LogSoftmaxOptions",
    "DEQUANTIZE": "DequantizeOptions",
    "CAST": "CastOptions",
    "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "ARG_MAX": "ArgMaxOptions",
    "ARG_MIN": "ArgMinOptions",
    "NEG": "NegOptions",
    "EXPAND_DIMS": "ExpandDimsOptions",
    "LEAKY_RELU": "LeakyReluOptions",
    "SQUARED_DIFFERENCE": "SquaredDifferenceOptions",
    "ABS": "AbsOptions",
    "HARD_SWISH": "HardSwishOptions",
    "BATCH_MATMUL": "BatchMatMulOptions",
    "TRANSPOSE_CONV": "TransposeConvOptions",
    "TILE": "TileOptions",
    "PACK": "PackOptions",
    "UNPACK": "UnpackOptions",
    "MIRROR_PAD": "MirrorPadOptions",
    "GELU": "GeluOptions",
    "DEPTH_TO_SPACE": "DepthToSpaceOptions",
    "SPACE_TO_DEPTH": "SpaceToDepthOptions",
    "SHAPE": "ShapeOptions",
}

OPTION_CODES = {code: name for name, (code, _) in OPTION_TABLES.items()}
