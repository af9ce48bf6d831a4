"""Data-movement ops: reshape, transpose, concat, slice, pad, gather, tile, expand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from halo.ir.dtype import DType
from halo.ir.graph import Node, Value
from halo.ir.ops.registry import (
    InPlace,
    Layout,
    Perm,
    TypeShape,
    broadcast_shapes,
    fail,
    flops_rule,
    identity_rule,
    moved_axes,
    norm_axis,
    permute_rule,
    register_op,
)

Ints = tuple[int, ...]
INDEX_DTYPES = (DType.INT32, DType.INT64)


@dataclass(frozen=True)
class Reshape:
    shape: Ints  # fully resolved: no 0 or -1


@dataclass(frozen=True)
class Transpose:
    perm: Ints


@dataclass(frozen=True)
class Concat:
    axis: int


@dataclass(frozen=True)
class Slice:
    """Per-axis start/stop/step, already clamped; a negative step walks back (stop may be -1)."""

    starts: Ints
    stops: Ints
    steps: Ints


@dataclass(frozen=True)
class Pad:
    mode: str  # constant | reflect | edge | wrap
    pads_begin: Ints
    pads_end: Ints
    value: float


@dataclass(frozen=True)
class Gather:
    axis: int


@dataclass(frozen=True)
class Tile:
    repeats: Ints


@dataclass(frozen=True)
class Expand:
    shape: Ints  # the broadcast result shape


def _one(ins: Sequence[Value | None]) -> Value:
    x = ins[0]
    assert x is not None
    return x


@register_op("Reshape", Reshape, inputs=1, inplace=InPlace.VIEW, moves_data=True)
def _reshape(a: Reshape, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    size = 1
    for d in a.shape:
        size *= d
    if size != x.size or any(d < 0 for d in a.shape):
        raise fail("Reshape", f"cannot reshape {x.size} elements to {a.shape}", ins)
    return [(x.dtype, a.shape)]


@register_op("Transpose", Transpose, inputs=1, moves_data=True)
def _transpose(a: Transpose, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if sorted(a.perm) != list(range(x.rank)):
        raise fail("Transpose", f"perm {a.perm} is not a permutation of {x.rank} axes", ins)
    return [(x.dtype, tuple(x.shape[p] for p in a.perm))]


@register_op("Concat", Concat, inputs=(1, 1 << 16), layout=Layout.ALL)
def _concat(a: Concat, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if x.rank == 0:
        raise fail("Concat", "cannot concatenate scalars (rank 0)", ins)
    axis = norm_axis(a.axis, x.rank, "Concat")
    total = 0
    for v in ins:
        assert v is not None
        rest = v.shape[:axis] + v.shape[axis + 1 :]
        if v.rank != x.rank or rest != x.shape[:axis] + x.shape[axis + 1 :] or v.dtype != x.dtype:
            raise fail("Concat", f"operands differ outside axis {axis}", ins)
        total += v.shape[axis]
    return [(x.dtype, (*x.shape[:axis], total, *x.shape[axis + 1 :]))]


def slice_length(start: int, stop: int, step: int) -> int:
    if step > 0:
        return max(0, -(-(stop - start) // step))
    return max(0, -(-(start - stop) // -step))


@register_op("Slice", Slice, inputs=1, layout=Layout.FIRST, moves_data=True)
def _slice(a: Slice, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if not len(a.starts) == len(a.stops) == len(a.steps) == x.rank or 0 in a.steps:
        raise fail("Slice", "needs one non-zero start/stop/step per axis", ins)
    return [(x.dtype, tuple(slice_length(*t) for t in zip(a.starts, a.stops, a.steps)))]


@register_op("Pad", Pad, inputs=1, layout=Layout.FIRST)
def _pad(a: Pad, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if len(a.pads_begin) != x.rank or min((*a.pads_begin, *a.pads_end), default=0) < 0:
        raise fail("Pad", "needs non-negative pads, one pair per axis", ins)
    shape = tuple(d + b + e for d, b, e in zip(x.shape, a.pads_begin, a.pads_end))
    if a.mode == "reflect" and any(
        d < 2 and b + e for d, b, e in zip(x.shape, a.pads_begin, a.pads_end)
    ):
        raise fail("Pad", "reflect padding needs at least 2 elements on padded axes", ins)
    return [(x.dtype, shape)]


@register_op("Gather", Gather, inputs=2)
def _gather(a: Gather, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, idx = ins
    assert x is not None and idx is not None
    if idx.dtype not in INDEX_DTYPES:
        raise fail("Gather", "indices must be int32 or int64", ins)
    if x.rank == 0:
        raise fail("Gather", "data must have rank >= 1, got a scalar", ins)
    axis = norm_axis(a.axis, x.rank, "Gather")
    return [(x.dtype, (*x.shape[:axis], *idx.shape, *x.shape[axis + 1 :]))]


@register_op("GatherElements", Gather, inputs=2)
def _gather_elements(a: Gather, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, idx = ins
    assert x is not None and idx is not None
    if idx.dtype not in INDEX_DTYPES or idx.rank != x.rank:
        raise fail("GatherElements", "indices must be int32/int64 of the data's rank", ins)
    norm_axis(a.axis, x.rank, "GatherElements")
    return [(x.dtype, idx.shape)]


@register_op("Tile", Tile, inputs=1)
def _tile(a: Tile, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if len(a.repeats) != x.rank or min(a.repeats, default=1) < 0:
        raise fail("Tile", "needs one non-negative repeat per axis", ins)
    return [(x.dtype, tuple(d * r for d, r in zip(x.shape, a.repeats)))]


@register_op("Expand", Expand, inputs=1)
def _expand(a: Expand, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = _one(ins)
    if broadcast_shapes("Expand", x.shape, a.shape) != a.shape:
        raise fail("Expand", f"cannot broadcast to {a.shape}", ins)
    return [(x.dtype, a.shape)]


# --- facts -----------------------------------------------------------------------------------


@flops_rule("Reshape", "Transpose", "Concat", "Slice", "Pad", "Gather", "Expand", "Tile")
def _moves_only(n: Node) -> int:
    return 0


@identity_rule("Reshape", "Expand", "Tile", "Pad")
def _same_shape_is_identity(n: Node) -> bool:
    return True


@identity_rule("Transpose")
def _transpose_identity(n: Node) -> bool:
    return list(n.attrs.perm) == sorted(n.attrs.perm)


@identity_rule("Slice")
def _slice_identity(n: Node) -> bool:
    return all(st == 1 for st in n.attrs.steps) and all(s == 0 for s in n.attrs.starts)


@identity_rule("Concat")
def _concat_identity(n: Node) -> bool:
    return len(n.inputs) == 1


@permute_rule("Concat")
def _concat_permuted(a: Concat, p: Perm) -> tuple[Concat, Perm]:
    return Concat(p[a.axis % len(p)]), p


@permute_rule("Slice")
def _slice_permuted(a: Slice, p: Perm) -> tuple[Slice, Perm]:
    return Slice(moved_axes(a.starts, p), moved_axes(a.stops, p), moved_axes(a.steps, p)), p


@permute_rule("Pad")
def _pad_permuted(a: Pad, p: Perm) -> tuple[Pad, Perm]:
    return replace(a, pads_begin=moved_axes(a.pads_begin, p), pads_end=moved_axes(a.pads_end, p)), p
