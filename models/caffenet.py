"""CaffeNet (Caffe): BVLC's bvlc_reference_caffenet, AlexNet with pooling before normalization,
at 227x227 (see alexnet.py); the reference is numpy written from Caffe's layer semantics."""

from __future__ import annotations

from pathlib import Path

from alexnet import alexnet
from frameworks import Built

TITLE = "CaffeNet"
FRAMEWORK = "Caffe"


def build(folder: Path) -> Built:
    return alexnet("caffenet", True, folder, seed=2)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
