"""TFLite elementwise operators, activations, QUANTIZE and DEQUANTIZE."""

from __future__ import annotations

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.layout import ACTIVATION_OPS, emit_fused
from halo.frontends.tflite.registry import converter
from halo.ir.dtype import DType
from halo.ir.ops import elementwise as ew

_BINARY = {"ADD": "Add", "SUB": "Sub", "MUL": "Mul", "DIV": "Div"}
_PLAIN = {
    "LOGISTIC": "Sigmoid",
    "HARD_SWISH": "HardSwish",
    "EXP": "Exp",
    "LOG": "Log",
    "SQRT": "Sqrt",
    "RSQRT": "Rsqrt",
    "NEG": "Neg",
    "ABS": "Abs",
    "FLOOR": "Floor",
    "CEIL": "Ceil",
    "MAXIMUM": "Max",
    "MINIMUM": "Min",
    "PRELU": "PRelu",
    "POW": "Pow",
}


@converter(*_BINARY)
def _binary(n: TfliteNode) -> None:
    if n.op.op in ("ADD", "SUB"):
        n.opts.ignore("pot_scale_int16")  # int16 quantized kernels only
    emit_fused(n, _BINARY[n.op.op], [n.x(0), n.x(1)])


@converter(*_PLAIN)
def _plain(n: TfliteNode) -> None:
    n.emit(_PLAIN[n.op.op], [n.input(i) for i in range(len(n.op.inputs))])


@converter("RELU", "RELU6", "RELU_N1_TO_1", "RELU_0_TO_1", "TANH")
def _activation(n: TfliteNode) -> None:
    op, attrs = ACTIVATION_OPS[n.op.op]
    n.emit(op, [n.x(0)], attrs)


@converter("LEAKY_RELU")
def _leaky_relu(n: TfliteNode) -> None:
    n.emit("LeakyRelu", [n.x(0)], ew.Alpha(n.opts["alpha"]))


@converter("SQUARE")
def _square(n: TfliteNode) -> None:
    x = n.x(0)
    n.emit("Mul", [x, x])


@converter("SQUARED_DIFFERENCE")
def _squared_difference(n: TfliteNode) -> None:
    d = n.tmp("Sub", [n.x(0), n.x(1)])
    n.emit("Mul", [d, d])


@converter("DEQUANTIZE")
def _dequantize(n: TfliteNode) -> None:
    """fp16 -> float32; a quantized operand already reads as its DequantizeLinear."""
    n.emit("Cast", [n.x(0)], ew.Cast(DType.FLOAT32))


@converter("QUANTIZE")
def _quantize(n: TfliteNode) -> None:
    """Real (or requantized: read through its DequantizeLinear) -> the output's integers."""
    if n.state.quant(n.op.outputs[0]) is None:
        raise n.fail(f"writes {n.output_tensor().describe()}, which has no quantization")
    n.bind(n.x(0))


@converter("GELU")
def _gelu(n: TfliteNode) -> None:
    n.emit("Gelu", [n.x(0)], ew.Gelu(bool(n.opts["approximate"])))
