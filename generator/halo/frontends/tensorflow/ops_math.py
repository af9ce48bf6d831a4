"""TensorFlow elementwise math, activations and matrix products."""

from __future__ import annotations

from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg, tensor

_UNARY = {
    "Relu": "Relu",
    "Sigmoid": "Sigmoid",
    "Tanh": "Tanh",
    "Exp": "Exp",
    "Log": "Log",
    "Sqrt": "Sqrt",
    "Rsqrt": "Rsqrt",
    "Abs": "Abs",
    "Neg": "Neg",
    "Floor": "Floor",
    "Ceil": "Ceil",
    "Round": "Round",
    "Sin": "Sin",
    "Cos": "Cos",
    "Tan": "Tan",
    "Asin": "Asin",
    "Acos": "Acos",
    "Atan": "Atan",
    "Sinh": "Sinh",
    "Cosh": "Cosh",
    "Asinh": "Asinh",
    "Acosh": "Acosh",
    "Atanh": "Atanh",
    "Erf": "Erf",
    "Softplus": "Softplus",
    "Softsign": "Softsign",
    "Reciprocal": "Reciprocal",
    "Inv": "Reciprocal",
    "Sign": "Sign",
    "LogicalNot": "Not",
    "IsNan": "IsNaN",
}
_BINARY = {
    "Add": "Add",
    "AddV2": "Add",
    "Sub": "Sub",
    "Mul": "Mul",
    "RealDiv": "Div",
    "Maximum": "Max",
    "Minimum": "Min",
    "Pow": "Pow",
    "Less": "Less",
    "LessEqual": "LessOrEqual",
    "Greater": "Greater",
    "GreaterEqual": "GreaterOrEqual",
    "LogicalAnd": "And",
    "LogicalOr": "Or",
}
# TensorFlow's SELU constants (tf.nn.selu)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


@converter(*_UNARY)
def _unary(n: TfNode) -> None:
    n.emit(_UNARY[n.op], [n.input(0)])


@converter(*_BINARY)
def _binary(n: TfNode) -> None:
    n.emit(_BINARY[n.op], [n.input(0), n.input(1)])


@converter("Div")
def _div(n: TfNode) -> None:
    x = n.input(0)
    if not x.dtype.is_float:
        raise n.fail(
            "integer Div rounds toward negative infinity; only float Div is supported",
            "use tf.math.floordiv (FloorDiv), which HALO supports for integers",
        )
    n.emit("Div", [x, n.input(1)])


@converter("Equal", "NotEqual")
def _equal(n: TfNode) -> None:
    n.attrs.bool("incompatible_shape_error", True)
    if n.op == "Equal":
        n.emit("Equal", [n.input(0), n.input(1)])
    else:
        n.emit("Not", [n.tmp("Equal", [n.input(0), n.input(1)])])


@converter("FloorMod")
def _floor_mod(n: TfNode) -> None:
    n.emit("Mod", [n.input(0), n.input(1)], ew.Mod(fmod=False))


@converter("FloorDiv")
def _floor_div(n: TfNode) -> None:
    x, y = n.input(0), n.input(1)
    if x.dtype.is_float:
        n.emit("Floor", [n.tmp("Div", [x, y])])
    else:  # (x - x mod y) is a multiple of y, so truncating division is exact
        rest = n.tmp("Mod", [x, y], ew.Mod(fmod=False))
        n.emit("Div", [n.tmp("Sub", [x, rest]), y])


@converter("Square")
def _square(n: TfNode) -> None:
    n.emit("Mul", [n.input(0), n.input(0)])


@converter("SquaredDifference")
def _squared_difference(n: TfNode) -> None:
    d = n.tmp("Sub", [n.input(0), n.input(1)])
    n.emit("Mul", [d, d])


@converter("AddN")
def _add_n(n: TfNode) -> None:
    acc = n.input(0)
    for i in range(1, n.num_inputs - 1):
        acc = n.tmp("Add", [acc, n.input(i)], hint=f"add{i}")
    if n.num_inputs == 1:
        n.bind(acc)
    else:
        n.emit("Add", [acc, n.input(n.num_inputs - 1)])


@converter("Relu6")
def _relu6(n: TfNode) -> None:
    n.emit("Clip", [n.input(0)], ew.Clip(0.0, 6.0))


@converter("Elu")
def _elu(n: TfNode) -> None:
    n.emit("Elu", [n.input(0)], ew.Alpha(1.0))


@converter("Selu")
def _selu(n: TfNode) -> None:
    n.emit("Selu", [n.input(0)], ew.Selu(SELU_ALPHA, SELU_SCALE))


@converter("LeakyRelu")
def _leaky_relu(n: TfNode) -> None:
    n.emit("LeakyRelu", [n.input(0)], ew.Alpha(n.attrs.float("alpha", 0.2)))


@converter("Select", "SelectV2")
def _select(n: TfNode) -> None:
    cond, x, y = n.input(0), n.input(1), n.input(2)
    if n.op == "Select" and cond.rank == 1 and x.rank > 1:  # v1: the condition picks rows
        cond = n.tmp("Reshape", [cond], tensor.Reshape((cond.size, *(1,) * (x.rank - 1))), "cond")
    n.emit("Where", [cond, x, y])


@converter("MatMul")
def _matmul(n: TfNode) -> None:
    n.attrs.bool("grad_a", False)  # gradient-graph hints: no effect on the product
    n.attrs.bool("grad_b", False)
    attrs = linalg.Gemm(n.attrs.bool("transpose_a", False), n.attrs.bool("transpose_b", False))
    n.emit("Gemm", [n.input(0), n.input(1)], attrs)


@converter("BatchMatMul", "BatchMatMulV2", "BatchMatMulV3")
def _batch_matmul(n: TfNode) -> None:
    x, y = n.input(0), n.input(1)
    if n.op == "BatchMatMulV3":
        types = {n.attrs.dtype("Ta"), n.attrs.dtype("Tb"), n.attrs.dtype("Tout")}
        if len(types) != 1:
            raise n.fail("mixed operand/result types are not supported")
    n.attrs.bool("grad_x", False)
    n.attrs.bool("grad_y", False)
    attrs = linalg.Gemm(n.attrs.bool("adj_x", False), n.attrs.bool("adj_y", False))
    n.emit("Gemm", [x, y], attrs)
