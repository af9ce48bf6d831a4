"""Reductions, arg-reductions, TopK and CumSum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from halo.ir.dtype import FLOAT_DTYPES, DType
from halo.ir.graph import Node, Shape, Value
from halo.ir.ops.elementwise import NUMERIC
from halo.ir.ops.registry import (
    Layout,
    Perm,
    TypeShape,
    fail,
    flops_rule,
    norm_axis,
    permute_rule,
    register_op,
)

REDUCE_OPS = (
    "ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 "
    "ReduceLogSum ReduceLogSumExp ReduceSumSquare"
).split()


@dataclass(frozen=True)
class Reduce:
    axes: tuple[int, ...]  # normalized, sorted, non-empty
    keepdims: bool


@dataclass(frozen=True)
class ArgReduce:
    axis: int
    keepdims: bool
    select_last: bool


@dataclass(frozen=True)
class TopK:
    k: int
    axis: int
    largest: bool
    sorted: bool


@dataclass(frozen=True)
class CumSum:
    axis: int
    exclusive: bool
    reverse: bool


def reduced_shape(shape: Shape, axes: Sequence[int], keepdims: bool) -> Shape:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


for _op in REDUCE_OPS:

    @register_op(_op, Reduce, inputs=1, dtypes=NUMERIC, layout=Layout.FIRST)
    def _reduce(a: Reduce, ins: Sequence[Value | None], _op: str = _op) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        if any(not 0 <= ax < x.rank for ax in a.axes) or list(a.axes) != sorted(set(a.axes)):
            raise fail(_op, f"axes {a.axes} must be sorted, unique and in range", ins)
        if _op in ("ReduceMax", "ReduceMin") and any(x.shape[i] == 0 for i in a.axes):
            raise fail(_op, "cannot reduce an empty axis", ins)
        return [(x.dtype, reduced_shape(x.shape, a.axes, a.keepdims))]


for _op in ("ArgMax", "ArgMin"):

    @register_op(_op, ArgReduce, inputs=1, dtypes=NUMERIC, layout=Layout.FIRST)
    def _arg(a: ArgReduce, ins: Sequence[Value | None], _op: str = _op) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        axis = norm_axis(a.axis, x.rank, _op)
        return [(DType.INT64, reduced_shape(x.shape, (axis,), a.keepdims))]


@register_op("TopK", TopK, inputs=1, dtypes=NUMERIC)
def _topk(a: TopK, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    axis = norm_axis(a.axis, x.rank, "TopK")
    if not 0 <= a.k <= x.shape[axis]:
        raise fail("TopK", f"k={a.k} exceeds axis length {x.shape[axis]}", ins)
    shape = (*x.shape[:axis], a.k, *x.shape[axis + 1 :])
    return [(x.dtype, shape), (DType.INT64, shape)]


@register_op(
    "CumSum",
    CumSum,
    inputs=1,
    dtypes=(*FLOAT_DTYPES, DType.INT32, DType.INT64, DType.UINT32, DType.UINT64),
)
def _cumsum(a: CumSum, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    norm_axis(a.axis, x.rank, "CumSum")
    return [(x.dtype, x.shape)]


# --- facts -----------------------------------------------------------------------------------


@flops_rule(*REDUCE_OPS)
def _reduce_flops(n: Node) -> int:
    return n.operand(0).size


def _reduced_perm(axes: Sequence[int], keepdims: bool, p: Perm) -> Perm:
    """The transpose after a reduction of x over ``axes`` (restated for x) that stood for one
    of T(x, p): p itself, or p over the axes that remain."""
    if keepdims:
        return p
    kept = [p[i] for i in range(len(p)) if i not in axes]
    return tuple(sorted(kept).index(k) for k in kept)


@permute_rule(*REDUCE_OPS)
def _reduce_permuted(a: Reduce, p: Perm) -> tuple[Reduce, Perm]:
    return replace(a, axes=tuple(sorted(p[i] for i in a.axes))), _reduced_perm(
        a.axes, a.keepdims, p
    )


@permute_rule("ArgMax", "ArgMin")
def _arg_permuted(a: ArgReduce, p: Perm) -> tuple[ArgReduce, Perm]:
    axis = a.axis % len(p)
    return replace(a, axis=p[axis]), _reduced_perm((axis,), a.keepdims, p)
