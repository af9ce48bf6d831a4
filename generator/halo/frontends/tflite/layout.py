"""NHWC <-> channels-first wrapping, TF padding rules and fused activations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from halo.frontends import rules
from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.schema import ACTIVATIONS, PADDINGS
from halo.ir.graph import Value
from halo.ir.ops.elementwise import Clip
from halo.ir.ops.tensor import Transpose

TO_NCHW = Transpose((0, 3, 1, 2))
TO_NHWC = Transpose((0, 2, 3, 1))


def to_nchw(n: TfliteNode, x: Value) -> Value:
    if x.rank != 4:
        raise n.fail(f"expects a 4-D NHWC input, got {x.shape}")
    return n.tmp("Transpose", [x], TO_NCHW)


def option_pads(
    n: TfliteNode,
    sizes: tuple[int, ...],
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(pads_begin, pads_end) of the operator's padding option; TF's SAME pads the end more."""
    padding = int(n.opts["padding"])
    if not 0 <= padding < len(PADDINGS):
        raise n.fail(f"unknown padding code {padding}")
    if PADDINGS[padding] == "VALID":
        return (0,) * len(sizes), (0,) * len(sizes)
    return rules.same_pads(sizes, kernel, strides, dilations)


def positive(n: TfliteNode, *names: str) -> tuple[int, ...]:
    values = tuple(int(n.opts[name]) for name in names)
    if min(values) < 1:
        raise n.fail(f"{', '.join(names)} must be positive, got {values}")
    return values


ACTIVATION_OPS: dict[str, tuple[str, Any]] = {
    "RELU": ("Relu", None),
    "RELU_N1_TO_1": ("Clip", Clip(-1.0, 1.0)),
    "RELU6": ("Clip", Clip(0.0, 6.0)),
    "RELU_0_TO_1": ("Clip", Clip(0.0, 1.0)),
    "TANH": ("Tanh", None),
}


def fused_activation(n: TfliteNode) -> tuple[str, Any] | None:
    """The IR op and attributes of the operator's fused activation (None for NONE)."""
    code = int(n.opts["fused_activation_function"])
    name = ACTIVATIONS[code] if 0 <= code < len(ACTIVATIONS) else f"#{code}"
    if name == "NONE":
        return None
    if name not in ACTIVATION_OPS:
        raise n.fail(
            f"fused activation {name} is not supported",
            hint="supported: NONE, RELU, RELU_N1_TO_1, RELU6, TANH",
        )
    return ACTIVATION_OPS[name]


def emit_fused(
    n: TfliteNode, op: str, inputs: Sequence[Value | None], attrs: Any = None, nchw: bool = False
) -> None:
    """Emit ``op``, then the fused activation, then (``nchw``) the transpose back to NHWC; the last
    node produces the operator's output tensor."""
    act = fused_activation(n)
    if not nchw and act is None:
        n.emit(op, inputs, attrs)
        return
    y = n.tmp(op, inputs, attrs)
    if nchw:
        if act is not None:
            y = n.tmp(act[0], [y], act[1])
        n.emit("Transpose", [y], TO_NHWC)
    else:
        assert act is not None
        n.emit(act[0], [y], act[1])
