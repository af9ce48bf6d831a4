"""Caffe activations and other one-input elementwise layers."""

from __future__ import annotations

import numpy as np

from halo.frontends.caffe.context import CaffeLayer
from halo.frontends.caffe.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew

_PLAIN = {
    "Sigmoid": ("Sigmoid", "sigmoid_param"),
    "TanH": ("Tanh", "tanh_param"),
    "AbsVal": ("Abs", None),
}


def emit_chain(
    layer: CaffeLayer, x: Value, steps: list[tuple[str, np.ndarray | np.generic]]
) -> None:
    """Apply binary ops with constant right operands in turn; the last one produces the top."""
    if not steps:
        layer.pass_through(x)
        return
    for i, (op, operand) in enumerate(steps):
        c = layer.const(np.asarray(operand, dtype=np.float32), op.lower())
        if i == len(steps) - 1:
            layer.emit(op, [x, c])
        else:
            x = layer.tmp(op, [x, c])


@converter(*_PLAIN)
def _plain(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    op, field = _PLAIN[layer.type]
    if field is not None:
        layer.params(field)
    layer.emit(op, [layer.bottom()])


@converter("ReLU")
def _relu(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    slope = float(layer.params("relu_param").negative_slope)
    if slope == 0.0:
        layer.emit("Relu", [layer.bottom()])
    else:
        layer.emit("LeakyRelu", [layer.bottom()], ew.Alpha(slope))


@converter("PReLU")
def _prelu(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("prelu_param")
    if x.rank < 2:
        raise layer.error(f"needs an input with a channel axis, got {list(x.shape)}")
    channels = 1 if p.channel_shared else x.shape[1]
    slope = layer.weight(0, (channels,), "slopes")
    slope = slope.reshape(channels, *([1] * (x.rank - 2)))
    layer.emit("PRelu", [x, layer.const(slope, "slope")])


@converter("ELU")
def _elu(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    layer.emit("Elu", [layer.bottom()], ew.Alpha(float(layer.params("elu_param").alpha)))


@converter("Power")
def _power(layer: CaffeLayer) -> None:
    """y = (shift + scale * x) ^ power."""
    layer.expect((1, 1))
    p = layer.params("power_param")
    steps: list[tuple[str, np.ndarray | np.generic]] = []
    if p.scale != 1.0:
        steps.append(("Mul", np.float32(p.scale)))
    if p.shift != 0.0:
        steps.append(("Add", np.float32(p.shift)))
    if p.power != 1.0:
        steps.append(("Pow", np.float32(p.power)))
    emit_chain(layer, layer.bottom(), steps)


@converter("Dropout")
def _dropout(layer: CaffeLayer) -> None:
    """At inference Caffe's Dropout copies its input (training scales by 1 / (1 - ratio))."""
    layer.expect((1, 1))
    _ = layer.params("dropout_param").dropout_ratio
    layer.pass_through(layer.bottom())


@converter("Split")
def _split(layer: CaffeLayer) -> None:
    layer.expect((1, 1), (1, 1 << 16))
    layer.pass_through(layer.bottom())
