"""The state of one TFLite import and the view a converter gets of its operator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from halo.errors import ModelError, UnsupportedError
from halo.frontends.base import GraphBuilder
from halo.frontends.tflite.model import Operator, SubGraph, Tensor
from halo.frontends.tflite.options import Options
from halo.frontends.tflite.quant import QuantParams
from halo.ir.dtype import DType
from halo.ir.graph import Value, constant
from halo.ir.ops.quant import Quant
from halo.ir.ops.tensor import Transpose

# integer types whose quantized tensors import as the integers and a DequantizeLinear (int32:
# biases); the converters see real values, QDQ fusion (passes/qdq.py) makes integer ops of them
QUANTIZED = (DType.INT8, DType.UINT8, DType.INT32)


class ImportState:
    """Tensor index -> Value map plus the builder, for the main subgraph."""

    def __init__(self, builder: GraphBuilder, sg: SubGraph) -> None:
        self.b = builder
        self.sg = sg
        self.values: dict[int, Value] = {}  # the tensor itself (the integers, when quantized)
        self._real: dict[int, Value] = {}  # quantized tensor -> its DequantizeLinear
        self._derived: dict[tuple[int, str], Value] = {}  # (tensor, transform) -> constant

    def quant(self, index: int) -> QuantParams | None:
        """The parameters of a quantized integer tensor (None for real-valued ones)."""
        t = self.sg.tensors[index]
        return t.quant if t.quant is not None and t.dtype in QUANTIZED else None

    def lookup(self, index: int, reader: str, raw: bool = False) -> Value:
        """The value of tensor ``index``: real (dequantized) unless ``raw``."""
        v = self.values.get(index)
        if v is None:
            v = self._constant(index, reader)
            self.values[index] = v
        q = None if raw else self.quant(index)
        if q is None:
            return v
        real = self._real.get(index)
        if real is None:
            real = self.dequantize(v, q, q.axis or 0)
            self._real[index] = real
        return real

    def dequantize(self, v: Value, q: QuantParams, axis: int) -> Value:
        """DequantizeLinear(v) with ``q``'s scales (per tensor, or along ``axis`` of ``v``)."""
        scale, zero = self._params(v.name, q, v.dtype)
        return self.b.emit1(
            "DequantizeLinear", [v, scale, zero], Quant(axis), name=f"{v.name}_real"
        )

    def quantize(self, real: Value, index: int, q: QuantParams) -> Value:
        """QuantizeLinear(real) into tensor ``index`` (per tensor: activations)."""
        t = self.sg.tensors[index]
        assert t.dtype is not None
        if q.per_axis:
            raise UnsupportedError(f"{t.describe()}: per-axis quantized activations")
        scale, zero = self._params(t.name, q, t.dtype)
        return self.b.emit1(
            "QuantizeLinear", [real, scale, zero], Quant(), name=t.name, outputs=[t.name]
        )

    def _params(self, name: str, q: QuantParams, dtype: DType) -> tuple[Value, Value]:
        lo, hi = np.iinfo(dtype.np).min, np.iinfo(dtype.np).max
        if np.any(q.zero_point < lo) or np.any(q.zero_point > hi):
            raise ModelError(f"tensor '{name}': a zero point lies outside {dtype.value}")
        if not np.all(q.scale > 0):
            raise ModelError(f"tensor '{name}': a quantization scale is not positive")
        shape = () if q.scale.size == 1 else (q.scale.size,)
        scale = constant(self.b.unique(f"{name}_scale"), q.scale.astype(np.float32).reshape(shape))
        zero = constant(self.b.unique(f"{name}_zero"), q.zero_point.astype(dtype.np).reshape(shape))
        return scale, zero

    def _constant(self, index: int, reader: str) -> Value:
        t = self.sg.tensors[index]
        if t.dtype is None or t.is_variable:
            what = (
                "a variable (stateful models are not supported)"
                if t.is_variable
                else "a type HALO does not support"
            )
            raise UnsupportedError(f"{reader} reads {t.describe()}, {what}")
        data = t.data
        if data is None and 0 in t.shape:
            data = np.zeros(t.shape, t.dtype.np)  # an empty constant needs no buffer
        if data is None:
            raise ModelError(
                f"{reader} reads {t.describe()}, which has no data and is neither a "
                "model input nor written by an earlier operator",
                hint="the operators are not in execution order or the file is corrupt",
            )
        return constant(self.b.unique(t.name), data)

    def derived_real(self, index: int, key: str, v: Value, q: QuantParams, axis: int) -> Value:
        """The DequantizeLinear of the derived constant ``v`` (made once)."""
        real = self._derived.get((index, key + "_real"))
        if real is None:
            real = self.dequantize(v, q, axis)
            self._derived[(index, key + "_real")] = real
        return real

    def derived(self, index: int, key: str, make: Callable[[], np.ndarray]) -> Value:
        """A constant computed once from tensor ``index`` (e.g. permuted weights)."""
        v = self._derived.get((index, key))
        if v is None:
            v = constant(self.b.unique(f"{self.sg.tensors[index].name}_{key}"), make())
            self._derived[(index, key)] = v
        return v


