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
from halo.ir.ops.tensor import Transpose

QUANTIZED_WEIGHTS = (DType.INT8, DType.UINT8, DType.INT16)


class ImportState:
    """Tensor index -> Value map plus the builder, for the main subgraph."""

    def __init__(self, builder: GraphBuilder, sg: SubGraph) -> None:
        self.b = builder
        self.sg = sg
        self.values: dict[int, Value] = {}
        self.quant: dict[str, QuantParams] = {}  # value name -> params of dequantized weights
        self._derived: dict[tuple[int, str], Value] = {}  # (tensor, transform) -> constant

    def lookup(self, index: int, reader: str) -> Value:
        v = self.values.get(index)
        if v is not None:
            return v
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
        if t.quant is not None and t.dtype in QUANTIZED_WEIGHTS:
            data = t.quant.dequantize(data)  # the int8 weights of a float (hybrid) model
        v = constant(self.b.unique(t.name), data)
        if t.quant is not None and t.dtype in QUANTIZED_WEIGHTS:
            self.quant[v.name] = t.quant
        self.values[index] = v
        return v

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
        if not v.is_const:
            return self.tmp("Transpose", [v], Transpose(tuple(perm)))
        assert v.data is not None
        data = v.data
        return self.state.derived(idx, key, lambda: np.transpose(data, perm))

    def fail(self, msg: str, hint: str = "") -> UnsupportedError:
        return UnsupportedError(f"{self.where}: {msg}", hint=hint)

    def tmp(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> Value:
        """Emit an intermediate IR node (auto-named)."""
        return self.b.emit1(op, inputs, attrs, name=f"{self.name}_{op.lower()}")

    def const_value(self, array: np.ndarray, hint: str) -> Value:
        return constant(self.b.unique(f"{self.name}_{hint}"), array)

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]:
        """Emit the IR node producing this operator's outputs, named after its output tensors."""
        names = [self.state.sg.tensors[i].name for i in self.op.outputs]
        outs = self.b.emit(op, inputs, attrs, name=self.name, outputs=names)
        self.bind(*outs)
        return outs

    def bind(self, *values: Value) -> None:
        if len(values) != len(self.op.outputs):
            raise ModelError(
                f"{self.where} has {len(self.op.outputs)} outputs, expected {len(values)}"
            )
        for idx, v in zip(self.op.outputs, values):
            if idx in self.state.values:
                raise ModelError(
                    f"{self.where} writes {self.state.sg.tensors[idx].describe()}, "
                    "which an input or an earlier operator already defines",
                    hint="the file is corrupt; convert the model again",
                )
            self.state.values[idx] = v
