"""ONNX DeformConv (2-D) from GridSample and Gemm, as the ONNX definition states it: every kernel
tap is sampled bilinearly (zeros outside, corner-aligned) at its offset position, scaled by the
mask, and the sampled columns are contracted with the weights per group."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import linalg, sampling
from halo.ir.ops import tensor as t


def _slice(n: OnnxNode, v: Value, axis: int, start: int, stop: int) -> Value:
    starts, stops = [0] * v.rank, list(v.shape)
    starts[axis], stops[axis] = start, stop
    return n.tmp("Slice", [v], t.Slice(tuple(starts), tuple(stops), (1,) * v.rank))


def _reshape(n: OnnxNode, v: Value, shape: tuple[int, ...]) -> Value:
    return n.tmp("Reshape", [v], t.Reshape(shape))


@converter("DeformConv")
def _deform_conv(n: OnnxNode) -> None:
    x, w, offset, bias, mask = (n.input(i) for i in range(5))
    if x is None or w is None or offset is None:
        raise n.fail("X, W and offset are required")
    if x.rank != 4:
        raise n.fail("only 2-D DeformConv is supported")
    a = n.attrs
    kh, kw = a.ints("kernel_shape", None) or w.shape[2:]
    sh, sw = a.ints("strides", None) or (1, 1)
    dh, dw = a.ints("dilations", None) or (1, 1)
    pads = a.ints("pads", None) or (0, 0, 0, 0)
    group, groups_off = a.int("group", 1), a.int("offset_group", 1)
    batch, channels, ih, iw = x.shape
    oh, ow = offset.shape[2:]
    k, per_off, out_c = kh * kw, channels // groups_off, w.shape[0]
    if (
        offset.shape[1] != groups_off * k * 2
        or channels % groups_off
        or channels != w.shape[1] * group
    ):
        raise n.fail(f"offset {offset.shape} / weights {w.shape} do not match the input {x.shape}")
    dt = x.dtype.np
    off = _reshape(n, offset, (batch, groups_off, k, 2, oh, ow))
    taps = np.indices((kh, kw)).reshape(2, k)
    rows = (-pads[0] + sh * np.arange(oh))[None, :, None] + (taps[0] * dh)[
        :, None, None
    ]  # [k, oh, 1]
    cols = (-pads[1] + sw * np.arange(ow))[None, None, :] + (taps[1] * dw)[
        :, None, None
    ]  # [k, 1, ow]
    coords = []
    for c, base, size in ((1, cols, iw), (0, rows, ih)):  # GridSample wants (x, y)
        pos = n.tmp(
            "Add",
            [
                _reshape(n, _slice(n, off, 3, c, c + 1), (batch, groups_off, k, oh, ow)),
                n.const_value(base.astype(dt), "base"),
            ],
        )
        norm = n.tmp(
            "Sub",
            [
                n.tmp("Mul", [pos, n.const_value(np.array(2.0 / max(size - 1, 1), dt), "s")]),
                n.const_value(np.array(1.0, dt), "one"),
            ],
        )
        coords.append(_reshape(n, norm, (batch, groups_off, k, oh, ow, 1)))
    grid = n.tmp("Concat", coords, t.Concat(5))
    sampled = []
    for g in range(groups_off):
        xg = _slice(n, x, 1, g * per_off, (g + 1) * per_off)
        gg = _reshape(n, _slice(n, grid, 1, g, g + 1), (batch, k * oh, ow, 2))
        s = n.tmp("GridSample", [xg, gg], sampling.GridSample("linear", "zeros", True))
        sampled.append(_reshape(n, s, (batch, 1, per_off, k, oh, ow)))
    cols_v = sampled[0] if groups_off == 1 else n.tmp("Concat", sampled, t.Concat(1))
    if mask is not None:
        cols_v = n.tmp("Mul", [cols_v, _reshape(n, mask, (batch, groups_off, 1, k, oh, ow))])
    per_group = channels // group
    cols_v = _reshape(n, cols_v, (batch, group, per_group * k, oh * ow))
    weights = _reshape(n, w, (group, out_c // group, per_group * k))
    y = _reshape(n, n.tmp("Gemm", [weights, cols_v], linalg.Gemm()), (batch, out_c, oh, ow))
    if bias is not None:
        y = n.tmp("Add", [y, _reshape(n, bias, (1, out_c, 1, 1))])
    n.bind(y)