class TfliteNode:
    """What a converter sees: typed options, operand values and helpers to emit IR."""

    def __init__(self, state: ImportState, op: Operator) -> None:
        self.state = state
        self.op = op
        self.b = state.b
        if not op.outputs:
            raise ModelError(f"{op.op} operator #{op.index} has no outputs")
        self.name = state.sg.tensors[op.outputs[0]].name
        self.where = f"{op.op} operator #{op.index} ('{self.name}')"
        self.opts = Options(op, self.where)

    def output_tensor(self, i: int = 0) -> Tensor:
        """What the file declares about output ``i`` (its type decides CAST/ARG_MAX/SHAPE)."""
        return self.state.sg.tensors[self.op.outputs[i]]

    def input(self, i: int) -> Value | None:
        idx = self.op.inputs[i] if i < len(self.op.inputs) else -1
        return None if idx < 0 else self.state.lookup(idx, self.where)

    def x(self, i: int = 0) -> Value:
        v = self.input(i)
        if v is None:
            raise ModelError(f"{self.where} lacks its required operand {i}")
        return v

    def const(self, i: int, what: str) -> np.ndarray:
        """Operand ``i`` as an array; it must be known at compile time."""
        v = self.x(i)
        if not v.is_const:
            raise UnsupportedError(
                f"{self.where}: operand {i} ({what}) is computed at run time; "
                "HALO needs it constant",
                hint="HALO compiles static graphs; fix input shapes so that it folds",
            )
        assert v.data is not None
        return v.data

    def const_ints(self, i: int, what: str) -> list[int]:
        data = np.asarray(self.const(i, what))
        if data.dtype.kind not in "iu":
            raise ModelError(
                f"{self.where}: operand {i} ({what}) must hold integers, not {data.dtype}"
            )
        return [int(d) for d in data.reshape(-1)]

    def weight(self, i: int, perm: Sequence[int], key: str) -> Value:
        """Operand ``i`` transposed by ``perm``: permuted at import when it is a constant."""
        v, idx = self.x(i), self.op.inputs[i]
        if v.rank != len(perm):
            raise self.fail(f"operand {i} ({key}) must have rank {len(perm)}, it has {v.shape}")
        raw, q = self.state.lookup(idx, self.where, raw=True), self.state.quant(idx)
        if not raw.is_const:
            return self.tmp("Transpose", [v], Transpose(tuple(perm)))
        data = raw.array
        moved = self.state.derived(idx, key, lambda: np.transpose(data, perm))
        if q is None:
            return moved
        # quantized weights: the integers permuted, their scale axis with them
        return self.state.derived_real(idx, key, moved, q, perm.index(q.axis or 0))

    def fail(self, msg: str, hint: str = "") -> UnsupportedError:
        return UnsupportedError(f"{self.where}: {msg}", hint=hint)

    def tmp(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> Value:
        """Emit an intermediate IR node (auto-named)."""
        return self.b.emit1(op, inputs, attrs, name=f"{self.name}_{op.lower()}")

    def const_value(self, array: np.ndarray, hint: str) -> Value:
        return constant(self.b.unique(f"{self.name}_{hint}"), array)

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]:
        """Emit the IR node producing this operator's outputs, named after its output tensors."""
        names = [
            t.name + ("_real" if self.state.quant(i) is not None else "")
            for i, t in ((i, self.state.sg.tensors[i]) for i in self.op.outputs)
        ]
        outs = self.b.emit(op, inputs, attrs, name=self.name, outputs=names)
        self.bind(*outs)
        return outs

    def bind(self, *values: Value) -> None:
        if len(values) != len(self.op.outputs):
            raise ModelError(
                f"{self.where} has {len(self.op.outputs)} outputs, expected {len(values)}"
            )
        for idx, v in zip(self.op.outputs, values):
            q = self.state.quant(idx)
            if q is not None and v.dtype is DType.FLOAT32:  # a real result of a quantized tensor
                v = self.state.quantize(v, idx, q)
            if idx in self.state.values:
                raise ModelError(
                    f"{self.where} writes {self.state.sg.tensors[idx].describe()}, "
                    "which an input or an earlier operator already defines",
                    hint="the file is corrupt; convert the model again",
                )
            self.state.values[idx] = v
