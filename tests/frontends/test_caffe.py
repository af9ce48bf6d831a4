"""Caffe nets written in code (seeded weights), compiled by HALO, run on the reference runtime and
compared with numpy computations of Caffe's layer semantics (tests/caffe_util.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from caffe_util import (
    NetBuilder,
    conv,
    conv_layer,
    inner_product,
    lrn_across,
    pool,
    rel_error,
    run,
    softmax,
)
from results import record

pytestmark = pytest.mark.frontends


def test_lenet(runtime: str, tmp_path: Path) -> None:
    nb = NetBuilder("lenet", seed=1)
    nb.input("data", (1, 1, 28, 28))
    w1, b1 = conv_layer(nb, "conv1", "data", 1, 20, 5)
    nb.layer(
        "Pooling",
        "pool1",
        ["conv1"],
        ["pool1"],
        "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
    )
    w2, b2 = conv_layer(nb, "conv2", "pool1", 20, 50, 5, scale=0.05)
    nb.layer(
        "Pooling",
        "pool2",
        ["conv2"],
        ["pool2"],
        "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
    )
    w3, b3 = nb.randn(500, 800, scale=0.03), nb.randn(500, scale=0.1)
    nb.layer(
        "InnerProduct",
        "ip1",
        ["pool2"],
        ["ip1"],
        "inner_product_param { num_output: 500 }",
        [w3, b3],
    )
    nb.layer("ReLU", "relu1", ["ip1"], ["ip1"])
    w4, b4 = nb.randn(10, 500, scale=0.05), nb.randn(10, scale=0.1)
    nb.layer(
        "InnerProduct", "ip2", ["ip1"], ["ip2"], "inner_product_param { num_output: 10 }", [w4, b4]
    )
    nb.layer("Softmax", "prob", ["ip2"], ["prob"])
    x = nb.randn(1, 1, 28, 28)
    y = pool(conv(x, w1, b1), "MAX", 2, 2)
    y = pool(conv(y, w2, b2), "MAX", 2, 2)
    y = softmax(inner_product(np.maximum(inner_product(y, w3, b3), 0), w4, b4))
    record("Caffe", "LeNet", "numpy (Caffe semantics)", rel_error(run(nb, tmp_path, [x], runtime)[0], y),
           runtime=runtime)


def test_alexnet_shaped(tmp_path: Path) -> None:
    """CaffeNet's layer sequence at 71x71 with fewer channels; every pooling rounds up."""
    nb = NetBuilder("alexnet", seed=2)
    nb.input("data", (1, 3, 71, 71))
    lrn = "lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 }"
    ref: dict[str, np.ndarray] = {"data": nb.randn(1, 3, 71, 71)}
    specs = [
        ("conv1", "data", 3, 16, 11, "stride: 4", 1),
        ("conv2", "norm1", 16, 32, 5, "pad: 2", 2),
        ("conv3", "norm2", 32, 48, 3, "pad: 1", 1),
        ("conv4", "conv3", 48, 48, 3, "pad: 1", 2),
        ("conv5", "conv4", 48, 32, 3, "pad: 1", 2),
    ]
    for name, bottom, cin, cout, k, extra, group in specs:
        w, b = conv_layer(
            nb, name, bottom, cin, cout, k, extra, group, scale=0.5 / np.sqrt(cin * k * k / group)
        )
        nb.layer("ReLU", f"relu{name[-1]}", [name], [name])
        stride = 4 if name == "conv1" else 1
        ref[name] = np.maximum(
            conv(ref[bottom], w, b, stride, k // 2 if k < 11 else 0, group=group), 0
        )
        if name in ("conv1", "conv2", "conv5"):
            i = name[-1]
            nb.layer(
                "Pooling",
                f"pool{i}",
                [name],
                [f"pool{i}"],
                "pooling_param { pool: MAX kernel_size: 3 stride: 2 }",
            )
            ref[f"pool{i}"] = pool(ref[name], "MAX", 3, 2)
            if i != "5":
                nb.layer("LRN", f"norm{i}", [f"pool{i}"], [f"norm{i}"], lrn)
                ref[f"norm{i}"] = lrn_across(ref[f"pool{i}"], 5, 1e-4, 0.75)
    assert ref["pool5"].shape == (1, 32, 2, 2)  # 71 -> 16 -> 8 -> 4 -> 2: ceil rounding each time
    y, bottom = ref["pool5"], "pool5"
    for name, cin, cout in (("fc6", 128, 64), ("fc7", 64, 64), ("fc8", 64, 10)):
        w, b = nb.randn(cout, cin, scale=1 / np.sqrt(cin)), nb.randn(cout, scale=0.1)
        nb.layer(
            "InnerProduct",
            name,
            [bottom],
            [name],
            f"inner_product_param {{ num_output: {cout} }}",
            [w, b],
        )
        y = inner_product(y, w, b)
        if name != "fc8":
            nb.layer("ReLU", f"relu{name[-1]}", [name], [name])
            nb.layer(
                "Dropout", f"drop{name[-1]}", [name], [name], "dropout_param { dropout_ratio: 0.5 }"
            )
            y = np.maximum(y, 0)
        bottom = name
    nb.layer("Softmax", "prob", ["fc8"], ["prob"])
    err = rel_error(run(nb, tmp_path, [ref["data"]])[0], softmax(y))
    record("Caffe", "CaffeNet/AlexNet-shaped", "numpy (Caffe semantics)", err)
