"""The op registry: name -> attribute dataclass + shape/dtype rule."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from halo.errors import ModelError, UnsupportedError
from halo.ir.dtype import DType
from halo.ir.graph import Shape, Value

TypeShape = tuple[DType, Shape]
InferFn = Callable[[Any, Sequence[Value | None]], list[TypeShape]]


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


OPS: dict[str, OpDef] = {}


def register_op(
    name: str,
    attrs: type = NoAttrs,
    *,
    inputs: int | tuple[int, int] = 1,
    dtypes: Sequence[DType] | None = None,
) -> Callable[[InferFn], InferFn]:
    """Decorator registering ``infer`` as the shape/dtype rule of op ``name``."""
    bounds = (inputs, inputs) if isinstance(inputs, int) else inputs

    def wrap(fn: InferFn) -> InferFn:
        if name in OPS:
            raise RuntimeError(f"op {name} registered twice")
        OPS[name] = OpDef(name, attrs, fn, bounds, tuple(dtypes) if dtypes else None)
        return fn

    return wrap


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
