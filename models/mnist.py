"""MNIST (ONNX): the digit CNN of tests/models.py (two 5x5 convolutions, max pooling, a softmax
classifier) on a 1x1x28x28 image, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built

TITLE = "MNIST"
FRAMEWORK = "ONNX"


def build(folder: Path) -> Built:
    from models import mnist_cnn

    return onnx_built(mnist_cnn(), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
