"""ResNet v1-18 (ONNX): tests/models.py's resnet18 (basic blocks, batch norm, 1000 classes) at
224x224, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built

TITLE = "ResNet v1-18"
FRAMEWORK = "ONNX"


def build(folder: Path) -> Built:
    from models import resnet18

    return onnx_built(resnet18(size=224), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
