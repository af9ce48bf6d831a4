"""Integer semantics of the quantization ops, bit for bit what the ODLA runtimes compute.

Every step is float32 arithmetic in a fixed order (round half to even): quantize
q = clamp(rint(x / s) + zp); dequantize x = float32(q - zp) * s; the integer products accumulate
exactly in int32 (here float64 on integers, exact below 2**53), plus the int32 bias, and requantize
with the multiplier M = (s_in * s_w) / s_out as y = clamp(rint(float32(acc) * M) + zp_out).
"""

from __future__ import annotations

import numpy as np

from halo.ir.dtype import DType
from halo.ir.ops import nn
from halo.ir.ops.quant import QRANGE, Quant
from halo.reference.nn import _conv
from halo.reference.registry import impl

F32 = np.float32


def _along(p: np.ndarray, axis: int, rank: int) -> np.ndarray:
    """A 1-element parameter as a scalar, a per-axis one shaped to broadcast along ``axis``."""
    if p.size == 1:
        return p.reshape(())
    return p.reshape([-1 if i == axis else 1 for i in range(rank)])


def saturate(v: np.ndarray, dtype: np.dtype) -> np.ndarray:
    lo, hi = QRANGE[DType.from_numpy(np.dtype(dtype))]
    return np.clip(v, lo, hi).astype(dtype)


@impl("QuantizeLinear")
def quantize(a: Quant, x: np.ndarray, scale: np.ndarray, zero: np.ndarray) -> np.ndarray:
    s = _along(scale.astype(F32), a.axis, x.ndim)
    z = _along(zero, a.axis, x.ndim).astype(F32)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        v = np.rint(x.astype(F32) / s) + z
    v = np.where(np.isnan(v), np.broadcast_to(z, v.shape), v)
    return saturate(v, zero.dtype)


@impl("DequantizeLinear")
def dequantize(a: Quant, q: np.ndarray, scale: np.ndarray, zero: np.ndarray) -> np.ndarray:
    d = q.astype(np.int64) - _along(zero, a.axis, q.ndim).astype(np.int64)
    return d.astype(F32) * _along(scale.astype(F32), a.axis, q.ndim)


def requantize(
    acc: np.ndarray, multiplier: np.ndarray, zero: np.ndarray, channel_axis: int
) -> np.ndarray:
    """int32 accumulators to the output type: clamp(rint(float32(acc) * M[c]) + zp)."""
    m = _along(multiplier, channel_axis, acc.ndim)
    acc32 = acc.astype(np.int64).astype(np.int32)  # wraps as the runtime's int32 does
    v = np.rint(acc32.astype(F32) * m) + zero.reshape(()).astype(F32)
    return saturate(v, zero.dtype)


def multiplier(s_in: np.ndarray, s_w: np.ndarray, s_out: np.ndarray) -> np.ndarray:
    """(s_in * s_w) / s_out in float32, per output channel (1-D)."""
    return (
        (s_in.astype(F32).reshape(()) * s_w.astype(F32).reshape(-1)) / s_out.astype(F32).reshape(())
    ).astype(F32)


def _centered(v: np.ndarray, zero: np.ndarray, axis: int) -> np.ndarray:
    return v.astype(np.float64) - _along(zero, axis, v.ndim).astype(np.float64)


@impl("QLinearConv")
def qlinear_conv(
    a: nn.Conv,
    x: np.ndarray,
    xs: np.ndarray,
    xz: np.ndarray,
    w: np.ndarray,
    ws: np.ndarray,
    wz: np.ndarray,
    ys: np.ndarray,
    yz: np.ndarray,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    # padding with 0 after centering is padding x with its zero point
    acc = np.rint(_conv(a, _centered(x, xz, 1), _centered(w, wz, 0))).astype(np.int64)
    if bias is not None:
        acc = acc + bias.astype(np.int64).reshape(1, -1, *([1] * (x.ndim - 2)))
    return requantize(acc, multiplier(xs, ws, ys), yz, 1)


@impl("QLinearMatMul")
def qlinear_matmul(
    a: object,
    x: np.ndarray,
    xs: np.ndarray,
    xz: np.ndarray,
    b: np.ndarray,
    bs: np.ndarray,
    bz: np.ndarray,
    ys: np.ndarray,
    yz: np.ndarray,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    acc = np.rint(_centered(x, xz, 0) @ _centered(b, bz, 1)).astype(np.int64)
    if bias is not None:
        acc = acc + bias.astype(np.int64)
    return requantize(acc, multiplier(xs, bs, ys), yz, acc.ndim - 1)


@impl("QLinearAdd")
def qlinear_add(a, x, xs, xz, y, ys, yz, os, oz) -> np.ndarray:
    """Exactly the unfused DequantizeLinear, DequantizeLinear, Add, [Relu], QuantizeLinear."""
    whole = Quant()
    v = dequantize(whole, x, xs, xz) + dequantize(whole, y, ys, yz)
    if a.relu:
        v = np.maximum(v, F32(0))
    return quantize(whole, v, os, oz)
