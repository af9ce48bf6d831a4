"""Resize forms the IR Resize op does not carry (antialiased filters, tf_crop_and_resize with its
roi): each resized axis is a product with a constant [out, in] weight matrix built here from the
ONNX Resize definition; crop positions outside the input take the extrapolation value."""

from __future__ import annotations

import math

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.ir.graph import Value
from halo.ir.ops import linalg
from halo.ir.ops import tensor as t
from halo.ir.ops.nn import Resize


def source_position(
    r: Resize, y: int, in_len: int, out_len: int, scale: float, roi: tuple[float, float]
) -> float:
    """Input coordinate of output index ``y`` (lengths implied by the scale, as ONNX)."""
    length = scale * in_len
    mode = r.coordinate_mode
    if mode == "align_corners":
        return 0.0 if length == 1 else y * (in_len - 1) / (length - 1)
    if mode == "tf_crop_and_resize":
        span = (roi[1] - roi[0]) * (in_len - 1)
        return roi[0] * (in_len - 1) + (span / 2 if length == 1 else y * span / (length - 1))
    if mode == "asymmetric":
        return y / scale
    if mode == "pytorch_half_pixel":
        return -0.5 if length == 1 else (y + 0.5) / scale - 0.5
    if mode == "half_pixel_symmetric":
        return in_len / 2 * (1 - out_len / length) + (y + 0.5) / scale - 0.5
    if mode == "tf_half_pixel_for_nn":
        return (y + 0.5) / scale
    return (y + 0.5) / scale - 0.5  # half_pixel


def _keys(d: np.ndarray, a: float) -> np.ndarray:
    d = np.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def _coefficients(r: Resize, ratio: float, scale: float, antialias: bool) -> np.ndarray:
    """Weights of the window around the source position; ``ratio`` in (0, 1] is its distance
    past the window's left-centre tap."""
    if r.mode == "nearest":
        if ratio == 1.0:
            return np.array([0.0, 1.0])
        up = {
            "round_prefer_floor": ratio > 0.5,
            "round_prefer_ceil": ratio >= 0.5,
            "floor": False,
            "ceil": True,
        }[r.nearest_mode]
        return np.array([0.0, 1.0]) if up else np.array([1.0, 0.0])
    s = min(scale, 1.0) if antialias else 1.0
    if r.mode == "linear":
        start = math.floor(-1 / s) + 1
        d = (np.arange(start, 2 - start) - ratio) * s
        c = np.clip(1 - np.abs(d), 0, 1)
    else:
        start = math.floor(-2 / s) + 1
        c = _keys((np.arange(start, 2 - start) - ratio) * s, r.cubic_coeff_a)
    return c / c.sum() if antialias else c


def axis_matrix(
    r: Resize, in_len: int, out_len: int, scale: float, roi: tuple[float, float], antialias: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The [out, in] weights of one axis and the mask of extrapolated output positions."""
    m = np.zeros((out_len, in_len))
    outside = np.zeros(out_len, bool)
    for y in range(out_len):
        x = source_position(r, y, in_len, out_len, scale, roi)
        if r.coordinate_mode == "tf_crop_and_resize" and not 0 <= x <= in_len - 1:
            outside[y] = True
            continue
        ratio = 1.0 if x == math.floor(x) else x - math.floor(x)
        c = _coefficients(r, ratio, scale, antialias)
        k = len(c)
        pad = math.ceil(k / 2)
        p = math.floor(x + pad)
        frac = x + pad - p
        if k % 2 == 0:  # ties go to the window further left
            offset = -(k // 2) if frac == 0 else 1 - k // 2
        else:
            offset = -((k - 1) // 2) + (0 if frac <= 0.5 else 1)
        taps = p + offset - pad + np.arange(k)
        if r.exclude_outside:
            c = np.where((taps < 0) | (taps >= in_len), 0.0, c)
            c = c / (c.sum() or 1.0)
        np.add.at(m[y], np.clip(taps, 0, in_len - 1), c)
    return m, outside


def resize_by_matrices(
    n: OnnxNode, x: Value, r: Resize, roi: list[float] | None, antialias: bool
) -> Value:
    if not x.dtype.is_float:
        raise n.fail("antialiased or tf_crop_and_resize resizing needs float data")
    rank = x.rank
    roi = roi or [0.0] * rank + [1.0] * rank
    inside = np.ones(r.sizes, bool)
    y = x
    for axis, (n_in, n_out, s) in enumerate(zip(x.shape, r.sizes, r.scales)):
        if n_in == n_out and s == 1.0 and r.coordinate_mode != "tf_crop_and_resize":
            continue
        m, outside = axis_matrix(r, n_in, n_out, s, (roi[axis], roi[rank + axis]), antialias)
        inside &= ~outside.reshape([n_out if i == axis else 1 for i in range(rank)])
        perm = tuple(i for i in range(rank) if i != axis) + (axis,)
        moved = n.tmp("Transpose", [y], t.Transpose(perm))
        weights = n.const_value(m.T.astype(x.dtype.np), "weights")
        z = (
            n.tmp("Gemm", [moved, weights], linalg.Gemm())
            if moved.rank > 1
            else n.tmp(
                "Reshape",
                [
                    n.tmp(
                        "Gemm",
                        [n.tmp("Reshape", [moved], t.Reshape((1, n_in))), weights],
                        linalg.Gemm(),
                    )
                ],
                t.Reshape((n_out,)),
            )
        )
        y = n.tmp("Transpose", [z], t.Transpose(tuple(int(i) for i in np.argsort(perm))))
    if not inside.all():
        fill = np.where(inside, 0.0, r.extrapolation_value).astype(x.dtype.np)
        y = n.tmp("Add", [y, n.const_value(fill, "extrapolated")])
    return y
