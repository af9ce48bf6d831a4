"""SqueezeNet 1.0 (Caffe): DeepScale's deploy net (fire modules, 7x7/2 stem, 1000-way 1x1
convolution, global average pooling, softmax) at 227x227, seeded He-scaled weights; the
reference is numpy written from Caffe's layer semantics."""

from __future__ import annotations

from pathlib import Path

from frameworks import Built, CaffeNet

TITLE = "SqueezeNet 1.0"
FRAMEWORK = "Caffe"


def fire(n: CaffeNet, x: str, name: str, squeeze: int, expand: int) -> str:
    s = n.conv(f"{name}/squeeze1x1", x, squeeze, 1)
    e1 = n.conv(f"{name}/expand1x1", s, expand, 1)
    e3 = n.conv(f"{name}/expand3x3", s, expand, 3, pad=1)
    return n.concat(f"{name}/concat", [e1, e3])


def squeezenet(version: str, folder: Path, seed: int) -> Built:
    """1.0: 96 7x7/2 stem, pooling after fire4 and fire8; 1.1: 64 3x3/2 stem, pooling after
    fire3 and fire5 (2.4x less computation, the same accuracy)."""
    n = CaffeNet(f"squeezenet{version.replace('.', '_')}", (1, 3, 227, 227), seed)
    stem, pools = ((96, 7), (4, 8)) if version == "1.0" else ((64, 3), (3, 5))
    y = n.pool("pool1", n.conv("conv1", "data", stem[0], stem[1], 2), "MAX", 3, 2)
    for i, (squeeze, expand) in enumerate(
        [(16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256), (64, 256)], 2
    ):
        y = fire(n, y, f"fire{i}", squeeze, expand)
        if i in pools:
            y = n.pool(f"pool{i}", y, "MAX", 3, 2)
    y = n.conv("conv10", n.dropout(y), 1000, 1)
    return n.built(folder, n.softmax("prob", n.global_ave_pool("pool10", y)))


def build(folder: Path) -> Built:
    return squeezenet("1.0", folder, seed=4)


if __name__ == "__main__":
    from demo import script_main

    raise SystemExit(script_main(__file__))
