"""Matrix products: Gemm with optional transposes, scaling, bias and broadcast batch dims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halo.ir.dtype import DType
from halo.ir.graph import Node, Value
from halo.ir.ops.registry import TypeShape, broadcast_shapes, fail, flops_rule, register_op


@dataclass(frozen=True)
class Gemm:
    """Y = alpha * op(A) @ op(B) + beta * C over the last two axes; leading axes broadcast."""

    trans_a: bool = False
    trans_b: bool = False
    alpha: float = 1.0
    beta: float = 1.0


MATMUL_DTYPES = (
    DType.FLOAT32,
    DType.FLOAT64,
    DType.FLOAT16,
    DType.INT32,
    DType.INT64,
    DType.UINT32,
    DType.UINT64,
)


@register_op("Gemm", Gemm, inputs=(2, 3), dtypes=MATMUL_DTYPES)
def _gemm(g: Gemm, ins: Sequence[Value | None]) -> list[TypeShape]:
    a, b = ins[0], ins[1]
    c = ins[2] if len(ins) > 2 else None
    assert a is not None and b is not None
    if a.rank < 2 or b.rank < 2 or a.dtype != b.dtype:
        raise fail("Gemm", "needs two operands of rank >= 2 and one type", ins)
    m, k = (a.shape[-1], a.shape[-2]) if g.trans_a else a.shape[-2:]
    k2, n = (b.shape[-1], b.shape[-2]) if g.trans_b else b.shape[-2:]
    if k != k2:
        raise fail("Gemm", f"inner dimensions differ ({k} vs {k2})", ins)
    batch = broadcast_shapes("Gemm", a.shape[:-2], b.shape[:-2])
    out = (*batch, m, n)
    if c is not None and broadcast_shapes("Gemm", c.shape, out) != out:
        raise fail("Gemm", f"bias {c.shape} does not broadcast to {out}", ins)
    return [(a.dtype, out)]


@flops_rule("Gemm")
def _gemm_flops(n: Node) -> int:
    a = n.operand(0)
    return 2 * n.outputs[0].size * (a.shape[-2] if n.attrs.trans_a else a.shape[-1])
