"""TensorFlow element types and TensorProto decoding."""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2, types_pb2

from halo.errors import ModelError, UnsupportedError
from halo.frontends.limits import check_tensor_bytes
from halo.ir.dtype import DType

_DTYPES = {
    types_pb2.DT_FLOAT: DType.FLOAT32,
    types_pb2.DT_DOUBLE: DType.FLOAT64,
    types_pb2.DT_HALF: DType.FLOAT16,
    types_pb2.DT_INT8: DType.INT8,
    types_pb2.DT_INT16: DType.INT16,
    types_pb2.DT_INT32: DType.INT32,
    types_pb2.DT_INT64: DType.INT64,
    types_pb2.DT_UINT8: DType.UINT8,
    types_pb2.DT_UINT16: DType.UINT16,
    types_pb2.DT_UINT32: DType.UINT32,
    types_pb2.DT_UINT64: DType.UINT64,
    types_pb2.DT_BOOL: DType.BOOL,
}


def _type_name(code: int) -> str:
    try:
        return types_pb2.DataType.Name(code)
    except ValueError:
        return str(code)


def tf_dtype(code: int, what: str) -> DType:
    """The IR type of TensorFlow DataType ``code``; reference types (``T_REF``) count as values."""
    if code > 100:  # DT_*_REF: a variable reference, the same element type
        code -= 100
    try:
        return _DTYPES[code]
    except KeyError:
        raise UnsupportedError(
            f"{what} has element type {_type_name(code)}, which HALO does not support",
            hint="supported: " + ", ".join(d.value for d in _DTYPES.values()),
        ) from None


def tensor_to_array(proto: tensor_pb2.TensorProto, what: str) -> np.ndarray:
    """Decode a TensorProto (raw ``tensor_content`` or typed value lists, splatted scalars)."""
    dtype = tf_dtype(proto.dtype, f"the tensor of {what}")
    dims = [int(d.size) for d in proto.tensor_shape.dim]
    nbytes = check_tensor_bytes(f"the tensor of {what}", dims, itemsize=dtype.itemsize)
    if proto.tensor_content and len(proto.tensor_content) != nbytes:
        raise ModelError(
            f"the tensor of {what} has shape {dims} of {dtype.value} ({nbytes} bytes), but its "
            f"content holds {len(proto.tensor_content)} bytes",
            hint="the file is corrupt or truncated",
        )
    try:
        array = tf.make_ndarray(proto)
    except (ValueError, TypeError, KeyError) as e:
        raise ModelError(
            f"the tensor of {what} is inconsistent: {e}",
            hint="its byte length does not match its shape and type; the file is corrupt",
        ) from None
    return np.asarray(array, dtype=dtype.np)
