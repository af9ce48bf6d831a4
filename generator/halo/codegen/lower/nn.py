"""Convolution, pooling, normalization, softmax, resize -> odla_<Op>."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.graph import Node

_COORD = {
    "asymmetric": "ODLA_ASSYMMETRIC",
    "half_pixel": "ODLA_HALF_PIXEL",
    "tf_half_pixel_for_nn": "ODLA_HALF_PIXEL_TF",
    "align_corners": "ODLA_ALIGN_CORNERS",
    "pytorch_half_pixel": "ODLA_PYTORCH_HALF_PIXEL",
    "half_pixel_symmetric": "ODLA_HALF_PIXEL_SYMMETRIC",
}
_NEAREST = {
    "round_prefer_floor": "ODLA_NEAREST_ROUND_PREFER_FLOOR",
    "round_prefer_ceil": "ODLA_NEAREST_ROUND_PREFER_CEIL",
    "floor": "ODLA_NEAREST_FLOOR",
    "ceil": "ODLA_NEAREST_CEIL",
}
_INTERP = {"nearest": "ODLA_NEAREST", "linear": "ODLA_LINEAR", "cubic": "ODLA_CUBIC"}


@lower("Conv", "ConvTranspose")
def _conv(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    deconv = n.op == "ConvTranspose"
    args = [
        c.val(n.input(0)),
        "ODLA_CHANNELS_FIRST",
        cpp.integer(a.group),
        c.val(n.input(1)),
        "ODLA_IOS" if deconv else "ODLA_OIS",
        c.u32s("strides", a.strides),
        c.u32s("dilations", a.dilations),
        c.u32s("pads_front", a.pads_begin),
        c.u32s("pads_back", a.pads_end),
        c.val(n.input(2)),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_DeConv" if deconv else "odla_Conv", args))


@lower("MaxPool")
def _maxpool(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        "ODLA_CHANNELS_FIRST",
        c.u32s("window", a.kernel),
        c.u32s("strides", a.strides),
        c.u32s("pads_front", a.pads_begin),
        c.u32s("pads_back", a.pads_end),
        c.u32s("dilations", a.dilations),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_MaxPool", args))


@lower("AveragePool")
def _avgpool(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        "ODLA_CHANNELS_FIRST",
        c.u32s("window", a.kernel),
        c.u32s("strides", a.strides),
        c.u32s("pads_front", a.pads_begin),
        c.u32s("pads_back", a.pads_end),
        cpp.boolean(a.count_include_pad),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_AveragePool", args))


@lower("BatchNormalization")
def _bn(n: Node, c: LowerContext) -> Call:
    x, scale, bias, mean, var = n.inputs
    args = [
        c.val(x),
        "ODLA_CHANNELS_FIRST",
        c.val(mean),
        c.val(var),
        cpp.f32(n.attrs.epsilon),
        c.val(scale),
        c.val(bias),
        cpp.f32(1.0),
        cpp.f32(0.0),
        c.out_id(),
    ]
    return c.finish(Call("odla_BatchNormalization", args))


@lower("InstanceNormalization")
def _in(n: Node, c: LowerContext) -> Call:
    x, scale, bias = n.inputs
    args = [
        c.val(x),
        "ODLA_CHANNELS_FIRST",
        cpp.f32(n.attrs.epsilon),
        c.val(scale),
        c.val(bias),
        cpp.f32(1.0),
        cpp.f32(0.0),
        c.out_id(),
    ]
    return c.finish(Call("odla_InstanceNormalization", args))


@lower("LayerNormalization")
def _ln(n: Node, c: LowerContext) -> Call:
    args = [
        c.val(n.input(0)),
        cpp.integer(n.attrs.axis),
        cpp.f32(n.attrs.epsilon),
        c.val(n.input(1)),
        c.val(n.input(2)),
        c.out_id(),
    ]
    return c.finish(Call("odla_LayerNormalization", args))


@lower("LRN")
def _lrn(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        "ODLA_CHANNELS_FIRST",
        cpp.integer(a.size),
        cpp.f32(a.alpha),
        cpp.f32(a.beta),
        cpp.f32(a.bias),
        c.out_id(),
    ]
    return c.finish(Call("odla_LRN", args))


@lower("Softmax", "LogSoftmax", "Hardmax")
def _softmax(n: Node, c: LowerContext) -> Call:
    return c.finish(
        Call(f"odla_{n.op}", [c.val(n.inputs[0]), cpp.integer(n.attrs.axis), c.out_id()])
    )


@lower("Resize")
def _resize(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        _INTERP[a.mode],
        _COORD[a.coordinate_mode],
        "0",
        _NEAREST[a.nearest_mode],
        cpp.f32(a.cubic_coeff_a),
        cpp.boolean(a.exclude_outside),
        cpp.f32(a.extrapolation_value),
        c.array("odla_float32", "scales", cpp.float_list(a.scales)),
        "nullptr",
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_Resize", args))


@lower("Gemm")
def _gemm(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.input(0)),
        cpp.boolean(a.trans_a),
        c.val(n.input(1)),
        cpp.boolean(a.trans_b),
        cpp.f32(a.alpha),
        cpp.f32(a.beta),
        c.val(n.input(2)),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_Gemm", args))
