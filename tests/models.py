"""Whole networks built in code with onnx.helper and fixed seeds (no downloads)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from onnx_util import IR_VERSION


class Net:
    """A tiny graph-building DSL: each method adds nodes and returns the output tensor name."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.count = 0

    def _name(self, kind: str) -> str:
        self.count += 1
        return f"{kind}{self.count}"

    def param(self, shape: tuple[int, ...], scale: float | None = None, lo: float | None = None) -> str:
        name = self._name("p")
        if lo is not None:
            data = self.rng.uniform(lo, 1.5, shape)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            data = self.rng.standard_normal(shape) * (scale or np.sqrt(2.0 / fan_in))
        self.inits.append(numpy_helper.from_array(data.astype(np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], **attrs: object) -> str:
        out = self._name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, cin: int, cout: int, k: int, stride: int = 1, group: int = 1,
             bias: bool = False) -> str:
        w = self.param((cout, cin // group, k, k))
        ins = [x, w] + ([self.param((cout,), 0.1)] if bias else [])
        return self.node("Conv", ins, kernel_shape=[k, k], strides=[stride, stride],
                         pads=[k // 2] * 4, group=group)

    def bn(self, x: str, c: int) -> str:
        return self.node("BatchNormalization", [x, self.param((c,), lo=0.5), self.param((c,), 0.1),
                                                self.param((c,), 0.1), self.param((c,), lo=0.5)])

    def conv_bn(self, x: str, cin: int, cout: int, k: int, stride: int = 1, group: int = 1,
                act: str | None = "Relu") -> str:
        y = self.bn(self.conv(x, cin, cout, k, stride, group), cout)
        if act == "Relu6":
            return self.node("Clip", [y, self.const(0.0), self.const(6.0)])
        return self.node(act, [y]) if act else y

    def const(self, value: float) -> str:
        name = self._name("c")
        self.inits.append(numpy_helper.from_array(np.array(value, np.float32), name))
        return name

    def fc(self, x: str, cin: int, cout: int) -> str:
        return self.node("Gemm", [x, self.param((cout, cin)), self.param((cout,), 0.1)], transB=1)

    def model(self, name: str, x_shape: tuple[int, ...], out: str, opset: int = 13) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes, name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, x_shape)],
            [helper.make_empty_tensor_value_info(out)], self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = IR_VERSION
        model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        return model


def mnist_cnn(seed: int = 0) -> onnx.ModelProto:
    n = Net(seed)
    y = n.node("Relu", [n.conv("input", 1, 8, 5, bias=True)])
    y = n.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2])
    y = n.node("Relu", [n.conv(y, 8, 16, 5, bias=True)])
    y = n.node("MaxPool", [y], kernel_shape=[3, 3], strides=[3, 3])
    y = n.node("Flatten", [y])
    y = n.node("Softmax", [n.fc(y, 16 * 4 * 4, 10)], axis=1)
    return n.model("mnist_cnn", (1, 1, 28, 28), y)


def resnet18(seed: int = 0, size: int = 224, classes: int = 1000) -> onnx.ModelProto:
    n = Net(seed)
    y = n.conv_bn("input", 3, 64, 7, 2)
    y = n.node("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, cout in enumerate((64, 128, 256, 512)):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            z = n.conv_bn(y, cin, cout, 3, stride)
            z = n.conv_bn(z, cout, cout, 3, 1, act=None)
            short = n.conv_bn(y, cin, cout, 1, stride, act=None) if (stride != 1 or cin != cout) else y
            y = n.node("Relu", [n.node("Add", [z, short])])
            cin = cout
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    return n.model("resnet18", (1, 3, size, size), n.fc(y, 512, classes))


def mobilenet_v2(seed: int = 0, size: int = 224, classes: int = 1000, width: float = 1.0) -> onnx.ModelProto:
    n = Net(seed)
    c = lambda v: max(8, int(v * width + 4) // 8 * 8)  # noqa: E731
    y = n.conv_bn("input", 3, c(32), 3, 2, act="Relu6")
    cin = c(32)
    for t, ch, reps, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(reps):
            stride = s if i == 0 else 1
            hidden = cin * t
            z = n.conv_bn(y, cin, hidden, 1, act="Relu6") if t != 1 else y
            z = n.conv_bn(z, hidden, hidden, 3, stride, group=hidden, act="Relu6")
            z = n.conv_bn(z, hidden, c(ch), 1, act=None)
            y = n.node("Add", [y, z]) if stride == 1 and cin == c(ch) else z
            cin = c(ch)
    y = n.conv_bn(y, cin, 1280, 1, act="Relu6")
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    return n.model("mobilenet_v2", (1, 3, size, size), n.fc(y, 1280, classes))
