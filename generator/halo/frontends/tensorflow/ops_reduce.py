"""TensorFlow reductions and arg-reductions."""

from __future__ import annotations

from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.ir.dtype import DType
from halo.ir.ops import elementwise as ew
from halo.ir.ops import reduce
from halo.ir.ops.registry import norm_axis

_REDUCE = {
    "Mean": "ReduceMean",
    "Sum": "ReduceSum",
    "Max": "ReduceMax",
    "Min": "ReduceMin",
    "Prod": "ReduceProd",
    "EuclideanNorm": "ReduceL2",
}


@converter(*_REDUCE)
def _reduce(n: TfNode) -> None:
    x = n.input(0)
    axes = sorted({norm_axis(a, x.rank, n.op) for a in n.const_ints(1, "reduction_indices")})
    keep = n.attrs.bool("keep_dims", False)
    if not axes:  # TensorFlow reduces over no axis: the input unchanged
        n.bind(x)
        return
    n.emit(_REDUCE[n.op], [x], reduce.Reduce(tuple(axes), keep))


@converter("ArgMax", "ArgMin")
def _arg(n: TfNode) -> None:
    x = n.input(0)
    axis = n.const_ints(1, "dimension")
    if len(axis) != 1:
        raise n.fail(f"expects one dimension, got {axis}")
    out = n.attrs.dtype("output_type", DType.INT64)
    if out not in (DType.INT32, DType.INT64):
        raise n.fail(f"output_type {out.value} is not supported", "use int32 or int64")
    attrs = reduce.ArgReduce(norm_axis(axis[0], x.rank, n.op), False, False)
    if out is DType.INT64:
        n.emit(n.op, [x], attrs)
    else:
        n.emit("Cast", [n.tmp(n.op, [x], attrs)], ew.Cast(DType.INT32))
