"""Linear quantization: real = scale * (q - zero_point), q uint8 or int8 (int32 for biases).

QuantizeLinear / DequantizeLinear convert per tensor or per axis; QLinearConv and QLinearMatMul
compute on the integers (int32 accumulation, an int32 bias, the result requantized to the output's
scale and zero point). Scales and zero points are constant operands, as in ONNX; the exact
arithmetic is in reference/quant.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from halo.ir.dtype import DType
from halo.ir.graph import Node, Value
from halo.ir.ops.nn import Conv
from halo.ir.ops.registry import (
    OPS,
    Layout,
    NoAttrs,
    Perm,
    TypeShape,
    fail,
    flops_rule,
    permute_rule,
    register_op,
)

QUANT_DTYPES = (DType.UINT8, DType.INT8)
QRANGE = {DType.UINT8: (0, 255), DType.INT8: (-128, 127), DType.INT32: (-(2**31), 2**31 - 1)}


@dataclass(frozen=True)
class Quant:
    """The axis of the tensor that per-axis scales index (normalized; unused per tensor)."""

    axis: int = 0


def check_params(
    op: str, what: str, scale: Value | None, zero: Value | None, count: int, dtypes: Sequence[DType]
) -> None:
    """``scale`` and ``zero`` are constants with 1 or ``count`` entries, float32 and ``dtypes``."""
    if scale is None or zero is None or not scale.is_const or not zero.is_const:
        raise fail(op, f"{what} scale and zero point must be constants")
    if scale.dtype is not DType.FLOAT32:
        raise fail(op, f"{what} scale must be float32, got {scale.dtype.value}", [scale])
    if zero.dtype not in dtypes:
        names = ", ".join(d.value for d in dtypes)
        raise fail(op, f"{what} zero point must be {names}, got {zero.dtype.value}", [zero])
    if scale.size not in (1, count) or zero.size != scale.size or scale.rank > 1:
        raise fail(op, f"{what} scale and zero point need 1 or {count} entries each", [scale, zero])
    if not np.all(scale.array > 0) or not np.all(np.isfinite(scale.array)):
        raise fail(op, f"{what} scales must be positive and finite", [scale])


def _per_axis_count(op: str, a: Quant, x: Value, scale: Value | None) -> int:
    if scale is None or scale.size <= 1:
        return 1
    if not 0 <= a.axis < x.rank:
        raise fail(op, f"axis {a.axis} is out of range for rank {x.rank}", [x])
    return x.shape[a.axis]


@register_op("QuantizeLinear", Quant, inputs=3, dtypes=(DType.FLOAT32,), layout=Layout.FIRST)
def _quantize(a: Quant, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, scale, zero = ins
    assert x is not None
    check_params(
        "QuantizeLinear",
        "y",
        scale,
        zero,
        _per_axis_count("QuantizeLinear", a, x, scale),
        QUANT_DTYPES,
    )
    assert zero is not None
    return [(zero.dtype, x.shape)]


@register_op(
    "DequantizeLinear",
    Quant,
    inputs=3,
    dtypes=(*QUANT_DTYPES, DType.INT32),
    layout=Layout.FIRST,
    folds=False,
)
def _dequantize(a: Quant, ins: Sequence[Value | None]) -> list[TypeShape]:
    q, scale, zero = ins
    assert q is not None
    count = _per_axis_count("DequantizeLinear", a, q, scale)
    check_params("DequantizeLinear", "x", scale, zero, count, (q.dtype,))
    return [(DType.FLOAT32, q.shape)]


def _output_params(op: str, ins: Sequence[Value | None]) -> DType:
    check_params(op, "y", ins[6], ins[7], 1, QUANT_DTYPES)
    y_zero = ins[7]
    assert y_zero is not None
    return y_zero.dtype


def _bias(op: str, bias: Value | None, count: int) -> None:
    if bias is not None and (bias.dtype is not DType.INT32 or bias.shape != (count,)):
        raise fail(op, f"the bias must be int32 of shape ({count},)", [bias])


@register_op("QLinearConv", Conv, inputs=(8, 9), dtypes=QUANT_DTYPES)
def _qconv(a: Conv, ins: Sequence[Value | None]) -> list[TypeShape]:
    """Operands as ONNX QLinearConv: x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero,
    bias; w is int8/uint8, its scale per tensor or per output channel."""
    x, w = ins[0], ins[3]
    assert x is not None and w is not None
    check_params("QLinearConv", "x", ins[1], ins[2], 1, (x.dtype,))
    check_params("QLinearConv", "w", ins[4], ins[5], w.shape[0], QUANT_DTYPES)
    if not w.is_const:
        raise fail("QLinearConv", "the weights must be a constant", [w])
    _bias("QLinearConv", ins[8] if len(ins) > 8 else None, w.shape[0])
    [(_, shape)] = OPS["Conv"].infer(a, [x, w])
    return [(_output_params("QLinearConv", ins), shape)]


@register_op("QLinearMatMul", NoAttrs, inputs=(8, 9), dtypes=QUANT_DTYPES)
def _qmatmul(a: NoAttrs, ins: Sequence[Value | None]) -> list[TypeShape]:
    """Operands as ONNX QLinearMatMul (a [..., M, K], b [K, N] constant), then an int32 bias [N];
    b's scale per tensor or per column."""
    x, b = ins[0], ins[3]
    assert x is not None and b is not None
    if x.rank < 2 or b.rank != 2 or x.shape[-1] != b.shape[0] or not b.is_const:
        raise fail("QLinearMatMul", "needs a [..., M, K] and a constant b [K, N]", [x, b])
    check_params("QLinearMatMul", "a", ins[1], ins[2], 1, (x.dtype,))
    check_params("QLinearMatMul", "b", ins[4], ins[5], b.shape[1], QUANT_DTYPES)
    _bias("QLinearMatMul", ins[8] if len(ins) > 8 else None, b.shape[1])
    return [(_output_params("QLinearMatMul", ins), (*x.shape[:-1], b.shape[1]))]


@dataclass(frozen=True)
class QAdd:
    """Whether a Relu follows the sum (before the requantization)."""

    relu: bool = False


@register_op("QLinearAdd", QAdd, inputs=8, dtypes=QUANT_DTYPES)
def _qadd(a: QAdd, ins: Sequence[Value | None]) -> list[TypeShape]:
    """a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero, all per tensor; a and b of one
    shape: the float sum of the two dequantized operands (then the Relu), quantized."""
    x, y = ins[0], ins[3]
    assert x is not None and y is not None
    if y.dtype not in QUANT_DTYPES or x.shape != y.shape:
        raise fail("QLinearAdd", "needs two uint8/int8 operands of one shape", [x, y])
    check_params("QLinearAdd", "a", ins[1], ins[2], 1, (x.dtype,))
    check_params("QLinearAdd", "b", ins[4], ins[5], 1, (y.dtype,))
    return [(_output_params("QLinearAdd", ins), x.shape)]


@permute_rule("QuantizeLinear", "DequantizeLinear")
def _quant_permuted(a: Quant, p: Perm) -> tuple[Quant, Perm]:
    """Elementwise; per-axis scales follow their axis through the transpose."""
    return replace(a, axis=p[a.axis % len(p)] if p else a.axis), p


@flops_rule("QLinearConv")
def _qconv_flops(n: Node) -> int:
    return 2 * n.outputs[0].size * int(np.prod(n.operand(3).shape[1:]))


@flops_rule("QLinearMatMul")
def _qmatmul_flops(n: Node) -> int:
    return 2 * n.outputs[0].size * n.operand(3).shape[0]
