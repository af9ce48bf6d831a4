"""YOLOv3 (ONNX): benchmarks/bench_models.py's yolov3 (Darknet-53, three detection heads at
strides 32, 16 and 8, 80 classes) at 416x416, against ONNX Runtime."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, onnx_built

TITLE = "YOLOv3"
FRAMEWORK = "ONNX"


def build(folder: Path) -> Built:
    from bench_models import yolov3

    return onnx_built(yolov3(size=416), folder)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
