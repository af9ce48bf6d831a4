"""TFLite reductions (MEAN, SUM, REDUCE_MAX/MIN/PROD) and ARG_MAX/ARG_MIN."""

from __future__ import annotations

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter
from halo.ir.dtype import DType
from halo.ir.ops import elementwise as ew
from halo.ir.ops import reduce as r
from halo.ir.ops.registry import norm_axis

_REDUCE = {
    "MEAN": "ReduceMean",
    "SUM": "ReduceSum",
    "REDUCE_MAX": "ReduceMax",
    "REDUCE_MIN": "ReduceMin",
    "REDUCE_PROD": "ReduceProd",
}


@converter(*_REDUCE)
def _reduce(n: TfliteNode) -> None:
    x = n.x(0)
    axes = sorted({norm_axis(a, x.rank, n.op.op) for a in n.const_ints(1, "axes")})
    keep = bool(n.opts["keep_dims"])
    if not axes:  # reducing over no axis is the identity
        n.bind(x)
        return
    n.emit(_REDUCE[n.op.op], [x], r.Reduce(tuple(axes), keep))


@converter("ARG_MAX", "ARG_MIN")
def _arg(n: TfliteNode) -> None:
    x, axis = n.x(0), n.const_ints(1, "axis")
    if len(axis) != 1:
        raise n.fail(f"expects one axis, got {axis}")
    out = n.output_tensor()
    n.opts.ignore("output_type")
    op = "ArgMax" if n.op.op == "ARG_MAX" else "ArgMin"
    attrs = r.ArgReduce(norm_axis(axis[0], x.rank, n.op.op), keepdims=False, select_last=False)
    if out.dtype is DType.INT64:
        n.emit(op, [x], attrs)
    elif out.dtype is DType.INT32:
        n.emit("Cast", [n.tmp(op, [x], attrs)], ew.Cast(DType.INT32))
    else:
        raise n.fail(f"output type {out.type_name} is not supported (int32 or int64)")
