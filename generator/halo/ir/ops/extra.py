"""Indexed scatter/gather, CumProd, BitCast, Det: ops the conformance suite needs beyond core."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halo.ir.dtype import FLOAT_DTYPES, DType
from halo.ir.graph import Value
from halo.ir.ops.elementwise import NUMERIC
from halo.ir.ops.registry import InPlace, TypeShape, fail, norm_axis, register_op
from halo.ir.ops.tensor import INDEX_DTYPES

SCATTER_REDUCTIONS = ("none", "add", "mul", "max", "min")


@dataclass(frozen=True)
class GatherND:
    batch_dims: int


@dataclass(frozen=True)
class Scatter:
    """ScatterElements (``axis`` used) and ScatterND: how updates combine with the data."""

    axis: int = 0
    reduction: str = "none"  # one of SCATTER_REDUCTIONS


@dataclass(frozen=True)
class CumProd:
    axis: int
    exclusive: bool
    reverse: bool


@dataclass(frozen=True)
class BitCast:
    to: DType


def _ins(ins: Sequence[Value | None], n: int) -> list[Value]:
    out = [v for v in ins[:n] if v is not None]
    assert len(out) == n
    return out


@register_op("GatherND", GatherND, inputs=2)
def _gather_nd(a: GatherND, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, idx = _ins(ins, 2)
    b = a.batch_dims
    if idx.dtype not in INDEX_DTYPES or idx.rank < 1 or x.shape[:b] != idx.shape[:b]:
        raise fail(
            "GatherND", "needs int32/int64 indices whose batch dimensions match the data", ins
        )
    depth = idx.shape[-1]
    if b + depth > x.rank:
        raise fail("GatherND", f"index depth {depth} exceeds the data rank", ins)
    return [(x.dtype, (*idx.shape[:-1], *x.shape[b + depth :]))]


def _check_reduction(op: str, a: Scatter, x: Value, ins: Sequence[Value | None]) -> None:
    if a.reduction not in SCATTER_REDUCTIONS:
        raise fail(op, f"unknown reduction '{a.reduction}'", ins)
    if a.reduction in ("add", "mul") and x.dtype is DType.BOOL:
        raise fail(op, "add/mul reductions need a numeric type", ins)


@register_op("ScatterElements", Scatter, inputs=3, inplace=InPlace.FIRST)
def _scatter_elements(a: Scatter, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, idx, upd = _ins(ins, 3)
    norm_axis(a.axis, x.rank, "ScatterElements")
    if (
        idx.dtype not in INDEX_DTYPES
        or idx.shape != upd.shape
        or idx.rank != x.rank
        or upd.dtype != x.dtype
    ):
        raise fail("ScatterElements", "indices and updates need one shape and the data's rank", ins)
    _check_reduction("ScatterElements", a, x, ins)
    return [(x.dtype, x.shape)]


@register_op("ScatterND", Scatter, inputs=3, inplace=InPlace.FIRST)
def _scatter_nd(a: Scatter, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, idx, upd = _ins(ins, 3)
    if idx.dtype not in INDEX_DTYPES or idx.rank < 1 or idx.shape[-1] > x.rank:
        raise fail("ScatterND", "needs int32/int64 indices of depth <= the data rank", ins)
    want = (*idx.shape[:-1], *x.shape[idx.shape[-1] :])
    if upd.shape != want or upd.dtype != x.dtype:
        raise fail("ScatterND", f"updates must have shape {want} and the data's type", ins)
    _check_reduction("ScatterND", a, x, ins)
    return [(x.dtype, x.shape)]


@register_op("CumProd", CumProd, inputs=1, dtypes=NUMERIC)
def _cumprod(a: CumProd, ins: Sequence[Value | None]) -> list[TypeShape]:
    (x,) = _ins(ins, 1)
    norm_axis(a.axis, x.rank, "CumProd")
    return [(x.dtype, x.shape)]


@register_op("BitCast", BitCast, inputs=1, inplace=InPlace.FIRST)
def _bitcast(a: BitCast, ins: Sequence[Value | None]) -> list[TypeShape]:
    (x,) = _ins(ins, 1)
    if a.to.itemsize != x.dtype.itemsize:
        raise fail(
            "BitCast", f"cannot reinterpret {x.dtype.value} as {a.to.value} (sizes differ)", ins
        )
    return [(a.to, x.shape)]


@register_op("Det", inputs=1, dtypes=FLOAT_DTYPES)
def _det(a: object, ins: Sequence[Value | None]) -> list[TypeShape]:
    (x,) = _ins(ins, 1)
    if x.rank < 2 or x.shape[-1] != x.shape[-2]:
        raise fail("Det", "needs square matrices in the last two axes", ins)
    return [(x.dtype, x.shape[:-2])]
