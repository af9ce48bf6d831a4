"""UNet (ONNX): Ronneberger et al. 2015 as published: a 572x572 one-channel image, unpadded 3x3
convolutions (64 to 1024 channels), 2x2 max pooling, 2x2 up-convolutions (ConvTranspose), skip
connections cropped to the decoder's size (Slice) and concatenated, a 1x1 convolution to 2
classes on a 388x388 map; in the tests' ``Net`` DSL, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built

TITLE = "UNet"
FRAMEWORK = "ONNX"


def double_conv(n: object, x: str, cin: int, cout: int) -> str:
    for c in (cin, cout):
        w, b = n.param((cout, c, 3, 3)), n.param((cout,), 0.1)
        x = n.node("Relu", [n.node("Conv", [x, w, b], kernel_shape=[3, 3])])
    return x


def center_crop(n: object, x: str, size: int, to: int) -> str:
    from bench_models import _ints

    lo = (size - to) // 2
    return n.node("Slice", [x, _ints(n, [lo, lo]), _ints(n, [lo + to] * 2), _ints(n, [2, 3])])


def unet(image: int = 572, classes: int = 2) -> object:
    from models import Net

    n = Net(14)
    x, cin, skips, size = "input", 1, [], image
    for c in (64, 128, 256, 512):
        x = double_conv(n, x, cin, c)
        size -= 4
        skips.append((x, size))
        x, cin, size = n.node("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2]), c, size // 2
    x, size = double_conv(n, x, 512, 1024), size - 4
    for c in (512, 256, 128, 64):
        w, b = n.param((2 * c, c, 2, 2), scale=(1 / c) ** 0.5), n.param((c,), 0.1)
        x = n.node("ConvTranspose", [x, w, b], kernel_shape=[2, 2], strides=[2, 2])
        skip, skip_size = skips.pop()
        size *= 2
        x = n.node("Concat", [center_crop(n, skip, skip_size, size), x], axis=1)
        x, size = double_conv(n, x, 2 * c, c), size - 4
    out = n.node(
        "Conv", [x, n.param((classes, 64, 1, 1)), n.param((classes,), 0.1)], kernel_shape=[1, 1]
    )
    return n.model("unet", (1, 1, image, image), out)


def build(folder: Path) -> Built:
    return onnx_built(unet(), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
