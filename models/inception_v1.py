"""Inception v1 (ONNX): GoogLeNet with batch norm after every convolution instead of LRN (as in
TF-slim's inception_v1 and torchvision's googlenet; the module widths of googlenet.py), max
pooling that rounds up, at 224x224 in the tests' ``Net`` DSL, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built
from googlenet import INCEPTION, POOL_AFTER

TITLE = "Inception v1"
FRAMEWORK = "ONNX"


def max_pool(n: object, x: str, stride: int) -> str:
    if stride == 1:
        return n.node("MaxPool", [x], kernel_shape=[3, 3], strides=[1, 1], pads=[1] * 4)
    return n.node("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)


def inception(
    n: object, x: str, cin: int, c1: int, r3: int, c3: int, r5: int, c5: int, cp: int
) -> tuple[str, int]:
    b1 = n.conv_bn(x, cin, c1, 1)
    b3 = n.conv_bn(n.conv_bn(x, cin, r3, 1), r3, c3, 3)
    b5 = n.conv_bn(n.conv_bn(x, cin, r5, 1), r5, c5, 5)
    bp = n.conv_bn(max_pool(n, x, 1), cin, cp, 1)
    return n.node("Concat", [b1, b3, b5, bp], axis=1), c1 + c3 + c5 + cp


def inception_v1(size: int = 224, classes: int = 1000) -> object:
    from models import Net

    n = Net(13)
    y = max_pool(n, n.conv_bn("input", 3, 64, 7, 2), 2)
    y = max_pool(n, n.conv_bn(n.conv_bn(y, 64, 64, 1), 64, 192, 3), 2)
    cin = 192
    for name, *widths in INCEPTION:
        y, cin = inception(n, y, cin, *widths)
        y = max_pool(n, y, 2) if name in POOL_AFTER else y
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    return n.model("inception_v1", (1, 3, size, size), n.fc(y, cin, classes))


def build(folder: Path) -> Built:
    return onnx_built(inception_v1(), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
