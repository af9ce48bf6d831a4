"""TFLite comparisons, logical operators, SELECT/SELECT_V2 and CAST."""

from __future__ import annotations

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter
from halo.ir.ops import elementwise as ew
from halo.ir.ops import tensor as t

_BINARY = {
    "EQUAL": "Equal",
    "LESS": "Less",
    "LESS_EQUAL": "LessOrEqual",
    "GREATER": "Greater",
    "GREATER_EQUAL": "GreaterOrEqual",
    "LOGICAL_AND": "And",
    "LOGICAL_OR": "Or",
}


@converter(*_BINARY)
def _binary(n: TfliteNode) -> None:
    n.emit(_BINARY[n.op.op], [n.x(0), n.x(1)])


@converter("NOT_EQUAL")
def _not_equal(n: TfliteNode) -> None:
    n.emit("Not", [n.tmp("Equal", [n.x(0), n.x(1)])])


@converter("LOGICAL_NOT")
def _not(n: TfliteNode) -> None:
    n.emit("Not", [n.x(0)])


@converter("SELECT", "SELECT_V2")
def _select(n: TfliteNode) -> None:
    """SELECT_V2 broadcasts; SELECT also takes a 1-D condition that picks whole rows."""
    cond, a, b = n.x(0), n.x(1), n.x(2)
    if n.op.op == "SELECT" and cond.rank == 1 and a.rank > 1 and cond.shape[0] == a.shape[0]:
        cond = n.tmp("Reshape", [cond], t.Reshape((cond.shape[0], *[1] * (a.rank - 1))))
    n.emit("Where", [cond, a, b])


@converter("CAST")
def _cast(n: TfliteNode) -> None:
    out = n.output_tensor()
    n.opts.ignore("in_data_type", "out_data_type")  # the tensors' own types rule
    if out.dtype is None:
        raise n.fail(f"casting to {out.type_name} is not supported")
    n.emit("Cast", [n.x(0)], ew.Cast(out.dtype))
