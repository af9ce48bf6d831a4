"""Element types of the IR and their spellings in numpy, ONNX and C/ODLA."""

from __future__ import annotations

from enum import Enum

import ml_dtypes  # bfloat16 for numpy (a dependency of onnx); registers np.dtype("bfloat16")
import numpy as np
from numpy.typing import DTypeLike


class DType(Enum):
    """An element type. ``value`` is the canonical lower-case name."""

    FLOAT32 = "float32"
    FLOAT64 = "float64"
    FLOAT16 = "float16"
    BFLOAT16 = "bfloat16"  # numpy: ml_dtypes.bfloat16 (round to nearest even from float32)
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    INT64 = "int64"
    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    UINT64 = "uint64"
    BOOL = "bool"

    @property
    def np(self) -> np.dtype:
        return np.dtype(ml_dtypes.bfloat16) if self is DType.BFLOAT16 else np.dtype(self.value)

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    @property
    def is_float(self) -> bool:
        return self in (DType.FLOAT16, DType.BFLOAT16, DType.FLOAT32, DType.FLOAT64)

    @property
    def is_half(self) -> bool:
        """A 16-bit float (float16 or bfloat16), stored and written out as its bit pattern."""
        return self in (DType.FLOAT16, DType.BFLOAT16)

    @property
    def is_int(self) -> bool:
        return not self.is_float and self is not DType.BOOL

    @property
    def is_signed(self) -> bool:
        return self.is_float or self.value.startswith("int")

    @property
    def c_type(self) -> str:
        """The C type a generated function uses for buffers of this type."""
        return _C_TYPES[self]

    @property
    def odla(self) -> str:
        """The ``odla_element_type`` enumerator."""
        return "ODLA_" + ("BOOL" if self is DType.BOOL else self.value.upper())

    @staticmethod
    def from_numpy(dt: DTypeLike) -> DType:
        name = np.dtype(dt).name
        try:
            return DType(name)
        except ValueError:
            raise KeyError(name) from None


_C_TYPES = {
    DType.FLOAT32: "float",
    DType.FLOAT64: "double",
    DType.FLOAT16: "uint16_t",
    DType.BFLOAT16: "uint16_t",
    DType.INT8: "int8_t",
    DType.INT16: "int16_t",
    DType.INT32: "int32_t",
    DType.INT64: "int64_t",
    DType.UINT8: "uint8_t",
    DType.UINT16: "uint16_t",
    DType.UINT32: "uint32_t",
    DType.UINT64: "uint64_t",
    DType.BOOL: "bool",
}

ALL_DTYPES = tuple(DType)
# The float types ops compute in; bfloat16 is a storage type only (constants read through a Cast,
# passes/precision.py), so no op but Cast takes it.
FLOAT_DTYPES = (DType.FLOAT32, DType.FLOAT64, DType.FLOAT16)
