"""Elementwise ops: unary math and activations, broadcasting binary ops, Where, Cast, Clip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halo.ir.dtype import FLOAT_DTYPES, DType
from halo.ir.graph import Node, Value
from halo.ir.ops.registry import (
    InPlace,
    Layout,
    NoAttrs,
    TypeShape,
    broadcast_shapes,
    fail,
    flops_rule,
    identity_rule,
    register_op,
)

INTS = tuple(d for d in DType if d.is_int)
NUMERIC = (*FLOAT_DTYPES, *INTS)
SIGNED = tuple(d for d in NUMERIC if d.is_signed)

FLOAT_UNARY = (
    "Exp Log Sqrt Rsqrt Reciprocal Floor Ceil Round Erf Sin Cos Tan Asin Acos Atan Sinh Cosh "
    "Asinh Acosh Atanh Relu Sigmoid Tanh Softplus Softsign HardSwish Mish"
).split()
NUMERIC_UNARY = ["Abs", "Neg", "Sign"]
INT_UNARY = ["BitwiseNot"]
ARITH_BINARY = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"]
COMPARE_BINARY = ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"]
LOGIC_BINARY = ["And", "Or", "Xor"]
BITWISE_BINARY = ["BitwiseAnd", "BitwiseOr", "BitwiseXor"]


@dataclass(frozen=True)
class Alpha:
    """LeakyRelu, Elu, Celu, ThresholdedRelu: one coefficient."""

    alpha: float


@dataclass(frozen=True)
class Selu:
    alpha: float
    gamma: float


@dataclass(frozen=True)
class HardSigmoid:
    """y = max(0, min(1, alpha * x + beta))."""

    alpha: float
    beta: float


@dataclass(frozen=True)
class Gelu:
    approximate: bool  # tanh approximation


@dataclass(frozen=True)
class Clip:
    lo: float
    hi: float


@dataclass(frozen=True)
class Mod:
    fmod: bool  # C fmod (sign of dividend) instead of Python % (sign of divisor)


@dataclass(frozen=True)
class BitShift:
    left: bool


@dataclass(frozen=True)
class IsInf:
    detect_positive: bool
    detect_negative: bool


@dataclass(frozen=True)
class Cast:
    to: DType


def _same(op: str, dtypes: Sequence[DType], out: DType | None = None) -> None:
    @register_op(op, inputs=1, dtypes=dtypes, layout=Layout.FIRST, inplace=InPlace.SAME_SIZE)
    def infer(attrs: object, ins: Sequence[Value | None]) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        return [(out or x.dtype, x.shape)]


def _unary_with(
    op: str,
    attrs: type,
    dtypes: Sequence[DType],
    out: DType | None = None,
    inplace: InPlace = InPlace.SAME_SIZE,
) -> None:
    @register_op(op, attrs, inputs=1, dtypes=dtypes, layout=Layout.FIRST, inplace=inplace)
    def infer(a: object, ins: Sequence[Value | None]) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        return [(out or x.dtype, x.shape)]


def _binary(
    op: str, dtypes: Sequence[DType], out: DType | None = None, attrs: type | None = None
) -> None:
    @register_op(
        op, attrs or NoAttrs, inputs=2, dtypes=dtypes, layout=Layout.ALL, inplace=InPlace.EITHER
    )
    def infer(a: object, ins: Sequence[Value | None]) -> list[TypeShape]:
        x, y = ins
        assert x is not None and y is not None
        if x.dtype != y.dtype and op not in ("Pow", "PRelu"):
            raise fail(op, f"operand types differ ({x.dtype.value} vs {y.dtype.value})", ins)
        return [(out or x.dtype, broadcast_shapes(op, x.shape, y.shape))]


for _op in FLOAT_UNARY:
    _same(_op, FLOAT_DTYPES)
for _op in NUMERIC_UNARY:
    _same(_op, NUMERIC)
_same("BitwiseNot", INTS)
_same("Not", (DType.BOOL,))
_same("IsNaN", FLOAT_DTYPES, DType.BOOL)
_unary_with("IsInf", IsInf, FLOAT_DTYPES, DType.BOOL)
for _op in ("LeakyRelu", "Elu", "Celu", "ThresholdedRelu"):
    _unary_with(_op, Alpha, FLOAT_DTYPES)
_unary_with("Selu", Selu, FLOAT_DTYPES)
_unary_with("HardSigmoid", HardSigmoid, FLOAT_DTYPES)
_unary_with("Gelu", Gelu, FLOAT_DTYPES)
_unary_with("Clip", Clip, NUMERIC, inplace=InPlace.FIRST)
for _op in ARITH_BINARY:
    _binary(_op, NUMERIC)
_binary("PRelu", FLOAT_DTYPES)
_binary("Mod", NUMERIC, attrs=Mod)
for _op in COMPARE_BINARY:
    _binary(_op, (*NUMERIC, DType.BOOL), DType.BOOL)
for _op in LOGIC_BINARY:
    _binary(_op, (DType.BOOL,))
for _op in BITWISE_BINARY:
    _binary(_op, INTS)
_binary("BitShift", INTS, attrs=BitShift)


@register_op("Cast", Cast, inputs=1, layout=Layout.FIRST, inplace=InPlace.SAME_SIZE)
def _cast(a: Cast, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    return [(a.to, x.shape)]


@register_op("Where", inputs=3, layout=Layout.ALL)
def _where(a: object, ins: Sequence[Value | None]) -> list[TypeShape]:
    c, x, y = ins
    assert c is not None and x is not None and y is not None
    if c.dtype is not DType.BOOL or x.dtype != y.dtype:
        raise fail("Where", "needs a bool condition and two values of one type", ins)
    return [(x.dtype, broadcast_shapes("Where", c.shape, x.shape, y.shape))]


@identity_rule("Cast")
def _cast_identity(n: Node) -> bool:
    return True  # to the operand's own type


@flops_rule("Cast")
def _no_flops(n: Node) -> int:
    return 0
