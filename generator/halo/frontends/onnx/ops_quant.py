"""ONNX linear quantization: QuantizeLinear, DequantizeLinear, QLinearConv and QLinearMatMul as the
IR's integer ops (constant scales and zero points, per tensor or per axis); blocked or run-time
parameters, 16-bit types and MatMulInteger from Cast / Sub / Mul / Round / Clip / Gemm."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode, onnx_dtype
from halo.frontends.onnx.ops_nn import spatial_attrs
from halo.frontends.onnx.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg, nn
from halo.ir.ops import quant as q
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis

_RANGES = {
    DType.UINT8: (0, 255),
    DType.INT8: (-128, 127),
    DType.UINT16: (0, 65535),
    DType.INT16: (-32768, 32767),
}


def _cast(n: OnnxNode, v: Value, to: DType) -> Value:
    return v if v.dtype is to else n.tmp("Cast", [v], ew.Cast(to))


def _spread(n: OnnxNode, p: Value, x: Value) -> Value:
    """A scale or zero point shaped to broadcast against ``x`` (per tensor, per axis or blocked)."""
    if p.size == 1:
        return n.tmp("Reshape", [p], t.Reshape(())) if p.rank else p
    axis = norm_axis(n.attrs.int("axis", 1), x.rank, n.proto.op_type)
    block = n.attrs.int("block_size", 0)
    if not block:
        if p.rank != 1 or p.shape[0] != x.shape[axis]:
            raise n.fail(
                f"a per-axis parameter needs {x.shape[axis]} entries, it has shape {p.shape}"
            )
        return n.tmp(
            "Reshape",
            [p],
            t.Reshape(tuple(x.shape[axis] if i == axis else 1 for i in range(x.rank))),
        )
    rows = n.const_value(np.arange(x.shape[axis], dtype=np.int64) // block, "blocks")
    spread = n.tmp("Gather", [p, rows], t.Gather(axis))
    if spread.shape != x.shape:
        raise n.fail(f"blocked parameter of shape {p.shape} does not fit the input {x.shape}")
    return spread


def _out_dtype(n: OnnxNode, zero: Value | None, default: DType) -> DType:
    code = n.attrs.int("output_dtype", 0)
    if zero is not None:
        return zero.dtype
    return onnx_dtype(code, f"{n.proto.op_type} node '{n.name}' output_dtype") if code else default


def _native_params(n: OnnxNode, x: Value, scale: Value, zero: Value | None) -> bool:
    """Whether the IR's QuantizeLinear / DequantizeLinear take these parameters as they are:
    constant, per tensor or per axis (not blocked)."""
    return scale.is_const and (zero is None or zero.is_const) and not n.attrs.int("block_size", 0)


def _zero(n: OnnxNode, scale: Value, zero: Value | None, dtype: DType) -> Value:
    if zero is not None:
        return zero
    return n.const_value(np.zeros(scale.shape, dtype.np), "zero_point")


def _quant_attrs(n: OnnxNode, x: Value, scale: Value) -> q.Quant:
    axis = n.attrs.int("axis", 1)
    return q.Quant(norm_axis(axis, x.rank, n.proto.op_type) if scale.size > 1 else 0)


@converter("DequantizeLinear")
def _dequantize(n: OnnxNode) -> None:
    x, scale, zero = n.input(0), n.input(1), n.input(2)
    if x is None or scale is None:
        raise n.fail("x and x_scale are required")
    code = n.attrs.int("output_dtype", 0)
    out = (
        onnx_dtype(code, f"DequantizeLinear node '{n.name}' output_dtype") if code else scale.dtype
    )
    if (
        _native_params(n, x, scale, zero)
        and x.dtype in (*q.QUANT_DTYPES, DType.INT32)
        and scale.dtype is out is DType.FLOAT32
    ):
        n.emit(
            "DequantizeLinear",
            [x, scale, _zero(n, scale, zero, x.dtype)],
            _quant_attrs(n, x, scale),
        )
        return
    # runtime or blocked parameters, 16-bit integers, other float types: elementwise
    dx = _cast(n, x, DType.FLOAT32)
    if zero is not None:
        dx = n.tmp("Sub", [dx, _spread(n, _cast(n, zero, DType.FLOAT32), x)])
    y = n.tmp("Mul", [dx, _spread(n, _cast(n, scale, DType.FLOAT32), x)])
    n.bind(_cast(n, y, out))


@converter("QuantizeLinear")
def _quantize(n: OnnxNode) -> None:
    x, scale, zero = n.input(0), n.input(1), n.input(2)
    if x is None or scale is None:
        raise n.fail("x and y_scale are required")
    n.attrs.int("saturate", 1)  # only meaningful for float8 outputs
    out = _out_dtype(n, zero, DType.UINT8)
    if out not in _RANGES:
        raise n.fail(
            f"quantizing to {out.value} is not supported", "use uint8, int8, uint16 or int16"
        )
    code = n.attrs.int("precision", 0)
    if (
        _native_params(n, x, scale, zero)
        and out in q.QUANT_DTYPES
        and x.dtype is scale.dtype is DType.FLOAT32
        and not code
    ):
        n.emit("QuantizeLinear", [x, scale, _zero(n, scale, zero, out)], _quant_attrs(n, x, scale))
        return
    work = (
        onnx_dtype(code, "precision")
        if code
        else (x.dtype if x.dtype == scale.dtype else DType.FLOAT32)
    )
    q_ = n.tmp("Round", [n.tmp("Div", [_cast(n, x, work), _spread(n, _cast(n, scale, work), x)])])
    if zero is not None:
        q_ = n.tmp("Add", [q_, _spread(n, _cast(n, zero, work), x)])
    lo, hi = _RANGES[out]
    n.bind(_cast(n, n.tmp("Clip", [q_], ew.Clip(float(lo), float(hi))), out))


def _qparams(n: OnnxNode, first: int, dtype: DType) -> list[Value]:
    """Operands ``first`` (scale) and ``first + 1`` (zero point, default 0 of ``dtype``)."""
    scale = n.need(first, "scale")
    return [scale, _zero(n, scale, n.input(first + 1), dtype)]


@converter("QLinearConv")
def _qlinear_conv(n: OnnxNode) -> None:
    """An integer convolution: x and w quantized, w per tensor or per output channel."""
    x, w = n.need(0, "x"), n.need(3, "w")
    kernel = n.attrs.ints("kernel_shape", None) or w.shape[2:]
    s, d, pb, pe = spatial_attrs(n, x, kernel)
    ins = [x, *_qparams(n, 1, x.dtype), w, *_qparams(n, 4, w.dtype), *_qparams(n, 6, x.dtype)]
    bias = n.input(8)
    n.emit(
        "QLinearConv",
        [*ins, *([bias] if bias is not None else [])],
        nn.Conv(n.attrs.int("group", 1), s, d, pb, pe),
    )


def _centered(n: OnnxNode, v: Value, zero: Value | None, row_axis: bool) -> Value:
    """int32(v) - int32(zero); a per-row zero point of A becomes a column vector."""
    v32 = _cast(n, v, DType.INT32)
    if zero is None:
        return v32
    z = _cast(n, zero, DType.INT32)
    if row_axis and z.rank == 1 and z.size > 1:
        z = n.tmp("Reshape", [z], t.Reshape((z.size, 1)))
    return n.tmp("Sub", [v32, z])


@converter("MatMulInteger")
def _matmul_integer(n: OnnxNode) -> None:
    a, b = n.input(0), n.input(1)
    if a is None or b is None:
        raise n.fail("A and B are required")
    n.emit(
        "Gemm",
        [_centered(n, a, n.input(2), True), _centered(n, b, n.input(3), False)],
        linalg.Gemm(),
    )


@converter("QLinearMatMul")
def _qlinear_matmul(n: OnnxNode) -> None:
    """Natively for a constant 2-D b (per-tensor or per-column scale); otherwise (batched or
    run-time b) round((A - a_zp)·(B - b_zp) · (a_scale·b_scale/y_scale) + y_zp) in double."""
    a, b, y_zero = n.input(0), n.input(3), n.input(7)
    if a is None or b is None:
        raise n.fail("a and b are required")
    if b.is_const and b.rank == 2 and a.rank >= 2 and b.dtype in q.QUANT_DTYPES:
        ins = [a, *_qparams(n, 1, a.dtype), b, *_qparams(n, 4, b.dtype), *_qparams(n, 6, a.dtype)]
        n.emit("QLinearMatMul", ins)
        return
    scales = [
        np.asarray(n.const(i, name)) for i, name in ((1, "a_scale"), (4, "b_scale"), (6, "y_scale"))
    ]
    if any(s.size != 1 for s in scales):
        raise n.fail("only per-tensor scales are supported")
    factor = (scales[0] * scales[1] / scales[2]).astype(np.float64).reshape(())
    acc = n.tmp(
        "Gemm",
        [_centered(n, a, n.input(2), True), _centered(n, b, n.input(5), False)],
        linalg.Gemm(),
    )
    y = n.tmp("Mul", [_cast(n, acc, DType.FLOAT64), n.const_value(factor, "factor")])
    out = a.dtype if y_zero is None else y_zero.dtype
    if y_zero is not None:
        y = n.tmp("Add", [y, _cast(n, n.tmp("Reshape", [y_zero], t.Reshape(())), DType.FLOAT64)])
    if out not in _RANGES:
        raise n.fail(f"a {out.value} result is not supported")
    lo, hi = _RANGES[out]
    n.bind(_cast(n, n.tmp("Clip", [n.tmp("Round", [y])], ew.Clip(float(lo), float(hi))), out))
