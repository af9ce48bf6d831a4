"""GoogleNet (Caffe): BVLC's bvlc_googlenet deploy net (Inception v1 with LRN, nine inception
modules, 7x7 average pooling, dropout, 1000 classes, softmax) at 224x224, seeded He-scaled
weights; the reference is numpy written from Caffe's layer semantics."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, CaffeNet

TITLE = "GoogleNet"
FRAMEWORK = "Caffe"

# name, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection (the paper's table 1); a max
# pooling 3x3/2 follows 3b and 4e
INCEPTION = [
    ("3a", 64, 96, 128, 16, 32, 32),
    ("3b", 128, 128, 192, 32, 96, 64),
    ("4a", 192, 96, 208, 16, 48, 64),
    ("4b", 160, 112, 224, 24, 64, 64),
    ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64),
    ("4e", 256, 160, 320, 32, 128, 128),
    ("5a", 256, 160, 320, 32, 128, 128),
    ("5b", 384, 192, 384, 48, 128, 128),
]
POOL_AFTER = ("3b", "4e")


def inception(
    n: CaffeNet, x: str, name: str, c1: int, r3: int, c3: int, r5: int, c5: int, cp: int
) -> str:
    p = f"inception_{name}"
    b1 = n.conv(f"{p}/1x1", x, c1, 1)
    b3 = n.conv(f"{p}/3x3", n.conv(f"{p}/3x3_reduce", x, r3, 1), c3, 3, pad=1)
    b5 = n.conv(f"{p}/5x5", n.conv(f"{p}/5x5_reduce", x, r5, 1), c5, 5, pad=2)
    bp = n.conv(f"{p}/pool_proj", n.pool(f"{p}/pool", x, "MAX", 3, 1, pad=1), cp, 1)
    return n.concat(f"{p}/output", [b1, b3, b5, bp])


def build(folder: Path) -> Built:
    n = CaffeNet("googlenet", (1, 3, 224, 224), seed=3)
    y = n.pool("pool1/3x3_s2", n.conv("conv1/7x7_s2", "data", 64, 7, 2, 3), "MAX", 3, 2)
    y = n.conv("conv2/3x3_reduce", n.lrn("pool1/norm1", y), 64, 1)
    y = n.lrn("conv2/norm2", n.conv("conv2/3x3", y, 192, 3, pad=1))
    y = n.pool("pool2/3x3_s2", y, "MAX", 3, 2)
    for name, *widths in INCEPTION:
        y = inception(n, y, name, *widths)
        if name in POOL_AFTER:
            y = n.pool(f"pool{name[0]}/3x3_s2", y, "MAX", 3, 2)
    y = n.dropout(n.pool("pool5/7x7_s1", y, "AVE", 7, 1), 0.4)
    return n.built(folder, n.softmax("prob", n.fc("loss3/classifier", y, 1000, relu=False)))


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
