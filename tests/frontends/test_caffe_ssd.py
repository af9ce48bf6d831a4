"""A small SSD (backbone, Normalize, Permute/Flatten/Concat heads, PriorBox, DetectionOutput)
against numpy computations of Caffe's SSD layers (tests/caffe_util.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from caffe_util import (
    NetBuilder,
    conv,
    conv_layer,
    detection_output,
    normalize,
    pool,
    prior_box,
    rel_error,
    run,
    softmax,
)
from results import record

pytestmark = pytest.mark.frontends


SSD_CLASSES = 4
HEADS = [  # feature blob, channels, size, min_size, max_size, aspect ratios, priors per location
    ("conv2_norm", 16, 24, 8.0, None, [2.0], 3),
    ("conv3", 16, 12, 16.0, 24.0, [2.0, 3.0], 6),
    ("conv4", 16, 6, 30.0, 40.0, [2.0], 4),
]


def ssd_net(
    conf_thr: float = 0.2, keep_top_k: int = 25, detection: bool = True
) -> tuple[NetBuilder, np.ndarray, dict[str, np.ndarray]]:
    """A small SSD: conv backbone, Normalize, loc/conf heads with Permute+Flatten, PriorBox,
    Concat, softmax over classes, DetectionOutput."""
    nb = NetBuilder("ssd", seed=3)
    nb.input("data", (1, 3, 48, 48))
    ref = {"data": nb.randn(1, 3, 48, 48)}
    for name, bottom, cin, cout, extra, pooled in [
        ("conv1", "data", 3, 8, "pad: 1", True),
        ("conv2", "pool1", 8, 16, "pad: 1", False),
        ("conv3", "pool2", 16, 16, "pad: 1", False),
        ("conv4", "conv3", 16, 16, "pad: 1 stride: 2", False),
    ]:
        w, b = conv_layer(nb, name, bottom, cin, cout, 3, extra, scale=0.6 / np.sqrt(cin * 9))
        nb.layer("ReLU", f"{name}_relu", [name], [name])
        ref[name] = np.maximum(conv(ref[bottom], w, b, 2 if "stride" in extra else 1, 1), 0)
        if pooled:
            nb.layer(
                "Pooling",
                "pool1",
                [name],
                ["pool1"],
                "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
            )
            ref["pool1"] = pool(ref[name], "MAX", 2, 2)
        if name == "conv2":
            scale = np.full(16, 20.0, np.float32)
            nb.layer(
                "Normalize",
                "conv2_norm",
                ["conv2"],
                ["conv2_norm"],
                "norm_param { across_spatial: false channel_shared: false }",
                [scale],
            )
            ref["conv2_norm"] = normalize(ref["conv2"], scale)
            nb.layer(
                "Pooling",
                "pool2",
                ["conv2"],
                ["pool2"],
                "pooling_param { pool: MAX kernel_size: 2 stride: 2 }",
            )
            ref["pool2"] = pool(ref["conv2"], "MAX", 2, 2)
    locs, confs, priors = [], [], []
    for feat, ch, size, mn, mx, ars, per in HEADS:
        for kind, n in (("loc", per * 4), ("conf", per * SSD_CLASSES)):
            w, b = conv_layer(nb, f"{feat}_{kind}", feat, ch, n, 3, "pad: 1", scale=0.02)
            nb.layer(
                "Permute",
                f"{feat}_{kind}_perm",
                [f"{feat}_{kind}"],
                [f"{feat}_{kind}_perm"],
                "permute_param { order: 0 order: 2 order: 3 order: 1 }",
            )
            nb.layer(
                "Flatten", f"{feat}_{kind}_flat", [f"{feat}_{kind}_perm"], [f"{feat}_{kind}_flat"]
            )
            out = conv(ref[feat], w, b, 1, 1).transpose(0, 2, 3, 1).reshape(1, -1)
            (locs if kind == "loc" else confs).append(out)
        text = (
            f"min_size: {mn} "
            + (f"max_size: {mx} " if mx else "")
            + " ".join(f"aspect_ratio: {a}" for a in ars)
        )
        clip = feat == "conv3"
        text += f" flip: true clip: {str(clip).lower()} variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2"
        text += " step: 7" if feat == "conv4" else ""
        nb.layer(
            "PriorBox",
            f"{feat}_prior",
            [feat, "data"],
            [f"{feat}_prior"],
            f"prior_box_param {{ {text} }}",
        )
        priors.append(
            prior_box(
                size,
                size,
                48,
                48,
                mn,
                mx,
                ars,
                True,
                clip,
                [0.1, 0.1, 0.2, 0.2],
                step=7 if feat == "conv4" else None,
            )
        )
    for blob, parts, axis in (
        ("mbox_loc", locs, 1),
        ("mbox_conf", confs, 1),
        ("mbox_priorbox", priors, 2),
    ):
        tag = {"mbox_loc": "loc_flat", "mbox_conf": "conf_flat", "mbox_priorbox": "prior"}[blob]
        nb.layer(
            "Concat",
            blob,
            [f"{h[0]}_{tag}" for h in HEADS],
            [blob],
            f"concat_param {{ axis: {axis} }}",
        )
        ref[blob] = np.concatenate(parts, axis=axis)
    nb.layer(
        "Reshape",
        "mbox_conf_reshape",
        ["mbox_conf"],
        ["mbox_conf_reshape"],
        f"reshape_param {{ shape {{ dim: 0 dim: -1 dim: {SSD_CLASSES} }} }}",
    )
    nb.layer(
        "Softmax",
        "mbox_conf_softmax",
        ["mbox_conf_reshape"],
        ["mbox_conf_softmax"],
        "softmax_param { axis: 2 }",
    )
    nb.layer("Flatten", "mbox_conf_flatten", ["mbox_conf_softmax"], ["mbox_conf_flatten"])
    ref["mbox_conf_flatten"] = softmax(
        ref["mbox_conf"].reshape(1, -1, SSD_CLASSES), axis=2
    ).reshape(1, -1)
    if not detection:
        return nb, ref["data"], ref
    nb.layer(
        "DetectionOutput",
        "detection_out",
        ["mbox_loc", "mbox_conf_flatten", "mbox_priorbox"],
        ["detection_out"],
        f"detection_output_param {{ num_classes: {SSD_CLASSES} share_location: true "
        "background_label_id: 0 nms_param { nms_threshold: 0.45 top_k: 20 } code_type: CENTER_SIZE "
        f"keep_top_k: {keep_top_k} confidence_threshold: {conf_thr} }}",
    )
    return nb, ref["data"], ref


def test_ssd_heads(tmp_path: Path) -> None:
    """The net up to DetectionOutput's inputs: selected with --outputs, and as a net of its own
    (its outputs in Caffe's order: by name; mbox_priorbox is a folded constant)."""
    nb, x, ref = ssd_net()
    names = ("mbox_loc", "mbox_conf_flatten")
    errs = [rel_error(o, ref[n]) for o, n in zip(run(nb, tmp_path, [x], outputs=names), names)]
    nb, x, ref = ssd_net(detection=False)
    names = ("mbox_conf_flatten", "mbox_loc", "mbox_priorbox")
    errs += [rel_error(o, ref[n]) for o, n in zip(run(nb, tmp_path, [x]), names)]
    record("Caffe", "SSD-shaped (heads, PriorBox)", "numpy (Caffe semantics)", max(errs))


@pytest.mark.parametrize("conf_thr, keep_top_k", [(0.2, 25), (0.3, -1)])
def test_ssd_detection_output(conf_thr: float, keep_top_k: int, tmp_path: Path) -> None:
    nb, x, ref = ssd_net(conf_thr, keep_top_k)
    (out,) = run(nb, tmp_path, [x])
    expected = detection_output(
        ref["mbox_loc"],
        ref["mbox_conf_flatten"],
        ref["mbox_priorbox"],
        SSD_CLASSES,
        0.45,
        20,
        keep_top_k,
        conf_thr,
    )
    rows_per_image = keep_top_k if keep_top_k > 0 else (SSD_CLASSES - 1) * 20
    assert out.shape == (1, 1, rows_per_image, 7)
    rows = out[0, 0]
    count = int((rows[:, 0] >= 0).sum())
    assert 0 < count == len(expected), f"{count} detections, Caffe keeps {len(expected)}"
    assert np.all(rows[count:] == -1)
    err = rel_error(rows[:count], expected)
    record("Caffe", f"SSD-shaped DetectionOutput (conf {conf_thr}, keep {keep_top_k})",
           "numpy (Caffe semantics)", err, f"{count} detections")


def test_nms_long_suppression_chain(tmp_path: Path) -> None:
    """Boxes overlapping only their neighbours, in score order: greedy NMS keeps every other one,
    which the unrolled fixed point reaches only after top_k - 1 steps. Priors are a run-time input."""
    p = 12
    nb = NetBuilder("chain")
    for name, shape in (("loc", (1, p * 4)), ("conf", (1, p * 2)), ("prior", (1, 2, p * 4))):
        nb.input(name, shape)
    nb.layer(
        "DetectionOutput",
        "det",
        ["loc", "conf", "prior"],
        ["det"],
        "detection_output_param { num_classes: 2 nms_param { nms_threshold: 0.3 top_k: 12 } "
        "code_type: CENTER_SIZE confidence_threshold: 0.01 }",
    )
    boxes = np.array([[0.05 * i, 0.1, 0.05 * i + 0.1, 0.2] for i in range(p)])
    prior = np.stack([boxes.reshape(-1), np.full(p * 4, 0.1)])[None].astype(np.float32)
    scores = np.linspace(0.9, 0.5, p)
    conf = np.stack([1 - scores, scores], axis=1).reshape(1, -1).astype(np.float32)
    loc = np.zeros((1, p * 4), np.float32)
    (out,) = run(nb, tmp_path, [loc, conf, prior])
    expected = detection_output(loc, conf, prior, 2, 0.3, 12, -1, 0.01)
    assert [int(i) for i in np.round(expected[:, 3] / 0.05)] == [0, 2, 4, 6, 8, 10]
    assert out.shape == (1, 1, 12, 7) and np.all(out[0, 0, 6:] == -1)
    print(f"nms chain: largest relative error {rel_error(out[0, 0, :6], expected):.2e}")
