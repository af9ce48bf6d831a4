"""The op registry: name -> attribute dataclass, shape/dtype rule, and the facts passes and
analyses need about the op (how it meets a transpose, when it is an identity, its FLOPs, which
operand the runtime may overwrite), declared next to the op's definition."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from halo.errors import ModelError, UnsupportedError
from halo.ir.dtype import DType
from halo.ir.graph import Node, Shape, Value

TypeShape = tuple[DType, Shape]
Perm = tuple[int, ...]
InferFn = Callable[[Any, Sequence[Value | None]], list[TypeShape]]
PermuteFn = Callable[[Any, Perm], tuple[Any, Perm]]
NodeFn = Callable[[Node], Any]


class Layout(Enum):
    """How an op meets a transpose of its operands (passes/layout.py sinks transposes through
    every op that is not FIXED)."""

    FIXED = "fixed"  # the result depends on the axis order: conv, pooling, reshape, ...
    FIRST = "first"  # op(T(x), c...) = T(op'(x, c...)): operand 0 only, the others constant
    ALL = "all"  # every operand carries the layout: broadcasting elementwise ops, Where, Concat


class InPlace(Enum):
    """Which operand the reference runtime writes the result over when that operand dies with
    the node (odla/runtimes/common/planner.cc; analysis.plan_memory mirrors it)."""

    NONE = "none"
    VIEW = "view"  # the result is operand 0's storage, always (Reshape)
    FIRST = "first"  # operand 0
    SAME_SIZE = "same_size"  # operand 0 when its element size is the result's
    EITHER = "either"  # of two operands, the first with the result's shape and element size


@dataclass(frozen=True)
class NoAttrs:
    """Attributes of an op that has none."""


@dataclass(frozen=True)
class OpDef:
    name: str
    attrs: type
    infer: InferFn
    num_inputs: tuple[int, int]  # (min, max) operand count
    dtypes: tuple[DType, ...] | None  # allowed dtypes of input 0 (None: any)
    layout: Layout = Layout.FIXED
    inplace: InPlace = InPlace.NONE
    # the attributes for x instead of T(x, p), and the transpose of the result (None: unchanged)
    permute: PermuteFn | None = None
    identity: NodeFn | None = None  # whether a node whose result has its operand's type is a no-op
    flops: NodeFn | None = None  # None: one per result element
    # whether constant folding may evaluate it: DequantizeLinear of a constant stays, so the
    # weights keep their integer type and QDQ fusion (passes/qdq.py) can read them
    folds: bool = True
    # every result element is a copy of one of operand 0's elements (data movement): the op
    # commutes with a per-tensor DequantizeLinear, so it can run on the integers
    moves_data: bool = False
    # commutes with every non-decreasing elementwise function of operand 0 (MaxPool: the max of
    # the images is the image of the max), so also with a DequantizeLinear of positive scale
    monotone: bool = False


OPS: dict[str, OpDef] = {}


def register_op(
    name: str,
    attrs: type = NoAttrs,
    *,
    inputs: int | tuple[int, int] = 1,
    dtypes: Sequence[DType] | None = None,
    layout: Layout = Layout.FIXED,
    inplace: InPlace = InPlace.NONE,
    folds: bool = True,
    moves_data: bool = False,
    monotone: bool = False,
) -> Callable[[InferFn], InferFn]:
    """Decorator registering ``infer`` as the shape/dtype rule of op ``name``."""
    bounds = (inputs, inputs) if isinstance(inputs, int) else inputs

    def wrap(fn: InferFn) -> InferFn:
        if name in OPS:
            raise RuntimeError(f"op {name} registered twice")
        dts = tuple(dtypes) if dtypes else None
        OPS[name] = OpDef(
            name,
            attrs,
            fn,
            bounds,
            dts,
            layout,
            inplace,
            folds=folds,
            moves_data=moves_data,
            monotone=monotone,
        )
        return fn

    return wrap


def _fact(field: str, names: Sequence[str]) -> Callable[[Any], Any]:
    def wrap(fn: Any) -> Any:
        for name in names:
            if getattr(OPS[name], field) is not None:
                raise RuntimeError(f"op {name} has two {field} rules")
            OPS[name] = replace(OPS[name], **{field: fn})
        return fn

    return wrap


def permute_rule(*names: str) -> Callable[[PermuteFn], PermuteFn]:
    """Decorator: how the registered ops ``names`` restate their per-axis attributes for the
    untransposed operand (``fn(attrs, p) -> (attrs', perm of the result)``)."""
    return _fact("permute", names)


def identity_rule(*names: str) -> Callable[[NodeFn], NodeFn]:
    """Decorator: when a node of ``names`` whose result has its operand's shape and type changes
    nothing (``fn(node) -> bool``)."""
    return _fact("identity", names)


def flops_rule(*names: str) -> Callable[[NodeFn], NodeFn]:
    """Decorator: the floating-point operations of a node of ``names`` (``fn(node) -> int``)."""
    return _fact("flops", names)


def moved_axes(values: Sequence[Any], p: Perm) -> tuple[Any, ...]:
    """Per-axis attributes of an op on T(x, p) restated for x: result[p[i]] = values[i]."""
    out: list[Any] = [None] * len(p)
    for i, v in enumerate(values):
        out[p[i]] = v
    return tuple(out)


def get_op(name: str) -> OpDef:
    try:
        return OPS[name]
    except KeyError:
        raise UnsupportedError(f"no IR op named {name}") from None


class ShapeError(ModelError):
    """An op's operands have shapes or types the op cannot take."""


def fail(op: str, msg: str, inputs: Sequence[Value | None] = ()) -> ShapeError:
    ins = ", ".join(repr(v) for v in inputs if v is not None)
    return ShapeError(f"{op}: {msg} (operands: {ins})")


def norm_axis(axis: int, rank: int, op: str) -> int:
    if not -rank <= axis < max(rank, 1):
        raise fail(op, f"axis {axis} is out of range for rank {rank}")
    return axis % rank if rank else 0


def broadcast_shapes(op: str, *shapes: Shape) -> Shape:
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(rank):
        dims = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise fail(op, "shapes " + " and ".join(map(str, shapes)) + " do not broadcast")
        out.append(dims.pop() if dims else 1)
    return tuple(out)
