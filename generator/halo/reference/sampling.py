"""Semantics of GridSample and RoiAlign (ONNX definitions, float32 coordinate arithmetic)."""

from __future__ import annotations

import itertools

import numpy as np

from halo.ir.ops import sampling as s
from halo.reference.registry import impl


def _reflect(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Fold coordinates outside [lo, hi] back by mirroring at the nearer border."""
    span = hi - lo
    below, above = x < lo, x > hi
    d = np.where(below, lo - x, np.where(above, x - hi, 0.0))
    k = np.floor(d / span) if span > 0 else np.zeros_like(d)
    r = d - k * span
    even = k % 2 == 0
    low_side = np.where(even, lo + r, hi - r)
    high_side = np.where(even, hi - r, lo + r)
    return np.where(below, low_side, np.where(above, high_side, x))


def cubic_weights(f: np.ndarray, a: float = -0.75) -> list[np.ndarray]:
    """Keys cubic weights of the taps at offsets -1, 0, 1, 2 for fractional position ``f``."""

    def near(t: np.ndarray) -> np.ndarray:
        return ((a + 2) * t - (a + 3)) * t * t + 1

    def far(t: np.ndarray) -> np.ndarray:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a

    return [far(f + 1), near(f), near(1 - f), far(2 - f)]


@impl("GridSample")
def _grid_sample(a: s.GridSample, x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    dims = x.shape[2:]
    g = grid.astype(np.float32)[..., ::-1]  # grid lists the innermost axis first
    taps, weights, bounds = [], [], []
    for i, size in enumerate(dims):
        v = g[..., i]
        c = (
            (v + np.float32(1)) / np.float32(2) * np.float32(size - 1)
            if a.align_corners
            else ((v + np.float32(1)) * np.float32(size) - np.float32(1)) / np.float32(2)
        )
        lo, hi = (0.0, size - 1.0) if a.align_corners else (-0.5, size - 0.5)
        if a.mode == "nearest":
            c = np.rint(c)
        if a.padding == "border":
            c = np.where((c < lo) | (c > hi), np.clip(c, 0, size - 1), c)
        elif a.padding == "reflection":
            c = _reflect(c.astype(np.float64), lo, hi).astype(np.float32)
        bounds.append((lo, hi))
        if a.mode == "nearest":
            taps.append([c.astype(np.int64)])
            weights.append([np.ones_like(c)])
            continue
        base = np.floor(c)
        f = (c - base).astype(np.float32)
        offsets = (0, 1) if a.mode == "linear" else (-1, 0, 1, 2)
        taps.append([base.astype(np.int64) + o for o in offsets])
        weights.append([1 - f, f] if a.mode == "linear" else cubic_weights(f))
    out = np.zeros((*x.shape[:2], *grid.shape[1:-1]), np.float64)
    for combo in itertools.product(*(range(len(t)) for t in taps)):
        w = np.ones(grid.shape[:-1], np.float64)
        idx, valid = [], np.ones(grid.shape[:-1], bool)
        for i, k in enumerate(combo):
            t, size = taps[i][k], dims[i]
            if a.padding == "zeros":
                valid &= (t >= 0) & (t < size)
                t = np.clip(t, 0, size - 1)
            elif a.padding == "border":
                t = np.clip(t, 0, size - 1)
            else:
                t = np.trunc(_reflect(t.astype(np.float64), *bounds[i])).astype(np.int64)
            idx.append(t)
            w = w * weights[i][k]
        w = np.where(valid, w, 0.0)
        batch = np.arange(x.shape[0]).reshape((-1,) + (1,) * (grid.ndim - 2))
        picked = x[(batch, slice(None), *idx)]  # [N, O..., C]
        out += np.moveaxis(picked, -1, 1) * w[:, None]
    return out.astype(x.dtype)


@impl("RoiAlign")
def _roi_align(a: s.RoiAlign, x: np.ndarray, rois: np.ndarray, batch_idx: np.ndarray) -> np.ndarray:
    _, channels, height, width = x.shape
    oh, ow = a.output_height, a.output_width
    out = np.zeros((rois.shape[0], channels, oh, ow), np.float64)
    shift = 0.5 if a.half_pixel else 0.0
    for n, roi in enumerate(rois.astype(np.float64)):
        x0, y0, x1, y1 = roi * a.spatial_scale - shift
        rw, rh = x1 - x0, y1 - y0
        if not a.half_pixel:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / oh, rw / ow
        gh = a.sampling_ratio or int(np.ceil(rh / oh))
        gw = a.sampling_ratio or int(np.ceil(rw / ow))
        plane = x[int(batch_idx[n])].astype(np.float64)
        for ph, pw in itertools.product(range(oh), range(ow)):
            samples = []
            for iy, ix in itertools.product(range(gh), range(gw)):
                y = y0 + ph * bh + (iy + 0.5) * bh / gh
                xx = x0 + pw * bw + (ix + 0.5) * bw / gw
                samples.append(_bilinear_terms(plane, y, xx, height, width))
            if a.mode == "avg":
                out[n, :, ph, pw] = sum(t.sum(axis=0) for t in samples) / max(gh * gw, 1)
            else:
                out[n, :, ph, pw] = np.max([t.max(axis=0) for t in samples], axis=0)
    return out.astype(x.dtype)


def _bilinear_terms(plane: np.ndarray, y: float, x: float, height: int, width: int) -> np.ndarray:
    """The four weighted corner values [4, C] of one RoiAlign sample (zeros outside the map)."""
    if y < -1.0 or y > height or x < -1.0 or x > width:
        return np.zeros((4, plane.shape[0]))
    y, x = max(y, 0.0), max(x, 0.0)
    yl, xl = int(y), int(x)
    if yl >= height - 1:
        yl = yh = height - 1
        y = float(yl)
    else:
        yh = yl + 1
    if xl >= width - 1:
        xl = xh = width - 1
        x = float(xl)
    else:
        xh = xl + 1
    ly, lx = y - yl, x - xl
    hy, hx = 1 - ly, 1 - lx
    return np.stack(
        [
            hy * hx * plane[:, yl, xl],
            hy * lx * plane[:, yl, xh],
            ly * hx * plane[:, yh, xl],
            ly * lx * plane[:, yh, xh],
        ]
    )
