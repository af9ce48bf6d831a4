"""ONNX reductions, arg-reductions, TopK and CumSum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import reduce as r
from halo.ir.ops.registry import norm_axis

# Opset where each reduction moved `axes` from an attribute to an input.
_AXES_INPUT_SINCE = {op: (13 if op == "ReduceSum" else 18) for op in r.REDUCE_OPS}


@converter(*r.REDUCE_OPS)
def _reduce(n: OnnxNode) -> None:
    x = n.need(0, "input")
    op = n.proto.op_type
    raw: Sequence[int] | np.ndarray | None
    if n.opset >= _AXES_INPUT_SINCE[op]:
        raw = n.ints(1, "axes")
    else:
        raw = n.attrs.ints("axes", None)
    keepdims = bool(n.attrs.int("keepdims", 1))
    noop = bool(n.attrs.int("noop_with_empty_axes", 0))
    if raw is None or len(raw) == 0:
        if noop:
            n.bind(x)
            return
        axes = tuple(range(x.rank))
    else:
        axes = tuple(sorted({norm_axis(int(a), x.rank, op) for a in raw}))
    if not axes:  # a scalar: reducing nothing still applies the element function
        axes = ()
    if op in ("ReduceMax", "ReduceMin") and any(x.shape[a] == 0 for a in axes):
        n.bind(n.const_value(_empty_extremum(op, x, axes, keepdims), "empty"))
        return
    if x.dtype is DType.BOOL and op in ("ReduceMax", "ReduceMin"):  # any/all, computed on uint8
        y = n.tmp(op, [n.tmp("Cast", [x], ew.Cast(DType.UINT8))], r.Reduce(axes, keepdims))
        n.emit("Cast", [y], ew.Cast(DType.BOOL))
        return
    n.emit(op, [x], r.Reduce(axes, keepdims))


def _empty_extremum(op: str, x: Value, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """Max/Min over an empty set: the identity (-inf/+inf, the type's limits, False/True)."""
    big = op == "ReduceMin"
    fill: bool | float | int
    if x.dtype is DType.BOOL:
        fill = big
    elif x.dtype.is_float:
        fill = np.inf if big else -np.inf
    else:
        info = np.iinfo(x.dtype.np)
        fill = info.max if big else info.min
    return np.full(r.reduced_shape(x.shape, axes, keepdims), fill, dtype=x.dtype.np)


@converter("ArgMax", "ArgMin")
def _arg(n: OnnxNode) -> None:
    attrs = r.ArgReduce(
        n.attrs.int("axis", 0),
        bool(n.attrs.int("keepdims", 1)),
        bool(n.attrs.int("select_last_index", 0)),
    )
    n.emit(n.proto.op_type, n.inputs(), attrs)


@converter("TopK")
def _topk_v1(n: OnnxNode) -> None:
    n.emit("TopK", [n.input(0)], r.TopK(n.attrs.int("k"), n.attrs.int("axis", -1), True, True))


@converter("TopK", since=10)
def _topk(n: OnnxNode) -> None:
    k = int(n.need_scalar(1, "K"))
    attrs = r.TopK(
        k, n.attrs.int("axis", -1), bool(n.attrs.int("largest", 1)), bool(n.attrs.int("sorted", 1))
    )
    n.emit("TopK", [n.input(0)], attrs)


@converter("CumSum")
def _cumsum(n: OnnxNode) -> None:
    axis = int(n.need_scalar(1, "axis"))
    attrs = r.CumSum(axis, bool(n.attrs.int("exclusive", 0)), bool(n.attrs.int("reverse", 0)))
    n.emit("CumSum", [n.input(0)], attrs)
