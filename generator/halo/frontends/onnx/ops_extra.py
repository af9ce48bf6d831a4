"""ONNX ops decomposed into existing IR ops or mapped to the ops of ir/ops/extra.py: Trilu, EyeLike,
Shrink, LpNormalization, LpPool, CumProd, BitCast, Det."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode, onnx_dtype
from halo.frontends.onnx.ops_nn import spatial_attrs
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import extra, nn
from halo.ir.ops import reduce as r
from halo.ir.ops.nn import pool_output_size
from halo.ir.ops.registry import norm_axis


def _x(n: OnnxNode) -> Value:
    v = n.input(0)
    if v is None:
        raise n.fail("operand 0 is missing")
    return v


def _scalar(n: OnnxNode, value: float, like: Value, hint: str) -> Value:
    return n.const_value(np.array(value).astype(like.dtype.np), hint)


@converter("Trilu")
def _trilu(n: OnnxNode) -> None:
    """Where(triangle mask, x, 0) with the mask a constant of the matrix shape."""
    x = _x(n)
    k = n.scalar(1, "k")
    k = 0 if k is None else int(k)
    rows, cols = np.indices(x.shape[-2:])
    mask = (cols - rows >= k) if n.attrs.int("upper", 1) else (cols - rows <= k)
    n.emit("Where", [n.const_value(mask, "mask"), x, _scalar(n, 0, x, "zero")])


@converter("EyeLike")
def _eye_like(n: OnnxNode) -> None:
    x = _x(n)
    code = n.attrs.int("dtype", 0)
    dtype = onnx_dtype(code, f"EyeLike node '{n.name}' dtype") if code else x.dtype
    if x.rank != 2:
        raise n.fail(f"needs a 2-D input, got shape {x.shape}")
    eye = np.eye(x.shape[0], x.shape[1], k=n.attrs.int("k", 0), dtype=dtype.np)
    n.bind(n.const_value(eye, "eye"))


@converter("Shrink")
def _shrink(n: OnnxNode) -> None:
    """x < -lambd: x + bias; x > lambd: x - bias; else 0."""
    x = _x(n)
    lambd, bias = n.attrs.float("lambd", 0.5), n.attrs.float("bias", 0.0)
    b = _scalar(n, bias, x, "bias")
    upper = n.tmp(
        "Where",
        [
            n.tmp("Greater", [x, _scalar(n, lambd, x, "lambd")]),
            n.tmp("Sub", [x, b]),
            _scalar(n, 0, x, "zero"),
        ],
    )
    n.emit(
        "Where",
        [n.tmp("Less", [x, _scalar(n, -lambd, x, "neg_lambd")]), n.tmp("Add", [x, b]), upper],
    )


@converter("LpNormalization")
def _lp_normalization(n: OnnxNode) -> None:
    x = _x(n)
    p = n.attrs.int("p", 2)
    if p not in (1, 2):
        raise n.fail(f"p={p} is not defined (use 1 or 2)")
    axis = norm_axis(n.attrs.int("axis", -1), x.rank, "LpNormalization")
    norm = n.tmp("ReduceL1" if p == 1 else "ReduceL2", [x], r.Reduce((axis,), True))
    zero = _scalar(n, 0, x, "zero")  # a zero norm means a zero slice, which stays zero
    n.emit("Where", [n.tmp("Equal", [norm, zero]), zero, n.tmp("Div", [x, norm])])


def _power(n: OnnxNode, x: Value, p: float) -> Value:
    if p == 1:
        return x
    if p == 2:
        return n.tmp("Mul", [x, x])
    if p == 0.5:
        return n.tmp("Sqrt", [x])
    return n.tmp("Pow", [x, _scalar(n, p, x, "p")])


@converter("LpPool")
def _lp_pool(n: OnnxNode) -> None:
    """(sum over the window of |x|^p)^(1/p): the sum is a depthwise convolution with ones."""
    x = _x(n)
    kernel = n.attrs.ints("kernel_shape")
    p = n.attrs.float("p", 2.0)  # a float attribute in opset 1, an int later
    strides, dil, pb, pe = spatial_attrs(n, x, kernel)
    if n.attrs.int("ceil_mode", 0):  # extra end padding adds zeros, which add nothing
        pe = list(pe)
        for i, k in enumerate(kernel):
            out = pool_output_size(x.shape[2 + i], k, strides[i], dil[i], pb[i], pe[i], True)
            pe[i] = max(
                pe[i], (out - 1) * strides[i] + (k - 1) * dil[i] + 1 - x.shape[2 + i] - pb[i]
            )
        pe = tuple(pe)
    channels = x.shape[1]
    ones = n.const_value(np.ones((channels, 1, *kernel), x.dtype.np), "window")
    powered = _power(n, x if p == 2 else n.tmp("Abs", [x]), p)
    sums = n.tmp(
        "Conv", [powered, ones], nn.Conv(channels, tuple(strides), tuple(dil), tuple(pb), tuple(pe))
    )
    n.bind(_power(n, sums, 1 / p))


@converter("CumProd")
def _cumprod(n: OnnxNode) -> None:
    axis = int(n.need_scalar(1, "axis"))
    attrs = extra.CumProd(axis, bool(n.attrs.int("exclusive", 0)), bool(n.attrs.int("reverse", 0)))
    n.emit("CumProd", [_x(n)], attrs)


@converter("BitCast")
def _bitcast(n: OnnxNode) -> None:
    to = onnx_dtype(n.attrs.int("to"), f"BitCast node '{n.name}' target")
    n.emit("BitCast", [_x(n)], extra.BitCast(to))


@converter("Det")
def _det(n: OnnxNode) -> None:
    n.emit("Det", [_x(n)])
