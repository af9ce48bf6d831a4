"""AlexNet (Caffe): BVLC's bvlc_alexnet deploy net (5 convolutions, two of them in 2 groups, LRN,
3x3/2 max pooling that rounds up, fc6/fc7 4096 with dropout, fc8 1000, softmax) at 227x227, with
seeded He-scaled weights; the reference is numpy written from Caffe's layer semantics."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, CaffeNet

TITLE = "AlexNet"
FRAMEWORK = "Caffe"


def alexnet(name: str, pool_first: bool, folder: Path, seed: int) -> Built:
    """AlexNet normalizes, then pools; CaffeNet (``pool_first``) pools, then normalizes."""
    n = CaffeNet(name, (1, 3, 227, 227), seed)
    y = "data"
    for i, (cout, k, stride, pad, group) in enumerate([(96, 11, 4, 0, 1), (256, 5, 1, 2, 2)], 1):
        y = n.conv(f"conv{i}", y, cout, k, stride, pad, group)
        if pool_first:
            y = n.lrn(f"norm{i}", n.pool(f"pool{i}", y, "MAX", 3, 2))
        else:
            y = n.pool(f"pool{i}", n.lrn(f"norm{i}", y), "MAX", 3, 2)
    y = n.conv("conv3", y, 384, 3, pad=1)
    y = n.conv("conv4", y, 384, 3, pad=1, group=2)
    y = n.pool("pool5", n.conv("conv5", y, 256, 3, pad=1, group=2), "MAX", 3, 2)
    y = n.dropout(n.fc("fc6", y, 4096))
    y = n.dropout(n.fc("fc7", y, 4096))
    return n.built(folder, n.softmax("prob", n.fc("fc8", y, 1000, relu=False)))


def build(folder: Path) -> Built:
    return alexnet("alexnet", False, folder, seed=1)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
