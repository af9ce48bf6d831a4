"""MaxPool forms the runtime's pooling kernel does not cover, built from other IR ops:
the Indices output (windows gathered with a constant table, ArgMax, then a constant map from
window slot to flat input position) and 8/16-bit integer data (pooled in float32, exactly)."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import nn
from halo.ir.ops import reduce as r
from halo.ir.ops import tensor as t

SMALL_INTS = (DType.INT8, DType.UINT8, DType.INT16, DType.UINT16)


def max_pool_small_int(n: OnnxNode, x: Value, attrs: nn.Pool) -> Value:
    """MaxPool of 8/16-bit integers: every value is exact in float32."""
    y = n.tmp("MaxPool", [n.tmp("Cast", [x], ew.Cast(DType.FLOAT32))], attrs)
    return n.tmp("Cast", [y], ew.Cast(x.dtype))


def _windows(
    x_shape: tuple[int, ...], a: nn.Pool, out: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """For every output position and window slot: the flat index into the padded spatial grid and
    the (row-major) position of that element in the unpadded grid, -1 for padding."""
    padded = [d + b + e for d, b, e in zip(x_shape, a.pads_begin, a.pads_end)]
    opos = np.indices(out).reshape(len(out), -1).T  # [P, k]
    kpos = np.indices(a.kernel).reshape(len(out), -1).T  # [K, k]
    coords = opos[:, None, :] * np.array(a.strides) + kpos[None, :, :] * np.array(
        a.dilations
    )  # [P,K,k]
    flat_padded = np.ravel_multi_index(tuple(np.moveaxis(coords, -1, 0)), padded)
    orig = coords - np.array(a.pads_begin)
    inside = np.all((orig >= 0) & (orig < np.array(x_shape)), axis=-1)
    clipped = np.clip(orig, 0, np.array(x_shape) - 1)
    flat_orig = np.where(
        inside, np.ravel_multi_index(tuple(np.moveaxis(clipped, -1, 0)), x_shape), -1
    )
    return flat_padded.astype(np.int64), flat_orig.astype(np.int64)


def max_pool_with_indices(
    n: OnnxNode, x: Value, a: nn.Pool, storage_order: int
) -> tuple[Value, Value]:
    """Values and ONNX Indices (flat over N, C and the spatial axes; column-major spatial order
    when ``storage_order`` is 1)."""
    source = x
    if x.dtype in SMALL_INTS:
        x = n.tmp("Cast", [x], ew.Cast(DType.FLOAT32))
    batch, channels, spatial = x.shape[0], x.shape[1], x.shape[2:]
    out = tuple(
        nn.pool_output_size(
            spatial[i],
            a.kernel[i],
            a.strides[i],
            a.dilations[i],
            a.pads_begin[i],
            a.pads_end[i],
            a.ceil_mode,
        )
        for i in range(len(spatial))
    )
    ends = tuple(
        max(e, (o - 1) * s + (k - 1) * d + 1 - size - b)  # ceil mode may need more padding
        for o, s, k, d, size, b, e in zip(
            out, a.strides, a.kernel, a.dilations, spatial, a.pads_begin, a.pads_end
        )
    )
    full = nn.Pool(a.kernel, a.strides, a.dilations, a.pads_begin, ends, False)
    xp = n.tmp(
        "Pad", [x], t.Pad("constant", (0, 0, *full.pads_begin), (0, 0, *full.pads_end), -np.inf)
    )
    positions, original = _windows(spatial, full, out)
    if storage_order:  # column-major spatial positions
        grid = np.arange(int(np.prod(spatial))).reshape(spatial[::-1]).T.reshape(-1)
        original = np.where(original >= 0, grid[np.maximum(original, 0)], -1)
    flat = n.tmp("Reshape", [xp], t.Reshape((batch, channels, xp.size // (batch * channels))))
    win = n.tmp("Gather", [flat, n.const_value(positions, "windows")], t.Gather(2))  # [N,C,P,K]
    values = n.tmp("ReduceMax", [win], r.Reduce((3,), False))
    slot = n.tmp("ArgMax", [win], r.ArgReduce(3, False, False))  # [N,C,P]
    k = positions.shape[1]
    pick = n.tmp(
        "Add", [slot, n.const_value(np.arange(positions.shape[0], dtype=np.int64) * k, "rows")]
    )
    idx = n.tmp("Gather", [n.const_value(original.reshape(-1), "sources"), pick], t.Gather(0))
    plane = int(np.prod(spatial))
    base = (np.arange(batch * channels, dtype=np.int64) * plane).reshape(batch, channels, 1)
    idx = n.tmp("Add", [idx, n.const_value(base, "planes")])
    shape = (batch, channels, *out)
    values = n.tmp("Reshape", [values], t.Reshape(shape))
    if values.dtype != source.dtype:
        values = n.tmp("Cast", [values], ew.Cast(source.dtype))
    return values, n.tmp("Reshape", [idx], t.Reshape(shape))


def _conv_ends(a: nn.Pool, spatial: tuple[int, ...]) -> tuple[int, ...]:
    """End padding that makes a convolution produce the pool's output size (ceil mode)."""
    out = [
        nn.pool_output_size(
            spatial[i],
            a.kernel[i],
            a.strides[i],
            a.dilations[i],
            a.pads_begin[i],
            a.pads_end[i],
            a.ceil_mode,
        )
        for i in range(len(spatial))
    ]
    return tuple(
        max(e, (o - 1) * s + (k - 1) * d + 1 - size - b)
        for o, s, k, d, size, b, e in zip(
            out, a.strides, a.kernel, a.dilations, spatial, a.pads_begin, a.pads_end
        )
    )


def avg_pool_dilated(n: OnnxNode, x: Value, a: nn.Pool) -> Value:
    """Dilated AveragePool (the runtime's kernel has no dilations): window sums as a depthwise
    convolution with ones, times a constant per position that turns the number of input
    elements in the window into the pool's divisor (both taken from the reference semantics)."""
    channels, spatial = x.shape[1], x.shape[2:]
    conv = nn.Conv(1, a.strides, a.dilations, a.pads_begin, _conv_ends(a, spatial))
    ones = np.ones((1, 1, *spatial), x.dtype.np)
    window = np.ones((1, 1, *a.kernel), x.dtype.np)
    counts = n.tmp("Conv", [n.const_value(ones, "ones"), n.const_value(window, "window")], conv)
    means = n.tmp("AveragePool", [n.const_value(ones, "ones")], a)
    cnt, mean = counts.data, means.data
    if cnt is None or mean is None:
        raise n.fail("the pooling divisors did not fold to constants")
    factor = np.where(cnt > 0, mean / np.maximum(cnt, 1), 0).astype(x.dtype.np)
    kernel = n.const_value(np.ones((channels, 1, *a.kernel), x.dtype.np), "window")
    sums = n.tmp(
        "Conv",
        [x, kernel],
        nn.Conv(channels, conv.strides, conv.dilations, conv.pads_begin, conv.pads_end),
    )
    return n.tmp("Mul", [sums, n.const_value(factor, "divisor")])
