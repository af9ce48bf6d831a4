"""Resize semantics (ONNX Resize-19), as one interpolation matrix per axis."""

from __future__ import annotations

import math

import numpy as np

from halo.ir.ops.nn import Resize
from halo.reference.registry import impl


def source_coordinate(mode: str, x: float, scale: float, in_len: int, out_len: int) -> float:
    """Where output index ``x`` lands in the input, per coordinate_transformation_mode."""
    if mode == "half_pixel":
        return (x + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        adjust = out_len / (scale * in_len)
        center = in_len / 2
        return center * (1 - adjust) + (x + 0.5) / scale - 0.5
    if mode == "pytorch_half_pixel":
        return (x + 0.5) / scale - 0.5 if out_len > 1 else 0.0
    if mode == "align_corners":  # ONNX divides by the length the scale implies
        length = scale * in_len
        return 0.0 if length == 1 else x * (in_len - 1) / (length - 1)
    if mode == "asymmetric":
        return x / scale
    if mode == "tf_half_pixel_for_nn":
        return (x + 0.5) / scale
    raise ValueError(mode)


def _nearest(mode: str, x: float) -> int:
    if mode == "floor":
        return math.floor(x)
    if mode == "ceil":
        return math.ceil(x)
    if x == math.floor(x) + 0.5:
        return math.floor(x) if mode == "round_prefer_floor" else math.ceil(x)
    return round(x)


def _cubic_weights(t: float, a: float) -> list[float]:
    def k(d: float) -> float:
        d = abs(d)
        if d <= 1:
            return (a + 2) * d**3 - (a + 3) * d**2 + 1
        if d < 2:
            return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a
        return 0.0

    return [k(t + 1), k(t), k(1 - t), k(2 - t)]


def axis_matrix(r: Resize, in_len: int, out_len: int, scale: float) -> np.ndarray:
    """The [out_len, in_len] matrix that resizes one axis."""
    m = np.zeros((out_len, in_len))
    for o in range(out_len):
        x = source_coordinate(r.coordinate_mode, o, scale, in_len, out_len)
        if r.mode == "nearest":
            m[o, min(max(_nearest(r.nearest_mode, x), 0), in_len - 1)] = 1.0
        elif r.mode == "linear":
            x = min(max(x, 0.0), in_len - 1.0)
            x0 = math.floor(x)
            x1 = min(x0 + 1, in_len - 1)
            m[o, x0] += 1 - (x - x0)
            m[o, x1] += x - x0
        else:
            x0 = math.floor(x)
            weights = _cubic_weights(x - x0, r.cubic_coeff_a)
            taps = [x0 - 1 + i for i in range(4)]
            if r.exclude_outside:
                weights = [w if 0 <= t < in_len else 0.0 for w, t in zip(weights, taps)]
                total = sum(weights)
                weights = [w / total for w in weights]
            for w, t in zip(weights, taps):
                m[o, min(max(t, 0), in_len - 1)] += w
    return m


@impl("Resize")
def _resize(r: Resize, x: np.ndarray) -> np.ndarray:
    y = x.astype(np.float64)
    for axis, (n_in, n_out, s) in enumerate(zip(x.shape, r.sizes, r.scales)):
        if n_in == n_out and s == 1.0:
            continue
        m = axis_matrix(r, n_in, n_out, s)
        y = np.moveaxis(np.tensordot(m, np.moveaxis(y, axis, 0), axes=1), 0, axis)
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        y = np.clip(np.rint(y), info.min, info.max)
    return y
