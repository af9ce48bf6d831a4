"""ShuffleNet v1 (ONNX): 1x, 3 groups (Zhang et al. 2017, table 1: stages of 240, 480 and 960
channels, 4/8/4 units; grouped 1x1 convolutions, channel shuffle, 3x3 depthwise, average-pooled
shortcut concatenated at stride 2) at 224x224 in the tests' ``Net`` DSL, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built

TITLE = "ShuffleNet v1"
FRAMEWORK = "ONNX"
GROUPS = 3


def channel_shuffle(n: object, x: str, c: int, hw: int, groups: int) -> str:
    """(1, c, h, w) -> (1, g, c/g, h*w) -> swap the group axes -> (1, c, h, w)."""
    from bench_models import _ints

    y = n.node("Reshape", [x, _ints(n, [1, groups, c // groups, hw * hw])])
    y = n.node("Transpose", [y], perm=[0, 2, 1, 3])
    return n.node("Reshape", [y, _ints(n, [1, c, hw, hw])])


def unit(n: object, x: str, cin: int, cout: int, stride: int, hw: int) -> str:
    mid, g = cout // 4, 1 if cin == 24 else GROUPS  # the first 1x1 after the stem is not grouped
    y = n.conv_bn(x, cin, mid, 1, group=g)
    y = channel_shuffle(n, y, mid, hw, g) if g > 1 else y
    y = n.conv_bn(y, mid, mid, 3, stride, group=mid, act=None)
    if stride == 1:
        return n.node(
            "Relu", [n.node("Add", [x, n.conv_bn(y, mid, cout, 1, group=GROUPS, act=None)])]
        )
    y = n.conv_bn(y, mid, cout - cin, 1, group=GROUPS, act=None)
    short = n.node("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
    return n.node("Relu", [n.node("Concat", [short, y], axis=1)])


def shufflenet(
    name: str,
    seed: int,
    stages: list[tuple[int, int]],
    unit: object,
    last: int | None = None,
    size: int = 224,
    classes: int = 1000,
) -> object:
    """The frame both versions share: a 24-channel 3x3/2 stem and 3x3/2 max pooling, stages of
    (channels, units) whose first unit strides by 2 (``unit(n, x, cin, cout, stride, hw)``, hw
    its input's size), an optional 1x1 convolution to ``last`` channels, global pooling, fc."""
    from models import Net

    n = Net(seed)
    y = n.conv_bn("input", 3, 24, 3, 2)
    y = n.node("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
    cin, hw = 24, size // 4
    for cout, units in stages:
        for i in range(units):
            stride = 2 if i == 0 else 1
            y, cin, hw = unit(n, y, cin, cout, stride, hw), cout, hw // stride
    if last:
        y, cin = n.conv_bn(y, cin, last, 1), last
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    return n.model(name, (1, 3, size, size), n.fc(y, cin, classes))


def build(folder: Path) -> Built:
    return onnx_built(shufflenet("shufflenet_v1", 11, [(240, 4), (480, 8), (960, 4)], unit), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
