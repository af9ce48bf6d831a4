"""The state of one ONNX import and the view a converter gets of its node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx

from halo.errors import ModelError, UnsupportedError
from halo.frontends.base import GraphBuilder
from halo.frontends.onnx.attrs import AttrReader
from halo.ir.dtype import DType
from halo.ir.graph import Value, constant

_ONNX_DTYPES: dict[int, DType] = {
    onnx.TensorProto.FLOAT: DType.FLOAT32,
    onnx.TensorProto.DOUBLE: DType.FLOAT64,
    onnx.TensorProto.FLOAT16: DType.FLOAT16,
    onnx.TensorProto.INT8: DType.INT8,
    onnx.TensorProto.INT16: DType.INT16,
    onnx.TensorProto.INT32: DType.INT32,
    onnx.TensorProto.INT64: DType.INT64,
    onnx.TensorProto.UINT8: DType.UINT8,
    onnx.TensorProto.UINT16: DType.UINT16,
    onnx.TensorProto.UINT32: DType.UINT32,
    onnx.TensorProto.UINT64: DType.UINT64,
    onnx.TensorProto.BOOL: DType.BOOL,
}


def onnx_dtype(code: int, what: str) -> DType:
    try:
        return _ONNX_DTYPES[code]
    except KeyError:
        name = (
            onnx.TensorProto.DataType.Name(code)
            if code in onnx.TensorProto.DataType.values()
            else str(code)
        )
        raise UnsupportedError(
            f"{what} has element type {name}, which HALO does not support",
            hint="supported: " + ", ".join(d.value for d in _ONNX_DTYPES.values()),
        ) from None


class ImportState:
    """Tensor-name -> Value map plus the builder, for one graph."""

    def __init__(self, builder: GraphBuilder, opset: int) -> None:
        self.b = builder
        self.opset = opset
        self.values: dict[str, Value] = {}

    def lookup(self, name: str, node: onnx.NodeProto) -> Value:
        v = self.values.get(name)
        if v is None:
            raise ModelError(
                f"{node.op_type} node '{node.name}' reads '{name}', which nothing defines",
                hint="the model is not topologically sorted or is incomplete",
            )
        return v


class OnnxNode:
    """What a converter sees: typed attributes, operand values and helpers to emit IR."""

    def __init__(self, state: ImportState, node: onnx.NodeProto, opset: int) -> None:
        self.state = state
        self.proto = node
        self.attrs = AttrReader(node)
        self.opset = opset
        self.name = node.name or f"{node.op_type}_{node.output[0] if node.output else ''}"
        self.b = state.b

    @property
    def num_inputs(self) -> int:
        return len(self.proto.input)

    def input(self, i: int) -> Value | None:
        if i >= len(self.proto.input) or not self.proto.input[i]:
            return None
        return self.state.lookup(self.proto.input[i], self.proto)

    def need(self, i: int, what: str = "") -> Value:
        """Operand ``i``; a ModelError when the node leaves it out (it is not optional)."""
        v = self.input(i)
        if v is None:
            label = f" ({what})" if what else ""
            raise ModelError(
                f"{self.proto.op_type} node '{self.name}': the required operand {i}{label} is "
                f"missing (the node has {self.num_inputs} operand(s))",
                hint="the model is malformed; re-export it",
            )
        return v

    def inputs(self) -> list[Value | None]:
        return [self.input(i) for i in range(self.num_inputs)]

    def const(self, i: int, what: str = "") -> np.ndarray | None:
        """Operand ``i`` as an array; it must be a constant (after folding) or absent."""
        v = self.input(i)
        if v is None:
            return None
        if not v.is_const:
            raise UnsupportedError(
                f"{self.proto.op_type} node '{self.name}': operand {i} ({what}) '{v.name}' must be "
                "known at compile time, but it is computed at run time",
                hint="HALO compiles static graphs: if it is a model input, fix its value with "
                f"--freeze-input {v.name}=FILE.npy",
            )
        return v.data

    def scalar(self, i: int, what: str) -> float | None:
        """Operand ``i`` as one number (a scalar or one-element tensor), or None when absent."""
        arr = self.const(i, what)
        if arr is None or arr.size == 0:
            return None
        if arr.size != 1:
            raise self.fail(f"operand {i} ({what}) must hold one value, it has shape {arr.shape}")
        return arr.reshape(-1)[0].item()

    def need_const(self, i: int, what: str) -> np.ndarray:
        """Operand ``i`` as an array; it must be present and constant."""
        arr = self.const(i, what)
        if arr is None:
            raise self.fail(f"the required operand {i} ({what}) is missing")
        return arr

    def vector(self, i: int, what: str) -> np.ndarray | None:
        """Operand ``i`` as a constant 1-D array (a scalar counts as one element), or None."""
        arr = self.const(i, what)
        if arr is None:
            return None
        if arr.ndim > 1:
            raise self.fail(f"operand {i} ({what}) must be 1-D, it has shape {arr.shape}")
        return arr.reshape(-1)

    def ints(self, i: int, what: str) -> tuple[int, ...] | None:
        """Operand ``i`` as constant integers (1-D), or None when absent."""
        arr = self.vector(i, what)
        if arr is None:
            return None
        if arr.dtype.kind not in "iub":
            raise self.fail(f"operand {i} ({what}) must hold integers, it holds {arr.dtype}")
        return tuple(int(v) for v in arr)

    def need_ints(self, i: int, what: str) -> tuple[int, ...]:
        v = self.ints(i, what)
        if v is None:
            raise self.fail(f"the required operand {i} ({what}) is missing")
        return v

    def need_scalar(self, i: int, what: str) -> float:
        """Operand ``i`` as one number; it must be present and constant."""
        v = self.scalar(i, what)
        if v is None:
            raise self.fail(f"the required operand {i} ({what}) is missing or empty")
        return v

    def fail(self, msg: str, hint: str = "") -> UnsupportedError:
        return UnsupportedError(f"{self.proto.op_type} node '{self.name}': {msg}", hint=hint)

    def tmp(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> Value:
        """Emit an intermediate IR node (auto-named)."""
        return self.b.emit1(op, inputs, attrs, name=f"{self.name}_{op.lower()}")

    def const_value(self, array: np.ndarray, hint: str = "c") -> Value:
        return constant(self.b.unique(f"{self.name}_{hint}"), array)

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]:
        """Emit the IR node producing this ONNX node's outputs, and bind them."""
        outs = self.b.emit(op, inputs, attrs, name=self.name, outputs=list(self.proto.output))
        self.bind(*outs)
        return outs

    def bind(self, *values: Value) -> None:
        """Make the ONNX outputs of this node refer to ``values``."""
        for name, v in zip(self.proto.output, values):
            if name:
                self.state.values[name] = v
