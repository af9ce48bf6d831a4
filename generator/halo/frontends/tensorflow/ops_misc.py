"""TensorFlow constants, identities, shape queries, casts and constant generators."""

from __future__ import annotations

import numpy as np

from halo.frontends.limits import check_range
from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import constant
from halo.ir.ops import elementwise as ew
from halo.ir.ops import tensor as t


@converter("Const")
def _const(n: TfNode) -> None:
    n.attrs.dtype("dtype")
    n.bind(constant(n.b.unique(n.name), n.attrs.tensor("value")))


@converter("Identity", "StopGradient", "Snapshot")
def _identity(n: TfNode) -> None:
    n.bind(n.input(0))


@converter("PreventGradient", "CheckNumerics")
def _identity_with_message(n: TfNode) -> None:
    n.attrs.str("message", "")
    n.bind(n.input(0))


@converter("PlaceholderWithDefault")
def _placeholder_default(n: TfNode) -> None:
    """Compiled graphs have no feeds for these: the default is the value."""
    n.attrs.dtype("dtype")
    n.attrs.shape("shape")
    n.bind(n.input(0))


@converter("IdentityN")
def _identity_n(n: TfNode) -> None:
    n.bind(*n.inputs())


@converter("NoOp")
def _noop(n: TfNode) -> None:
    """Only control dependencies: nothing to compute."""


def _index_type(n: TfNode, attr: str = "out_type") -> DType:
    dtype = n.attrs.dtype(attr, DType.INT32)
    if dtype not in (DType.INT32, DType.INT64):
        raise n.fail(f"{attr} {dtype.value} is not supported", "use int32 or int64")
    return dtype


@converter("Shape")
def _shape(n: TfNode) -> None:
    n.bind(n.const_value(np.array(n.input(0).shape, _index_type(n).np), "shape"))


@converter("ShapeN")
def _shape_n(n: TfNode) -> None:
    dtype = _index_type(n)
    n.bind(
        *(n.const_value(np.array(v.shape, dtype.np), f"shape{i}") for i, v in enumerate(n.inputs()))
    )


@converter("Size")
def _size(n: TfNode) -> None:
    n.bind(n.const_value(np.array(n.input(0).size, _index_type(n).np), "size"))


@converter("Rank")
def _rank(n: TfNode) -> None:
    n.bind(n.const_value(np.array(n.input(0).rank, np.int32), "rank"))


@converter("Cast")
def _cast(n: TfNode) -> None:
    x = n.input(0)
    to = n.attrs.dtype("DstT")
    n.attrs.dtype("SrcT")
    if (
        n.attrs.bool("Truncate", False)
        and x.dtype.is_float
        and to.is_float
        and to.itemsize < x.dtype.itemsize
    ):
        raise n.fail("Truncate=True (mantissa truncation instead of rounding) is not supported")
    if to == x.dtype:
        n.bind(x)
        return
    n.emit("Cast", [x], ew.Cast(to))


@converter("Fill")
def _fill(n: TfNode) -> None:
    dims = tuple(n.const_ints(0, "dims"))
    n.emit("Expand", [n.input(1)], t.Expand(dims))


@converter("ZerosLike", "OnesLike")
def _zeros_like(n: TfNode) -> None:
    x = n.input(0)
    fill = np.zeros if n.op == "ZerosLike" else np.ones
    n.bind(n.const_value(fill(x.shape, x.dtype.np), "fill"))


@converter("Range")
def _range(n: TfNode) -> None:
    ends = [n.const(i, w) for i, w in enumerate(("start", "limit", "delta"))]
    if any(np.size(v) != 1 or np.asarray(v).dtype.kind not in "iuf" for v in ends):
        raise n.fail("start, limit and delta must be single numbers")
    start, limit, delta = (np.asarray(v).reshape(()) for v in ends)
    dtype = n.attrs.dtype("Tidx", DType.INT32)
    check_range(f"Range node '{n.name}'", float(start), float(limit), float(delta))
    n.bind(n.const_value(np.arange(start, limit, delta).astype(dtype.np), "range"))
