"""One-op ONNX models across shapes and attributes: HALO (every runtime) vs ONNX Runtime."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from onnx import helper

from onnx_util import check, make_model

pytestmark = pytest.mark.ops
R = np.random.default_rng(1234)


def f32(*shape: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return R.uniform(lo, hi, shape).astype(np.float32)


@dataclass
class Case:
    id: str
    op: str
    inputs: dict[str, np.ndarray]
    attrs: dict = field(default_factory=dict)
    inits: dict[str, np.ndarray] = field(default_factory=dict)
    opset: int = 17
    rtol: float = 1e-4
    atol: float = 1e-5
    n_out: int = 1

    def model(self):
        names = [*self.inputs, *self.inits]
        node = helper.make_node(self.op, names, [f"y{i}" for i in range(self.n_out)], **self.attrs)
        return make_model([node], self.inputs, [f"y{i}" for i in range(self.n_out)], self.inits,
                          self.opset, name="op_" + self.id.replace("-", "_"))


def conv_cases() -> list[Case]:
    out = []
    for i, (x, w, attrs) in enumerate([
        ((1, 3, 9, 9), (8, 3, 3, 3), {"pads": [1, 1, 1, 1]}),
        ((2, 4, 10, 7), (6, 2, 3, 2), {"group": 2, "strides": [2, 1]}),
        ((1, 8, 12, 12), (8, 1, 3, 3), {"group": 8, "pads": [1, 1, 1, 1], "strides": [2, 2]}),
        ((1, 3, 11, 11), (4, 3, 3, 3), {"dilations": [2, 2], "pads": [2, 1, 2, 2]}),
        ((1, 3, 10, 10), (4, 3, 4, 4), {"auto_pad": "SAME_LOWER", "strides": [3, 3]}),
        ((1, 3, 10, 10), (4, 3, 3, 3), {"auto_pad": "VALID"}),
        ((1, 16, 7, 7), (32, 16, 1, 1), {}),
        ((1, 2, 20), (3, 2, 5), {"pads": [2, 1], "strides": [2]}),
        ((1, 2, 5, 6, 7), (3, 2, 3, 3, 3), {"pads": [1, 0, 1, 1, 0, 1]}),
        ((1, 3, 8, 8), (5, 3, 3, 3), {"pads": [0, 1, 2, 1]}),
    ]):
        out.append(Case(f"conv{i}", "Conv", {"x": f32(*x)}, attrs,
                        {"w": f32(*w), "b": f32(w[0])} if i % 2 == 0 else {"w": f32(*w)}))
    for i, (x, w, attrs) in enumerate([
        ((1, 4, 5, 5), (4, 3, 3, 3), {"strides": [2, 2]}),
        ((1, 4, 5, 5), (4, 2, 3, 3), {"strides": [2, 2], "group": 2, "pads": [1, 1, 1, 1],
                                      "output_padding": [1, 1]}),
        ((1, 2, 6, 6), (2, 3, 4, 4), {"strides": [2, 2], "output_shape": [12, 12]}),
        ((1, 2, 7), (2, 3, 3), {"strides": [3], "dilations": [2]}),
        ((1, 2, 4, 4), (2, 3, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ]):
        out.append(Case(f"deconv{i}", "ConvTranspose", {"x": f32(*x)}, attrs,
                        {"w": f32(*w), "b": f32(w[1] * attrs.get("group", 1))}))
    return out


def pool_cases() -> list[Case]:
    out = []
    specs = [
        ({"kernel_shape": [3, 3], "strides": [2, 2]}, (1, 3, 9, 9)),
        ({"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}, (1, 3, 10, 10)),
        ({"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}, (2, 2, 7, 7)),
        ({"kernel_shape": [2, 3], "strides": [2, 2], "pads": [1, 0, 1, 2], "ceil_mode": 1}, (1, 2, 7, 8)),
        ({"kernel_shape": [3], "strides": [2], "auto_pad": "SAME_UPPER"}, (1, 2, 9)),
        ({"kernel_shape": [2, 2, 2]}, (1, 2, 4, 5, 6)),
    ]
    for i, (attrs, shape) in enumerate(specs):
        out.append(Case(f"maxpool{i}", "MaxPool", {"x": f32(*shape)}, attrs))
        out.append(Case(f"avgpool{i}", "AveragePool", {"x": f32(*shape)}, attrs))
    out.append(Case("avgpool_incl", "AveragePool", {"x": f32(1, 2, 7, 7)},
                    {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}))
    out.append(Case("maxpool_dil", "MaxPool", {"x": f32(1, 2, 9, 9)},
                    {"kernel_shape": [2, 2], "dilations": [2, 2]}))
    out.append(Case("gap", "GlobalAveragePool", {"x": f32(2, 5, 6, 7)}))
    out.append(Case("gmp", "GlobalMaxPool", {"x": f32(2, 5, 6, 7)}))
    return out


UNARY = ["Relu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Floor", "Ceil", "Erf", "Softsign",
         "Softplus", "HardSwish", "Sin", "Cos", "Sign", "Round"]
POSITIVE = ["Sqrt", "Log", "Reciprocal"]


def elementwise_cases() -> list[Case]:
    out = [Case(f"u_{op}", op, {"x": f32(2, 3, 4, lo=-3, hi=3)}) for op in UNARY]
    out += [Case(f"u_{op}", op, {"x": f32(2, 3, 4, lo=0.1, hi=3)}) for op in POSITIVE]
    out += [
        Case("leaky", "LeakyRelu", {"x": f32(3, 7)}, {"alpha": 0.2}),
        Case("elu", "Elu", {"x": f32(3, 7)}, {"alpha": 0.7}),
        Case("hsig", "HardSigmoid", {"x": f32(3, 7, lo=-5, hi=5)}, {"alpha": 0.3, "beta": 0.4}),
        Case("selu", "Selu", {"x": f32(3, 7)}),
        Case("clip11", "Clip", {"x": f32(4, 5)}, inits={"lo": np.array(-0.3, np.float32),
                                                         "hi": np.array(0.4, np.float32)}, opset=13),
        Case("clip6", "Clip", {"x": f32(4, 5)}, {"min": -0.2, "max": 0.5}, opset=6 + 1),
        Case("prelu", "PRelu", {"x": f32(2, 4, 3, 3)}, inits={"s": f32(4, 1, 1)}),
        Case("gelu", "Gelu", {"x": f32(2, 9, lo=-4, hi=4)}, opset=20),
        Case("gelu_tanh", "Gelu", {"x": f32(2, 9, lo=-4, hi=4)}, {"approximate": "tanh"}, opset=20),
    ]
    shapes = [((2, 3, 4), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 1, 4), (3, 1)), ((1,), (5, 2)),
              ((), (3,))]
    for op in ("Add", "Sub", "Mul", "Div", "Max", "Min"):
        for i, (a, b) in enumerate(shapes):
            rhs = f32(*b, lo=0.5, hi=2) if op == "Div" else f32(*b)
            out.append(Case(f"b_{op}{i}", op, {"a": f32(*a), "b": rhs}))
    out.append(Case("pow", "Pow", {"a": f32(3, 4, lo=0.1, hi=2), "b": f32(4, lo=-2, hi=2)}, rtol=1e-3))
    out.append(Case("sum3", "Sum", {"a": f32(3, 4), "b": f32(4), "c": f32(3, 1)}))
    out.append(Case("mean3", "Mean", {"a": f32(3, 4), "b": f32(4), "c": f32(3, 1)}))
    out.append(Case("max3", "Max", {"a": f32(3, 4), "b": f32(4), "c": f32(3, 1)}))
    ints = {"a": R.integers(-9, 9, (3, 4)).astype(np.int32),
            "b": R.integers(1, 5, (3, 4)).astype(np.int32)}
    out.append(Case("add_i32", "Add", ints))
    out.append(Case("mul_i64", "Mul", {k: v.astype(np.int64) for k, v in ints.items()}))
    for op in ("Equal", "Less", "Greater"):
        out.append(Case(f"cmp_{op}", op, {"a": R.integers(0, 3, (3, 4)).astype(np.float32),
                                            "b": R.integers(0, 3, (4,)).astype(np.float32)}))
    out.append(Case("where", "Where", {"c": R.random((3, 4)) > 0.5, "x": f32(3, 4), "y": f32(4)}))
    out.append(Case("not", "Not", {"x": R.random((3, 4)) > 0.5}))
    out.append(Case("cast_f_i", "Cast", {"x": f32(3, 4, lo=-5, hi=5)}, {"to": 6}))
    out.append(Case("cast_i_f", "Cast", {"x": R.integers(-5, 5, (3, 4)).astype(np.int64)}, {"to": 1}))
    return out


def nn_cases() -> list[Case]:
    c = 6
    return [
        Case("bn", "BatchNormalization", {"x": f32(2, c, 5, 5)},
             inits={"s": f32(c), "b": f32(c), "m": f32(c), "v": f32(c, lo=0.5, hi=2)}),
        Case("inorm", "InstanceNormalization", {"x": f32(2, c, 5, 5)},
             inits={"s": f32(c), "b": f32(c)}, atol=1e-4),
        Case("lnorm", "LayerNormalization", {"x": f32(2, 5, 8)}, {"axis": -1},
             inits={"s": f32(8), "b": f32(8)}, atol=1e-4),
        Case("lrn", "LRN", {"x": f32(1, 7, 4, 4)}, {"size": 3, "alpha": 1e-2, "beta": 0.75, "bias": 2.0}),
        Case("softmax", "Softmax", {"x": f32(3, 4, 5, lo=-5, hi=5)}, {"axis": 1}),
        Case("softmax_last", "Softmax", {"x": f32(3, 10, lo=-5, hi=5)}),
        Case("softmax11", "Softmax", {"x": f32(3, 4, 5)}, {"axis": 1}, opset=11),
        Case("logsoftmax", "LogSoftmax", {"x": f32(3, 10, lo=-5, hi=5)}, {"axis": -1}),
        Case("gemm", "Gemm", {"a": f32(4, 6)}, {"transB": 1, "alpha": 0.5, "beta": 2.0},
             inits={"b": f32(5, 6), "c": f32(5)}),
        Case("gemm_ta", "Gemm", {"a": f32(6, 4), "b": f32(6, 5)}, {"transA": 1}),
        Case("matmul", "MatMul", {"a": f32(3, 7), "b": f32(7, 5)}),
        Case("matmul_batch", "MatMul", {"a": f32(2, 3, 4, 7), "b": f32(3, 7, 5)}),
        Case("matmul_vec", "MatMul", {"a": f32(7), "b": f32(2, 7, 5)}),
        Case("matmul_big", "MatMul", {"a": f32(67, 129), "b": f32(129, 95)}, rtol=1e-3, atol=1e-4),
    ]


def tensor_cases() -> list[Case]:
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    return [
        Case("reshape", "Reshape", {"x": f32(2, 3, 4)}, inits={"s": i64(0, -1)}),
        Case("flatten", "Flatten", {"x": f32(2, 3, 4, 5)}, {"axis": 2}),
        Case("transpose", "Transpose", {"x": f32(2, 3, 4, 5)}, {"perm": [0, 2, 3, 1]}),
        Case("transpose_def", "Transpose", {"x": f32(2, 3, 4)}),
        Case("concat", "Concat", {"a": f32(2, 3, 4), "b": f32(2, 1, 4), "c": f32(2, 2, 4)}, {"axis": 1}),
        Case("split", "Split", {"x": f32(2, 6, 4)}, {"axis": 1}, inits={"s": i64(1, 2, 3)}, n_out=3),
        Case("split_eq", "Split", {"x": f32(6, 4)}, n_out=2, opset=11),
        Case("slice", "Slice", {"x": f32(5, 6, 7)},
             inits={"s": i64(1, -5), "e": i64(4, 100), "a": i64(0, 2), "st": i64(1, 2)}),
        Case("slice_neg", "Slice", {"x": f32(5, 6)},
             inits={"s": i64(-1), "e": i64(-100), "a": i64(1), "st": i64(-2)}),
        Case("squeeze", "Squeeze", {"x": f32(2, 1, 3, 1)}, inits={"a": i64(1)}),
        Case("unsqueeze", "Unsqueeze", {"x": f32(2, 3)}, inits={"a": i64(0, 3)}),
        Case("pad_const", "Pad", {"x": f32(2, 3, 4)},
             inits={"p": i64(0, 1, 2, 0, 2, 1), "v": np.array(0.5, np.float32)}),
        Case("pad_reflect", "Pad", {"x": f32(1, 2, 4, 5)}, {"mode": "reflect"},
             inits={"p": i64(0, 0, 2, 1, 0, 0, 1, 3)}),
        Case("pad_edge", "Pad", {"x": f32(1, 2, 4, 5)}, {"mode": "edge"},
             inits={"p": i64(0, 0, 2, 1, 0, 0, 1, 3)}),
        Case("gather", "Gather", {"x": f32(5, 4, 3)}, {"axis": 1}, inits={"i": i64(3, -1, 0)}),
        Case("gather_rt", "Gather", {"x": f32(5, 4), "i": R.integers(0, 5, (2, 3)).astype(np.int64)}),
        Case("tile", "Tile", {"x": f32(2, 3)}, inits={"r": i64(2, 3)}),
        Case("expand", "Expand", {"x": f32(3, 1)}, inits={"s": i64(2, 3, 4)}),
        Case("resize_nn", "Resize", {"x": f32(1, 2, 4, 5)}, {"mode": "nearest"},
             inits={"r": np.zeros(0, np.float32), "sc": np.array([1, 1, 2, 3], np.float32)}),
        Case("resize_lin", "Resize", {"x": f32(1, 2, 4, 5)}, {"mode": "linear"},
             inits={"r": np.zeros(0, np.float32), "sc": np.array([1, 1, 2.0, 1.5], np.float32)}),
        Case("resize_lin_ac", "Resize", {"x": f32(1, 2, 4, 5)},
             {"mode": "linear", "coordinate_transformation_mode": "align_corners"},
             inits={"r": np.zeros(0, np.float32), "sc": np.zeros(0, np.float32),
                    "sz": i64(1, 2, 7, 3)}),
        Case("resize_cubic", "Resize", {"x": f32(1, 1, 5, 5)}, {"mode": "cubic"},
             inits={"r": np.zeros(0, np.float32), "sc": np.array([1, 1, 2, 2], np.float32)}),
        Case("upsample", "Upsample", {"x": f32(1, 2, 3, 3)}, {"mode": "nearest"},
             inits={"sc": np.array([1, 1, 2, 2], np.float32)}, opset=9),
        Case("shape_gather", "Shape", {"x": f32(2, 3)}),
    ]


def reduce_cases() -> list[Case]:
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    out = []
    for op in ("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2"):
        out.append(Case(f"{op}_attr", op, {"x": f32(3, 4, 5, lo=0.5, hi=1.5)}, {"axes": [1], "keepdims": 0},
                        opset=13))
    out.append(Case("ReduceSum_in", "ReduceSum", {"x": f32(3, 4, 5)}, {"keepdims": 1},
                    inits={"a": i64(0, 2)}, opset=13))
    out.append(Case("ReduceMean_all", "ReduceMean", {"x": f32(3, 4, 5)}, opset=18))
    out.append(Case("argmax", "ArgMax", {"x": f32(3, 4, 5)}, {"axis": 1, "keepdims": 0}))
    out.append(Case("argmin", "ArgMin", {"x": f32(3, 4, 5)}, {"axis": -1}))
    out.append(Case("topk", "TopK", {"x": f32(3, 9)}, {"axis": 1}, inits={"k": i64(4)}, n_out=2))
    out.append(Case("cumsum", "CumSum", {"x": f32(3, 5)}, {"exclusive": 1}, inits={"a": i64(1)}))
    return out


CASES = conv_cases() + pool_cases() + elementwise_cases() + nn_cases() + tensor_cases() + reduce_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_op_matches_onnxruntime(case: Case, runtime: str, tmp_path) -> None:
    feeds = case.inputs
    check(case.model(), feeds, tmp_path, rtol=case.rtol, atol=case.atol, runtime=runtime)
