"""Small TensorFlow graphs per op family, frozen to GraphDefs and compared with TensorFlow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from tf_util import compare, freeze, spec

pytestmark = pytest.mark.frontends

R = np.random.default_rng(3)


def _w(*shape: int) -> tf.Tensor:
    return tf.constant(R.standard_normal(shape).astype(np.float32) * 0.5)


def _x(*shape: int) -> np.ndarray:
    return R.standard_normal(shape).astype(np.float32)


W33, WDW, WT, W3D = _w(3, 3, 4, 8), _w(3, 3, 4, 2), _w(3, 3, 5, 4), _w(2, 3, 3, 4, 6)
WG, WM, B7 = _w(3, 3, 2, 6), _w(7, 5), _w(7)
IMG, IMG5 = _x(1, 9, 10, 4), _x(1, 4, 6, 7, 4)
BN = [tf.constant(v) for v in (R.uniform(0.5, 1.5, 4), R.normal(0, 0.3, 4), R.normal(0, 0.3, 4),
                                R.uniform(0.5, 1.5, 4))]
BN = [tf.cast(v, tf.float32) for v in BN]

CASES: dict[str, tuple[Callable, list[np.ndarray]]] = {
    # convolutions
    "conv_same_s2": (lambda x: tf.nn.conv2d(x, W33, 2, "SAME"), [IMG]),
    "conv_valid_dilated": (lambda x: tf.nn.conv2d(x, W33, 1, "VALID", dilations=2), [IMG]),
    "conv_explicit": (lambda x: tf.nn.conv2d(x, W33, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]), [IMG]),
    "conv_grouped": (lambda x: tf.nn.conv2d(x, WG, 1, "SAME"), [IMG]),
    "depthwise_s2": (lambda x: tf.nn.depthwise_conv2d(x, WDW, [1, 2, 2, 1], "SAME"), [IMG]),
    "depthwise_dilated": (lambda x: tf.raw_ops.DepthwiseConv2dNative(
        input=x, filter=WDW, strides=[1, 1, 1, 1], padding="VALID", dilations=[1, 2, 2, 1]), [IMG]),
    "deconv_same_s2": (lambda x: tf.nn.conv2d_transpose(x, WT, (1, 18, 20, 5), 2, "SAME"), [IMG]),
    "deconv_valid_s2": (lambda x: tf.nn.conv2d_transpose(x, WT, (1, 19, 21, 5), 2, "VALID"), [IMG]),
    "conv3d_same": (lambda x: tf.nn.conv3d(x, W3D, [1, 1, 2, 1, 1], "SAME"), [IMG5]),
    # pooling
    "maxpool_same": (lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME"), [IMG]),
    "avgpool_same": (lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), [IMG]),
    "avgpool_valid": (lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID"), [IMG]),
    "maxpool3d": (lambda x: tf.nn.max_pool3d(x, 2, 2, "SAME"), [IMG5]),
    # normalization, bias, matrix products
    "fused_batch_norm": (lambda x: tf.compat.v1.nn.fused_batch_norm(
        x, *BN, epsilon=1e-3, is_training=False)[0], [IMG]),
    "matmul_bias": (lambda x: tf.nn.bias_add(tf.matmul(x, WM, transpose_b=True), B7), [_x(3, 5)]),
    "batch_matmul": (lambda a, b: tf.matmul(a, b, adjoint_a=True), [_x(2, 3, 5, 4), _x(3, 5, 6)]),
    "lrn": (lambda x: tf.nn.local_response_normalization(x, 2, 1.5, 0.3, 0.75), [IMG]),
    # resizing
    "bilinear_half_pixel": (lambda x: tf.image.resize(x, (13, 7), "bilinear"), [IMG]),
    "bilinear_align": (lambda x: tf.compat.v1.image.resize_bilinear(x, (13, 7), True), [IMG]),
    "bilinear_legacy": (lambda x: tf.compat.v1.image.resize_bilinear(x, (13, 7)), [IMG]),
    "nearest_half_pixel": (lambda x: tf.image.resize(x, (18, 15), "nearest"), [IMG]),
    "nearest_align": (lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, (13, 7), True), [IMG]),
    "nearest_legacy": (lambda x: tf.compat.v1.image.resize_nearest_neighbor(x, (13, 7)), [IMG]),
    # padding
    "pad_value": (lambda x: tf.pad(x, [[0, 0], [1, 2], [3, 0], [0, 1]], constant_values=1.5), [IMG]),
    "pad_reflect": (lambda x: tf.pad(x, [[0, 0], [1, 2], [3, 0], [0, 0]], "REFLECT"), [IMG]),
    "pad_symmetric": (lambda x: tf.pad(x, [[0, 0], [1, 2], [3, 0], [0, 1]], "SYMMETRIC"), [IMG]),
    # slicing and shapes
    "strided_slice": (lambda x: x[:, 1:-1:2, ::-1, tf.newaxis, 1:], [IMG]),
    "strided_shrink_ellipsis": (lambda x: x[..., 2] + x[0, :, 3:4, 1], [IMG]),
    "slice": (lambda x: tf.slice(x, [0, 1, 2, 0], [-1, 3, 5, 2]), [IMG]),
    "split": (lambda x: tuple(tf.split(x, 2, axis=-1)), [IMG]),
    "split_v": (lambda x: tuple(tf.split(x, [2, -1, 3], axis=2)), [IMG]),
    "unstack": (lambda x: tuple(tf.unstack(x, axis=3)), [IMG]),
    "concat_stack": (lambda x: tf.stack([tf.concat([x, tf.nn.relu(x)], -1), tf.concat([-x, x], -1)],
                                         axis=1), [IMG]),
    "gather_tile": (lambda x: tf.tile(tf.gather(x, [2, 0, 2], axis=1), [2, 1, 1, 3]), [IMG]),
    "reshape_dynamic": (lambda x: tf.reshape(x, [tf.shape(x)[0], -1]), [IMG]),
    "transpose_squeeze": (lambda x: tf.squeeze(tf.transpose(x[:, :1], [0, 3, 2, 1]), -1), [IMG]),
    "expand_broadcast": (lambda x: tf.broadcast_to(tf.expand_dims(x, 1), (3, 2, 5)), [_x(3, 5)]),
    "cast_select": (lambda x: tf.cast(x > 0, tf.float32) * x + tf.where(x < 0.5, x, 2.0), [IMG]),
    # reductions
    "mean_sum_max": (lambda x: tf.reduce_mean(x, [1, 2]) + tf.reduce_sum(x, [1, 2])
                     - tf.reduce_max(x, axis=(1, 2)), [IMG]),
    "reduce_keepdims": (lambda x: tf.reduce_min(x, -1, keepdims=True) * x, [IMG]),
    "argmax": (lambda x: (tf.argmax(x, -1), tf.argmin(x, 1, output_type=tf.int32)), [IMG]),
    # elementwise and activations
    "activations": (lambda x: tf.nn.relu6(x * 4) + tf.nn.elu(x) + tf.nn.selu(x)
                    + tf.nn.leaky_relu(x, 0.3) + tf.sigmoid(x) * tf.tanh(x), [IMG]),
    "swish_softplus": (lambda x: tf.nn.silu(x) + x * tf.sigmoid(x) + tf.nn.softplus(x), [IMG]),
    "softmax": (lambda x: tf.nn.softmax(x) + tf.nn.log_softmax(x), [_x(3, 10)]),
    "math": (lambda x: tf.square(x) + tf.math.rsqrt(tf.abs(x) + 1) + tf.sqrt(tf.abs(x))
             + tf.exp(x) - tf.math.log(tf.abs(x) + 1) + tf.pow(tf.abs(x), 1.5), [IMG]),
    "binary": (lambda a, b: tf.math.squared_difference(a, b) + tf.maximum(a, b) / (tf.minimum(a, b)
               - 5.0) + tf.math.add_n([a, a, a]) - b, [_x(2, 3, 4), _x(3, 1)]),
    "floor_div_mod": (lambda a, b: (tf.math.floordiv(a, b), tf.math.floormod(a, b)),
                      [np.array([7, -7, 9, -9], np.int32), np.array([2, 2, -4, -4], np.int32)]),
}

# TensorFlow's own CPU kernel for a dilated DepthwiseConv2dNative exists only where TensorFlow
# runs it through oneDNN (not on every CPU); tf.nn.depthwise_conv2d computes the same result
# everywhere (space-to-batch around an undilated kernel), so it is the reference for that graph.
REFERENCES: dict[str, Callable] = {
    "depthwise_dilated": lambda x: tf.nn.depthwise_conv2d(x, WDW, [1, 1, 1, 1], "VALID",
                                                          dilations=[2, 2]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_op_family_matches_tensorflow(case: str, tmp_path: Path) -> None:
    fn, inputs = CASES[case]
    pb = freeze(fn, [spec(a, f"in{i}") for i, a in enumerate(inputs)], tmp_path / f"{case}.pb")
    got = REFERENCES.get(case, fn)(*(tf.constant(a) for a in inputs))
    expected = [t.numpy() for t in (got if isinstance(got, tuple) else (got,))]
    worst = compare(pb, inputs, expected, rtol=1e-4, atol=1e-5)
    print(f"{case}: largest relative error {worst:.2e}")
