"""Neural-network semantics on channels-first tensors (ONNX definitions)."""

from __future__ import annotations

import itertools

import numpy as np

from halo.ir.ops import nn
from halo.reference.registry import impl


def _windows(xp: np.ndarray, kernel, strides, dilations, out) -> np.ndarray:
    """View [N, C, *out, *kernel] of the padded input ``xp``."""
    n = len(kernel)
    st = xp.strides
    shape = (*xp.shape[:2], *out, *kernel)
    strides_ = (
        *st[:2],
        *(st[2 + i] * strides[i] for i in range(n)),
        *(st[2 + i] * dilations[i] for i in range(n)),
    )
    return np.lib.stride_tricks.as_strided(xp, shape, strides_, writeable=False)


def _pad(x: np.ndarray, pb, pe, value: float) -> np.ndarray:
    return np.pad(x, [(0, 0), (0, 0), *zip(pb, pe)], constant_values=value)


@impl("Conv")
def _conv(a: nn.Conv, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    n = w.ndim - 2
    xp = _pad(x, a.pads_begin, a.pads_end, 0)
    out = [
        (xp.shape[2 + i] - ((w.shape[2 + i] - 1) * a.dilations[i] + 1)) // a.strides[i] + 1
        for i in range(n)
    ]
    win = _windows(xp, w.shape[2:], a.strides, a.dilations, out)
    g, cin, cout = a.group, w.shape[1], w.shape[0] // a.group
    ys = []
    spec = f"nc{'hij'[:n]}{'def'[:n]},oc{'def'[:n]}->no{'hij'[:n]}"
    for gi in range(g):
        wg = w[gi * cout : (gi + 1) * cout].astype(np.float64)
        ys.append(np.einsum(spec, win[:, gi * cin : (gi + 1) * cin], wg, optimize=True))
    y = np.concatenate(ys, axis=1)
    if b is not None:
        y = y + b.reshape(1, -1, *([1] * n))
    return y


@impl("ConvTranspose")
def _deconv(
    a: nn.ConvTranspose, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> np.ndarray:
    n = w.ndim - 2
    g, cin, cout = a.group, w.shape[0] // a.group, w.shape[1]
    full = [
        (x.shape[2 + i] - 1) * a.strides[i]
        + (w.shape[2 + i] - 1) * a.dilations[i]
        + 1
        + a.output_padding[i]
        for i in range(n)
    ]
    y = np.zeros((x.shape[0], cout * g, *full), dtype=np.float64)
    for gi in range(g):
        xg = x[:, gi * cin : (gi + 1) * cin].astype(np.float64)
        wg = w[gi * cin : (gi + 1) * cin].astype(np.float64)
        for k in itertools.product(*(range(s) for s in w.shape[2:])):
            contrib = np.einsum("nc...,co->no...", xg, wg[(slice(None), slice(None), *k)])
            idx = tuple(
                slice(
                    k[i] * a.dilations[i],
                    k[i] * a.dilations[i] + (x.shape[2 + i] - 1) * a.strides[i] + 1,
                    a.strides[i],
                )
                for i in range(n)
            )
            y[(slice(None), slice(gi * cout, (gi + 1) * cout), *idx)] += contrib
    crop = tuple(slice(a.pads_begin[i], full[i] - a.pads_end[i]) for i in range(n))
    y = y[(slice(None), slice(None), *crop)]
    if b is not None:
        y = y + b.reshape(1, -1, *([1] * n))
    return y.astype(x.dtype)


def _pool_windows(a: nn.Pool, x: np.ndarray, fill: float, out_shape) -> np.ndarray:
    n = len(a.kernel)
    span = [(a.kernel[i] - 1) * a.dilations[i] + 1 for i in range(n)]
    extra = [
        max(
            0,
            (out_shape[i] - 1) * a.strides[i]
            + span[i]
            - (x.shape[2 + i] + a.pads_begin[i] + a.pads_end[i]),
        )
        for i in range(n)
    ]
    xp = _pad(x, a.pads_begin, [a.pads_end[i] + extra[i] for i in range(n)], fill)
    return _windows(xp, a.kernel, a.strides, a.dilations, out_shape)


def _out_shape(a: nn.Pool, x: np.ndarray) -> list[int]:
    return [
        nn.pool_output_size(
            x.shape[2 + i],
            a.kernel[i],
            a.strides[i],
            a.dilations[i],
            a.pads_begin[i],
            a.pads_end[i],
            a.ceil_mode,
        )
        for i in range(len(a.kernel))
    ]


@impl("MaxPool")
def _maxpool(a: nn.Pool, x: np.ndarray) -> np.ndarray:
    out = _out_shape(a, x)
    lowest = np.iinfo(x.dtype).min if np.issubdtype(x.dtype, np.integer) else -np.inf
    win = _pool_windows(a, x, lowest, out)
    return win.max(axis=tuple(range(2 + len(out), win.ndim)))


@impl("AveragePool")
def _avgpool(a: nn.Pool, x: np.ndarray) -> np.ndarray:
    out = _out_shape(a, x)
    axes = tuple(range(2 + len(out), 2 + 2 * len(out)))
    total = _pool_windows(a, x.astype(np.float64), 0.0, out).sum(axis=axes)
    # The divisor counts real elements, or real + pad elements (never the ceil-mode overhang).
    inside = np.zeros((1, 1, *x.shape[2:]))
    inside = np.pad(
        inside,
        [(0, 0), (0, 0), *zip(a.pads_begin, a.pads_end)],
        constant_values=1.0 if a.count_include_pad else 0.0,
    )
    inside[(0, 0, *(slice(p, p + d) for p, d in zip(a.pads_begin, x.shape[2:])))] = 1.0
    mask = nn.Pool(a.kernel, a.strides, a.dilations, (0,) * len(out), (0,) * len(out), a.ceil_mode)
    count = _pool_windows(mask, inside, 0.0, out).sum(axis=axes)
    return (total / count).astype(x.dtype)


def _bcast(v: np.ndarray, rank: int) -> np.ndarray:
    return v.reshape(1, -1, *([1] * (rank - 2)))


@impl("BatchNormalization")
def _bn(a: nn.Norm, x, scale, bias, mean, var) -> np.ndarray:
    r = x.ndim
    return (x - _bcast(mean, r)) / np.sqrt(_bcast(var, r) + a.epsilon) * _bcast(scale, r) + _bcast(
        bias, r
    )


@impl("InstanceNormalization")
def _in(a: nn.Norm, x, scale, bias) -> np.ndarray:
    axes = tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + a.epsilon) * _bcast(scale, x.ndim) + _bcast(bias, x.ndim)


@impl("LayerNormalization")
def _ln(a: nn.LayerNorm, x, scale=None, bias=None) -> np.ndarray:
    axes = tuple(range(a.axis % x.ndim, x.ndim))
    xf = x.astype(np.float64)
    y = (xf - xf.mean(axis=axes, keepdims=True)) / np.sqrt(
        xf.var(axis=axes, keepdims=True) + a.epsilon
    )
    tail = x.shape[a.axis % x.ndim :]
    if scale is not None:
        y = y * scale.reshape(tail)
    if bias is not None:
        y = y + bias.reshape(tail)
    return y


@impl("LRN")
def _lrn(a: nn.LRN, x: np.ndarray) -> np.ndarray:
    sq = np.zeros_like(x, dtype=np.float64)
    c = x.shape[1]
    lo, hi = (a.size - 1) // 2, -(-(a.size - 1) // 2)
    for i in range(c):
        sq[:, i] = (x[:, max(0, i - lo) : min(c, i + hi + 1)].astype(np.float64) ** 2).sum(axis=1)
    return x / (a.bias + a.alpha / a.size * sq) ** a.beta


@impl("Softmax")
def _softmax(a: nn.Axis, x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=a.axis, keepdims=True))
    return e / e.sum(axis=a.axis, keepdims=True)


@impl("LogSoftmax")
def _logsoftmax(a: nn.Axis, x: np.ndarray) -> np.ndarray:
    s = x - x.max(axis=a.axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=a.axis, keepdims=True))


@impl("Hardmax")
def _hardmax(a: nn.Axis, x: np.ndarray) -> np.ndarray:
    idx = np.expand_dims(np.argmax(x, axis=a.axis), a.axis)
    y = np.zeros_like(x)
    np.put_along_axis(y, idx, 1, axis=a.axis)
    return y
