"""ONNX elementwise ops and activations."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode, onnx_dtype
from halo.frontends.onnx.registry import converter
from halo.ir.ops import elementwise as ew

_SAME_NAME = [
    *ew.FLOAT_UNARY,
    *ew.NUMERIC_UNARY,
    "Not",
    "IsNaN",
    "BitwiseNot",
    *ew.ARITH_BINARY[:5],
    *ew.COMPARE_BINARY,
    *ew.LOGIC_BINARY,
    *ew.BITWISE_BINARY,
    "PRelu",
    "Where",
]
_SAME_NAME.remove("Rsqrt")


@converter(*_SAME_NAME)
def _plain(n: OnnxNode) -> None:
    n.attrs.has("consumed_inputs")  # opset-1 legacy attribute, meaningless
    n.emit(n.proto.op_type, n.inputs())


@converter("Max", "Min", "Sum", "Mean")
def _variadic(n: OnnxNode) -> None:
    op = {"Sum": "Add", "Mean": "Add"}.get(n.proto.op_type, n.proto.op_type)
    ins = n.inputs()
    acc = n.need(0)
    if len(ins) == 1:
        n.bind(acc)
        return
    if n.proto.op_type == "Mean":
        for v in ins[1:]:
            acc = n.tmp(op, [acc, v])
        n.emit("Div", [acc, n.const_value(np.array(len(ins), acc.dtype.np))])
        return
    for v in ins[1:-1]:
        acc = n.tmp(op, [acc, v])
    n.emit(op, [acc, ins[-1]])


@converter("LeakyRelu", "Elu", "Celu", "ThresholdedRelu")
def _alpha(n: OnnxNode) -> None:
    default = {"LeakyRelu": 0.01, "Elu": 1.0, "Celu": 1.0, "ThresholdedRelu": 1.0}[n.proto.op_type]
    n.emit(n.proto.op_type, n.inputs(), ew.Alpha(n.attrs.float("alpha", default)))


@converter("Selu")
def _selu(n: OnnxNode) -> None:
    n.emit(
        "Selu",
        n.inputs(),
        ew.Selu(
            n.attrs.float("alpha", 1.67326319217681884765625),
            n.attrs.float("gamma", 1.05070102214813232421875),
        ),
    )


@converter("HardSigmoid")
def _hard_sigmoid(n: OnnxNode) -> None:
    n.emit(
        "HardSigmoid",
        n.inputs(),
        ew.HardSigmoid(n.attrs.float("alpha", 0.2), n.attrs.float("beta", 0.5)),
    )


@converter("Gelu", since=20)
def _gelu(n: OnnxNode) -> None:
    n.emit("Gelu", n.inputs(), ew.Gelu(n.attrs.str("approximate", "none") == "tanh"))


@converter("Clip")
def _clip_attrs(n: OnnxNode) -> None:
    x = n.need(0, "input")
    n.emit("Clip", [x], ew.Clip(n.attrs.float("min", -np.inf), n.attrs.float("max", np.inf)))


@converter("Clip", since=11)
def _clip(n: OnnxNode) -> None:
    x = n.need(0, "input")
    lo, hi = n.scalar(1, "min"), n.scalar(2, "max")
    if x.dtype.is_int:
        info = np.iinfo(x.dtype.np)
        lo_v = float(info.min) if lo is None else float(lo)
        hi_v = float(info.max) if hi is None else float(hi)
    else:
        lo_v = -np.inf if lo is None else float(lo)
        hi_v = np.inf if hi is None else float(hi)
    n.emit("Clip", [x], ew.Clip(lo_v, hi_v))


@converter("Mod")
def _mod(n: OnnxNode) -> None:
    n.emit("Mod", n.inputs(), ew.Mod(bool(n.attrs.int("fmod", 0))))


@converter("BitShift")
def _bitshift(n: OnnxNode) -> None:
    n.emit("BitShift", n.inputs(), ew.BitShift(n.attrs.str("direction") == "LEFT"))


@converter("IsInf")
def _isinf(n: OnnxNode) -> None:
    attrs = ew.IsInf(
        bool(n.attrs.int("detect_positive", 1)), bool(n.attrs.int("detect_negative", 1))
    )
    n.emit("IsInf", n.inputs(), attrs)


@converter("Cast")
def _cast(n: OnnxNode) -> None:
    n.attrs.has("saturate")
    to = onnx_dtype(n.attrs.int("to"), f"Cast node '{n.name}' target")
    n.emit("Cast", n.inputs(), ew.Cast(to))


@converter("CastLike")
def _cast_like(n: OnnxNode) -> None:
    n.attrs.has("saturate")
    like = n.need(1, "target_type")
    n.emit("Cast", [n.input(0)], ew.Cast(like.dtype))
