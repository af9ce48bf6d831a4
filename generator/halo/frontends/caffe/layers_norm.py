"""Caffe normalization layers: BatchNorm, Scale, Bias, LRN, Normalize (SSD), Softmax."""

from __future__ import annotations

import numpy as np

from halo.frontends.caffe.context import CaffeLayer, Params
from halo.frontends.caffe.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import nn, reduce


def _axis(layer: CaffeLayer, axis: int, rank: int) -> int:
    a = axis + rank if axis < 0 else axis
    if not 0 <= a < max(rank, 1):
        raise layer.error(f"axis {axis} is out of range for a rank-{rank} input")
    return a


@converter("BatchNorm")
def _batch_norm(layer: CaffeLayer) -> None:
    """y = (x - mean) / sqrt(var + eps); the stored sums are divided by the scale factor blob."""
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("batch_norm_param")
    if x.rank < 2:
        raise layer.error(f"needs an input with a channel axis, got {list(x.shape)}")
    eps = float(p.eps)
    global_stats = p.use_global_stats if p.has("use_global_stats") else True  # TEST phase default
    if not global_stats:
        axes = tuple(i for i in range(x.rank) if i != 1)
        mean = layer.tmp("ReduceMean", [x], reduce.Reduce(axes, True), "mean")
        d = layer.tmp("Sub", [x, mean])
        var = layer.tmp("ReduceMean", [layer.tmp("Mul", [d, d])], reduce.Reduce(axes, True), "var")
        std = layer.tmp("Sqrt", [layer.tmp("Add", [var, layer.const(np.float32(eps), "eps")])])
        layer.emit("Div", [d, std])
        return
    c = x.shape[1]
    factor = float(layer.weight(2, (1,), "moving-average scale factor")[0])
    inv = 0.0 if factor == 0 else 1.0 / factor
    mean_arr = layer.weight(0, (c,), "mean") * np.float32(inv)
    var_arr = layer.weight(1, (c,), "variance") * np.float32(inv)
    ones, zeros = np.ones(c, np.float32), np.zeros(c, np.float32)
    ins = [
        x,
        layer.const(ones, "gamma"),
        layer.const(zeros, "beta"),
        layer.const(mean_arr, "mean"),
        layer.const(var_arr, "var"),
    ]
    layer.emit("BatchNormalization", ins, nn.Norm(eps))


def _operand(
    layer: CaffeLayer, p: Params, x: Value, what: str
) -> tuple[Value, tuple[int, ...], int]:
    """Scale's / Bias's second operand (bottom 1 or weight blob 0) shaped to broadcast over x,
    its own shape, and the index of the next weight blob."""
    if len(layer.proto.bottom) == 2:
        y = layer.bottom(1)
        shape, start = y.shape, 0
    else:
        shape, start = None, 1
    axis = _axis(layer, p.axis, x.rank)
    if shape is None:
        n = x.rank - axis if p.num_axes == -1 else int(p.num_axes)
        if n < 0 or axis + n > x.rank:
            raise layer.error(
                f"num_axes {p.num_axes} does not fit a rank-{x.rank} input at axis {axis}"
            )
        shape = x.shape[axis : axis + n]
        y = layer.const(layer.weight(0, shape, what), what)
    else:
        _ = p.num_axes
    if len(shape) == 0:
        return y, (), start
    if x.shape[axis : axis + len(shape)] != tuple(shape):
        raise layer.error(
            f"operand shape {list(shape)} does not match input {list(x.shape)} at axis {axis}"
        )
    full = (1,) * axis + tuple(shape) + (1,) * (x.rank - axis - len(shape))
    return layer.reshape(y, full), tuple(shape), start


@converter("Scale")
def _scale(layer: CaffeLayer) -> None:
    layer.expect((1, 2))
    x = layer.bottom()
    p = layer.params("scale_param")
    s, shape, next_blob = _operand(layer, p, x, "scale")
    if not p.bias_term:
        layer.emit("Mul", [x, s])
        return
    y = layer.tmp("Mul", [x, s])
    bias = layer.weight(next_blob, shape, "bias").reshape(s.shape)
    layer.emit("Add", [y, layer.const(bias, "bias")])


@converter("Bias")
def _bias(layer: CaffeLayer) -> None:
    layer.expect((1, 2))
    x = layer.bottom()
    b, _, _ = _operand(layer, layer.params("bias_param"), x, "bias")
    layer.emit("Add", [x, b])


@converter("LRN")
def _lrn(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("lrn_param")
    size, alpha, beta, k = int(p.local_size), float(p.alpha), float(p.beta), float(p.k)
    if size % 2 == 0:
        raise layer.error(f"local_size {size} must be odd")
    if x.rank != 4:
        raise layer.error(f"needs a 4-D input, got {list(x.shape)}")
    if p.norm_region == 0:  # ACROSS_CHANNELS: x / (k + alpha / size * sum x^2) ^ beta
        layer.emit("LRN", [x], nn.LRN(size, alpha, beta, k))
        return
    # WITHIN_CHANNEL: x * (1 + alpha * avg_pool_size(x^2)) ^ -beta (Caffe ignores k here).
    pad = (size - 1) // 2
    sq = layer.tmp("Mul", [x, x])
    pool = nn.Pool((size, size), (1, 1), (1, 1), (pad, pad), (pad, pad), True, True)
    avg = layer.tmp("AveragePool", [sq], pool)
    t = layer.tmp("Mul", [avg, layer.const(np.float32(alpha), "alpha")])
    t = layer.tmp("Add", [t, layer.const(np.float32(1.0), "one")])
    t = layer.tmp("Pow", [t, layer.const(np.float32(-beta), "beta")])
    layer.emit("Mul", [x, t])


@converter("Normalize")
def _normalize(layer: CaffeLayer) -> None:
    """SSD's L2 normalization: x / sqrt(sum x^2 + eps) over C*H*W or over C, times a scale."""
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("norm_param")
    if x.rank < 2:
        raise layer.error(f"needs an input with a channel axis, got {list(x.shape)}")
    axes = tuple(range(1, x.rank)) if p.across_spatial else (1,)
    ss = layer.tmp("ReduceSum", [layer.tmp("Mul", [x, x])], reduce.Reduce(axes, True), "sumsq")
    norm = layer.tmp("Sqrt", [layer.tmp("Add", [ss, layer.const(np.float32(p.eps), "eps")])])
    y = layer.tmp("Div", [x, norm])
    c = 1 if p.channel_shared else x.shape[1]
    scale = layer.weight(0, (c,), "scale").reshape(1, c, *([1] * (x.rank - 2)))
    layer.emit("Mul", [y, layer.const(scale, "scale")])


@converter("Softmax")
def _softmax(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    layer.emit("Softmax", [x], nn.Axis(_axis(layer, layer.params("softmax_param").axis, x.rank)))
