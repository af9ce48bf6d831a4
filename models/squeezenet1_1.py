"""SqueezeNet 1.1 (Caffe): DeepScale's v1.1 deploy net at 227x227 (see squeezenet1_0.py)."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built
from squeezenet1_0 import squeezenet

TITLE = "SqueezeNet 1.1"
FRAMEWORK = "Caffe"


def build(folder: Path) -> Built:
    return squeezenet("1.1", folder, seed=5)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
