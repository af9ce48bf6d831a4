"""The state of one TensorFlow import and the view a converter gets of its node."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from tensorflow.core.framework import node_def_pb2

from halo.errors import ModelError, UnsupportedError
from halo.frontends.base import GraphBuilder
from halo.frontends.tensorflow.attrs import AttrReader
from halo.ir.graph import Value, constant
from halo.ir.ops.tensor import Transpose


def parse_ref(ref: str) -> tuple[str, int]:
    """``name`` / ``name:3`` -> (node name, output index)."""
    name, sep, idx = ref.rpartition(":")
    if sep and idx.isdigit():
        return name, int(idx)
    return ref, 0


def data_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    """The operand references of ``node`` (control inputs ``^name`` dropped)."""
    return [i for i in node.input if not i.startswith("^")]


def value_name(node: str, index: int) -> str:
    return node if index == 0 else f"{node}:{index}"


def to_channels_first(rank: int) -> tuple[int, ...]:
    return (0, rank - 1, *range(1, rank - 1))


def to_channels_last(rank: int) -> tuple[int, ...]:
    return (0, *range(2, rank), 1)


class ImportState:
    """(node, output index) -> Value, plus the builder, for one graph."""

    def __init__(self, builder: GraphBuilder) -> None:
        self.b = builder
        self.values: dict[tuple[str, int], Value] = {}

    def lookup(self, ref: str, reader: str) -> Value:
        key = parse_ref(ref)
        v = self.values.get(key)
        if v is None:
            raise ModelError(
                f"{reader} reads '{ref}', which no node of the graph produces",
                hint="the GraphDef is incomplete (truncated?) or names a missing node",
            )
        return v


class TfNode:
    """What a converter sees: typed attributes, operand values and helpers to emit IR."""

    def __init__(self, state: ImportState, node: node_def_pb2.NodeDef) -> None:
        self.state = state
        self.proto = node
        self.op = node.op
        self.name = node.name
        self.attrs = AttrReader(node)
        self.b = state.b
        self.refs = data_inputs(node)

    @property
    def num_inputs(self) -> int:
        return len(self.refs)

    def input(self, i: int) -> Value:
        if not 0 <= i < len(self.refs):
            raise ModelError(
                f"{self.op} node '{self.name}' has {len(self.refs)} operands; "
                f"operand {i} is missing",
                hint="the GraphDef is malformed",
            )
        return self.state.lookup(self.refs[i], f"{self.op} node '{self.name}'")

    def inputs(self) -> list[Value]:
        return [self.input(i) for i in range(self.num_inputs)]

    def const(self, i: int, what: str) -> np.ndarray:
        """Operand ``i`` as an array; it must be known at compile time (after folding)."""
        v = self.input(i)
        if v.data is None:
            raise UnsupportedError(
                f"{self.op} node '{self.name}': operand {i} ({what}) must be known at compile "
                "time, but it is computed at run time",
                hint="HALO compiles static graphs; fix the input shapes with --input-shape",
            )
        return v.data

    def const_ints(self, i: int, what: str) -> list[int]:
        arr = np.asarray(self.const(i, what))
        if arr.ndim > 1 or arr.dtype.kind not in "iub":
            raise self.fail(
                f"operand {i} ({what}) must be integers of rank <= 1, not {arr.dtype}"
                f"{list(arr.shape)}"
            )
        return [int(d) for d in arr.reshape(-1)]

    def const_int(self, i: int, what: str) -> int:
        """Operand ``i`` as one integer (a scalar or a one-element vector)."""
        values = self.const_ints(i, what)
        if len(values) != 1:
            raise self.fail(f"operand {i} ({what}) must hold one integer, it holds {values}")
        return values[0]

    def need_inputs(self, count: int) -> list[Value]:
        """All operands, of which there must be at least ``count``."""
        if self.num_inputs < count:
            raise ModelError(
                f"{self.op} node '{self.name}' has {self.num_inputs} operands, expected at least "
                f"{count}",
                hint="the GraphDef is malformed",
            )
        return self.inputs()

    def fail(self, msg: str, hint: str = "") -> UnsupportedError:
        return UnsupportedError(f"{self.op} node '{self.name}': {msg}", hint=hint)

    def const_value(self, array: np.ndarray, hint: str) -> Value:
        return constant(self.b.unique(f"{self.name}/{hint}"), np.asarray(array))

    def tmp(
        self, op: str, inputs: Sequence[Value | None], attrs: Any = None, hint: str = ""
    ) -> Value:
        """Emit an intermediate IR node named after this TF node."""
        name = f"{self.name}/{hint or op.lower()}"
        return self.b.emit1(op, inputs, attrs, name=name, outputs=[name])

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]:
        """Emit the IR node computing this TF node's outputs and bind them."""
        names = [value_name(self.name, i) for i in range(8)]
        outs = self.b.emit(op, inputs, attrs, name=self.name, outputs=names)
        self.bind(*outs)
        return outs

    def bind(self, *values: Value) -> None:
        for i, v in enumerate(values):
            self.state.values[(self.name, i)] = v

    def channels_first(self, x: Value) -> Value:
        """NHWC-style ``x`` as NCHW-style (the IR's Conv/Pool/BN layout)."""
        return self.tmp("Transpose", [x], Transpose(to_channels_first(x.rank)), "to_nchw")

    def emit_layout(
        self, op: str, inputs: Sequence[Value | None], attrs: Any, channels_last: bool
    ) -> None:
        """Emit a channels-first IR op; for channels-last TF data wrap it in transposes."""
        if not channels_last:
            self.emit(op, inputs, attrs)
            return
        x = inputs[0]
        assert x is not None
        y = self.tmp(op, [self.channels_first(x), *inputs[1:]], attrs, "nchw")
        self.emit("Transpose", [y], Transpose(to_channels_last(y.rank)))
