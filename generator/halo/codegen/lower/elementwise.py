"""Elementwise ops -> odla_<Op>."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.graph import Node
from halo.ir.ops import elementwise as ew

_RENAMED = {
    "Asin": "ASin",
    "Acos": "ACos",
    "Atan": "ATan",
    "Asinh": "ASinh",
    "Acosh": "ACosh",
    "Atanh": "ATanh",
}
_PLAIN = [
    *ew.FLOAT_UNARY,
    *ew.NUMERIC_UNARY,
    "BitwiseNot",
    "Not",
    "IsNaN",
    *ew.ARITH_BINARY,
    *ew.COMPARE_BINARY,
    *ew.LOGIC_BINARY,
    *ew.BITWISE_BINARY,
    "PRelu",
]


@lower(*_PLAIN)
def _plain(n: Node, c: LowerContext) -> Call:
    fn = "odla_" + _RENAMED.get(n.op, n.op)
    return c.finish(Call(fn, [c.val(v) for v in n.inputs] + [c.out_id()]))


@lower("LeakyRelu", "Elu", "Celu", "ThresholdedRelu")
def _alpha(n: Node, c: LowerContext) -> Call:
    return c.finish(Call(f"odla_{n.op}", [c.val(n.inputs[0]), cpp.f32(n.attrs.alpha), c.out_id()]))


@lower("Selu")
def _selu(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    return c.finish(
        Call("odla_Selu", [c.val(n.inputs[0]), cpp.f32(a.alpha), cpp.f32(a.gamma), c.out_id()])
    )


@lower("HardSigmoid")
def _hsig(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [c.val(n.inputs[0]), cpp.f32(a.alpha), cpp.f32(a.beta), c.out_id()]
    return c.finish(Call("odla_HardSigmoid", args))


@lower("Gelu")
def _gelu(n: Node, c: LowerContext) -> Call:
    args = [c.val(n.inputs[0]), cpp.boolean(n.attrs.approximate), c.out_id()]
    return c.finish(Call("odla_Gelu", args))


@lower("Clip")
def _clip(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    return c.finish(
        Call("odla_Clamp", [c.val(n.inputs[0]), cpp.f32(a.lo), cpp.f32(a.hi), c.out_id()])
    )


@lower("Mod")
def _mod(n: Node, c: LowerContext) -> Call:
    args = [c.val(n.inputs[0]), c.val(n.inputs[1]), cpp.boolean(n.attrs.fmod), c.out_id()]
    return c.finish(Call("odla_Mod", args))


@lower("BitShift")
def _shift(n: Node, c: LowerContext) -> Call:
    args = [c.val(n.inputs[0]), c.val(n.inputs[1]), cpp.boolean(n.attrs.left), c.out_id()]
    return c.finish(Call("odla_Shift", args))


@lower("IsInf")
def _isinf(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        cpp.boolean(a.detect_positive),
        cpp.boolean(a.detect_negative),
        c.out_id(),
    ]
    return c.finish(Call("odla_IsInf", args))


@lower("Cast")
def _cast(n: Node, c: LowerContext) -> Call:
    return c.finish(Call("odla_Cast", [c.val(n.inputs[0]), n.attrs.to.odla, c.out_id()]))


@lower("Where")
def _where(n: Node, c: LowerContext) -> Call:
    args = [c.val(v) for v in n.inputs] + [c.out_shape(), c.out_id()]
    return c.finish(Call("odla_Select", args, dtype=n.operand(1).dtype.value))
