"""The ops of ir/ops/extra.py -> odla_GatherND, odla_ScatterElements and the ODLA extensions of
odla_ops_ext.h (odla_ScatterND, odla_CumProd, odla_BitCast, odla_Det)."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.graph import Node

_REDUCTION = {
    "none": "ODLA_SCATTER_NONE",
    "add": "ODLA_SCATTER_ADD",
    "mul": "ODLA_SCATTER_MUL",
    "max": "ODLA_SCATTER_MAX",
    "min": "ODLA_SCATTER_MIN",
}


@lower("GatherND")
def _gather_nd(n: Node, c: LowerContext) -> Call:
    args = [
        c.val(n.inputs[0]),
        c.val(n.inputs[1]),
        cpp.integer(n.attrs.batch_dims),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_GatherND", args))


@lower("ScatterElements")
def _scatter_elements(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        *(c.val(v) for v in n.inputs),
        cpp.integer(a.axis),
        _REDUCTION[a.reduction],
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_ScatterElements", args))


@lower("ScatterND")
def _scatter_nd(n: Node, c: LowerContext) -> Call:
    args = [*(c.val(v) for v in n.inputs), _REDUCTION[n.attrs.reduction], c.out_shape(), c.out_id()]
    return c.finish(Call("odla_ScatterND", args))


@lower("CumProd")
def _cumprod(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        cpp.integer(a.axis),
        cpp.boolean(a.exclusive),
        cpp.boolean(a.reverse),
        c.out_id(),
    ]
    return c.finish(Call("odla_CumProd", args))


@lower("BitCast")
def _bitcast(n: Node, c: LowerContext) -> Call:
    return c.finish(Call("odla_BitCast", [c.val(n.inputs[0]), n.attrs.to.odla, c.out_id()]))


@lower("Det")
def _det(n: Node, c: LowerContext) -> Call:
    return c.finish(Call("odla_Det", [c.val(n.inputs[0]), c.out_id()]))
