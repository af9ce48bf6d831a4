"""Caffe layers and parameter forms beyond the whole-net tests, each checked against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from caffe_util import NetBuilder, conv, deconv, inner_product, pool, rel_error, run

pytestmark = pytest.mark.frontends


def test_conv_pool_norm_layers(tmp_path: Path) -> None:
    """_h/_w geometry, dilation, deconvolution, PReLU, BatchNorm+Scale in place, Eltwise with
    coefficients, AVE pooling whose last window is dropped, global pooling, LRN within channel."""
    nb = NetBuilder("convpool", seed=4)
    nb.input("data", (1, 4, 10, 12))
    x = nb.randn(1, 4, 10, 12)
    w, b = nb.randn(6, 4, 3, 2, scale=0.3), nb.randn(6)
    nb.layer(
        "Convolution",
        "c1",
        ["data"],
        ["c1"],
        "convolution_param { num_output: 6 kernel_h: 3 "
        "kernel_w: 2 pad_h: 1 stride_h: 2 stride_w: 1 }",
        [w, b],
    )
    c1 = conv(x, w, b, stride=(2, 1), pad=(1, 0))
    slope = nb.randn(6, scale=0.3)
    nb.layer("PReLU", "prelu", ["c1"], ["c1"], blobs=[slope])
    c1 = np.maximum(c1, 0) + slope.reshape(1, -1, 1, 1) * np.minimum(c1, 0)
    mean, var, gamma, beta = nb.randn(6), np.abs(nb.randn(6)) + 0.5, nb.randn(6), nb.randn(6)
    nb.layer(
        "BatchNorm",
        "bn",
        ["c1"],
        ["c1"],
        "batch_norm_param { eps: 0.001 }",
        [mean * 2, var * 2, np.array([2.0], np.float32)],
    )
    nb.layer("Scale", "scale", ["c1"], ["c1"], "scale_param { bias_term: true }", [gamma, beta])
    c1 = (c1 - mean.reshape(1, -1, 1, 1)) / np.sqrt(
        var.reshape(1, -1, 1, 1) + 1e-3
    ) * gamma.reshape(1, -1, 1, 1) + beta.reshape(1, -1, 1, 1)
    w2, b2 = nb.randn(6, 6, 3, 3, scale=0.2), nb.randn(6)
    nb.layer(
        "Convolution",
        "dil",
        ["c1"],
        ["dil"],
        "convolution_param { num_output: 6 kernel_size: 3 pad: 2 dilation: 2 }",
        [w2, b2],
    )
    dil = conv(c1, w2, b2, pad=2, dil=2)
    nb.layer(
        "Eltwise",
        "sum",
        ["c1", "dil"],
        ["sum"],
        "eltwise_param { operation: SUM coeff: 1 coeff: -0.5 }",
    )
    nb.layer("Eltwise", "prod", ["sum", "dil"], ["prod"], "eltwise_param { operation: PROD }")
    nb.layer("Eltwise", "emax", ["prod", "c1"], ["emax"], "eltwise_param { operation: MAX }")
    emax = np.maximum((c1 - 0.5 * dil) * dil, c1)
    nb.layer(
        "Pooling",
        "ave",
        ["emax"],
        ["ave"],
        "pooling_param { pool: AVE kernel_size: 2 stride: 3 pad: 1 }",
    )
    nb.layer(
        "Pooling",
        "maxp",
        ["emax"],
        ["maxp"],
        "pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }",
    )
    nb.layer(
        "Pooling", "gap", ["emax"], ["gap"], "pooling_param { pool: AVE global_pooling: true }"
    )
    nb.layer(
        "LRN",
        "lrn",
        ["emax"],
        ["lrn"],
        "lrn_param { local_size: 3 alpha: 0.1 beta: 0.75 norm_region: WITHIN_CHANNEL }",
    )
    sq = np.pad(emax**2, [(0, 0), (0, 0), (1, 1), (1, 1)])
    avg = sum(sq[:, :, i : i + 5, j : j + 11] for i in range(3) for j in range(3)) / 9
    w3, b3 = nb.randn(6, 2, 3, 3, scale=0.3), nb.randn(4)
    nb.layer(
        "Deconvolution",
        "up",
        ["emax"],
        ["up"],
        "convolution_param { num_output: 4 kernel_size: 3 stride: 2 pad: 1 group: 2 }",
        [w3, b3],
    )
    expected = {
        "ave": pool(emax, "AVE", 2, 3, 1),
        "gap": emax.mean(axis=(2, 3), keepdims=True),
        "lrn": emax * (1 + 0.1 * avg) ** -0.75,
        "maxp": pool(emax, "MAX", 3, 2, 1),
        "up": deconv(emax, w3, b3, stride=2, pad=1, group=2),
    }
    assert expected["ave"].shape == (1, 6, 2, 4)  # Caffe drops windows starting in the padding
    outs = run(nb, tmp_path, [x])
    err = max(rel_error(o, expected[k]) for o, k in zip(outs, sorted(expected)))
    print(f"conv/pool/norm layers: largest relative error {err:.2e}")


def test_shape_and_activation_layers(tmp_path: Path) -> None:
    """Legacy net inputs, TEST-phase filtering, activations, Power, Upsample, Concat, Slice, Crop,
    Flatten with end_axis, Reshape with axis/num_axes, InnerProduct with axis and transpose,
    Dropout and Split with their own tops, leaky ReLU in place, BatchNorm with batch statistics."""
    nb = NetBuilder("shapes", seed=5)
    nb.net.input.append("data")
    nb.net.input_shape.add().dim.extend([1, 3, 4, 6])
    x = nb.randn(1, 3, 4, 6)
    nb.layer("Data", "train_data", [], ["data"], "include { phase: TRAIN }")
    nb.layer("Accuracy", "acc", ["data"], ["acc"], "exclude { phase: TEST }")
    nb.layer("Sigmoid", "sig", ["data"], ["sig"])
    nb.layer("TanH", "tanh", ["data"], ["tanh"])
    nb.layer("ELU", "elu", ["data"], ["elu"], "elu_param { alpha: 0.5 }")
    nb.layer("AbsVal", "abs", ["data"], ["abs"])
    nb.layer("Power", "pow", ["abs"], ["pow"], "power_param { power: 2 scale: 0.5 shift: 1 }")
    nb.layer(
        "Concat", "cat", ["sig", "tanh", "elu", "pow"], ["cat"], "concat_param { concat_dim: 1 }"
    )
    nb.layer("ReLU", "leaky", ["cat"], ["cat"], "relu_param { negative_slope: 0.1 }")
    nb.layer("Upsample", "ups", ["cat"], ["ups"], "upsample_param { scale: 2 }")
    nb.layer(
        "Slice",
        "slice",
        ["ups"],
        ["s0", "s1", "s2"],
        "slice_param { axis: 1 slice_point: 5 slice_point: 7 }",
    )
    nb.layer("Crop", "crop", ["s1", "data"], ["crop"], "crop_param { axis: 2 offset: 1 offset: 3 }")
    nb.layer("Dropout", "drop", ["crop"], ["dropped"])
    nb.layer("Split", "split", ["dropped"], ["a", "b", "c"])
    nb.layer(
        "BatchNorm",
        "bn_batch",
        ["c"],
        ["bn_batch"],
        "batch_norm_param { use_global_stats: false }",
        [np.zeros(2, np.float32), np.ones(2, np.float32), np.ones(1, np.float32)],
    )
    nb.layer("Flatten", "flat", ["a"], ["flat"], "flatten_param { axis: 1 end_axis: 2 }")
    nb.layer(
        "Reshape",
        "rs",
        ["flat"],
        ["rs"],
        "reshape_param { shape { dim: 2 dim: -1 } axis: 1 num_axes: 1 }",
    )
    w, bias = nb.randn(6, 8, scale=0.3), nb.randn(8)
    nb.layer(
        "InnerProduct",
        "ip",
        ["rs"],
        ["ip"],
        "inner_product_param { num_output: 8 axis: 3 transpose: true }",
        [w, bias],
    )
    nb.layer("Softmax", "sm", ["b"], ["sm"], "softmax_param { axis: -1 }")
    nb.layer("Bias", "biased", ["s2", "s0"], ["biased"], "bias_param { axis: 0 }")
    cat = np.concatenate(
        [
            1 / (1 + np.exp(-x)),
            np.tanh(x),
            np.where(x > 0, x, 0.5 * (np.exp(x) - 1)),
            (1 + 0.5 * np.abs(x)) ** 2,
        ],
        axis=1,
    )
    cat = np.where(cat > 0, cat, 0.1 * cat)
    ups = cat.repeat(2, axis=2).repeat(2, axis=3)
    crop = ups[:, 5:7, 1:5, 3:9]
    e = np.exp(crop - crop.max(axis=-1, keepdims=True))
    expected = {
        "biased": ups[:, 7:12] + ups[:, 0:5],
        "ip": inner_product(crop.reshape(-1, 6), w.T, bias).reshape(1, 2, 4, 8),
        "sm": e / e.sum(axis=-1, keepdims=True),
        "bn_batch": (crop - crop.mean(axis=(0, 2, 3), keepdims=True))
        / np.sqrt(crop.var(axis=(0, 2, 3), keepdims=True) + 1e-5),
    }
    outs = run(nb, tmp_path, [x])
    err = max(rel_error(o, expected[k]) for o, k in zip(outs, sorted(expected)))
    print(f"shape/activation layers: largest relative error {err:.2e}")
