"""ShuffleNet v2 (ONNX): 1x (Ma et al. 2018, table 5: stages of 116, 232 and 464 channels, 4/8/4
units, a 1024-channel 1x1 convolution; channel split, two-group shuffle) at 224x224 in the tests'
``Net`` DSL, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built
from onnx import helper
from shufflenet_v1 import channel_shuffle, shufflenet

TITLE = "ShuffleNet v2"
FRAMEWORK = "ONNX"


def split(n: object, x: str, c: int) -> tuple[str, str]:
    from bench_models import _ints

    a, b = n._name("split"), n._name("split")
    n.nodes.append(helper.make_node("Split", [x, _ints(n, [c // 2, c // 2])], [a, b], axis=1))
    return a, b


def branch(n: object, x: str, cin: int, c: int, stride: int) -> str:
    y = n.conv_bn(x, cin, c, 1)
    y = n.conv_bn(y, c, c, 3, stride, group=c, act=None)
    return n.conv_bn(y, c, c, 1)


def unit(n: object, x: str, cin: int, cout: int, stride: int, hw: int) -> str:
    half = cout // 2
    if stride == 1:
        left, right = split(n, x, cin)
        right = branch(n, right, half, half, 1)
    else:
        left = n.conv_bn(n.conv_bn(x, cin, cin, 3, 2, group=cin, act=None), cin, half, 1)
        right = branch(n, x, cin, half, 2)
    return channel_shuffle(n, n.node("Concat", [left, right], axis=1), cout, hw // stride, 2)


def build(folder: Path) -> Built:
    stages = [(116, 4), (232, 8), (464, 4)]
    return onnx_built(shufflenet("shufflenet_v2", 12, stages, unit, last=1024), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
