"""Quantization ops -> odla_Quantize, odla_Dequantize, odla_QLinearConv, odla_QLinearMatMul,
odla_QLinearAdd."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.graph import Node


@lower("QuantizeLinear", "DequantizeLinear")
def _convert(n: Node, c: LowerContext) -> Call:
    fn = "odla_Quantize" if n.op == "QuantizeLinear" else "odla_Dequantize"
    x, scale, zero = n.inputs
    args = [c.val(x), c.val(scale), c.val(zero), cpp.integer(n.attrs.axis)]
    return c.finish(Call(fn, [*args, n.outputs[0].dtype.odla, c.out_id()]))


@lower("QLinearConv")
def _qconv(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    x, xs, xz, w, ws, wz, ys, yz = n.inputs[:8]
    bias = n.inputs[8] if len(n.inputs) > 8 else None
    args = [
        c.val(x),
        "ODLA_CHANNELS_FIRST",
        cpp.integer(a.group),
        c.val(w),
        "ODLA_OIS",
        c.u32s("strides", a.strides),
        c.u32s("dilations", a.dilations),
        c.u32s("pads_front", a.pads_begin),
        c.u32s("pads_back", a.pads_end),
        c.val(bias),
        *(c.val(v) for v in (xs, xz, ws, wz, ys, yz)),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_QLinearConv", args))


@lower("QLinearMatMul")
def _qmatmul(n: Node, c: LowerContext) -> Call:
    x, xs, xz, b, bs, bz, ys, yz = n.inputs[:8]
    bias = n.inputs[8] if len(n.inputs) > 8 else None
    args = [c.val(v) for v in (x, xs, xz, b, bs, bz, bias, ys, yz)]
    return c.finish(Call("odla_QLinearMatMul", [*args, c.out_shape(), c.out_id()]))


@lower("QLinearAdd")
def _qadd(n: Node, c: LowerContext) -> Call:
    args = [c.val(v) for v in n.inputs]
    return c.finish(Call("odla_QLinearAdd", [*args, cpp.boolean(n.attrs.relu), c.out_id()]))
