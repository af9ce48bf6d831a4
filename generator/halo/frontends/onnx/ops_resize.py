"""ONNX Resize (opsets 10-19) and Upsample."""

from __future__ import annotations

import math

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.ops_resize_ext import resize_by_matrices
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops.nn import Resize

_COORD_MODES = {
    "half_pixel",
    "half_pixel_symmetric",
    "pytorch_half_pixel",
    "align_corners",
    "asymmetric",
    "tf_half_pixel_for_nn",
    "tf_crop_and_resize",
}
_NEAREST_MODES = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}


def _emit(
    n: OnnxNode,
    x: Value,
    scales: list[float] | None,
    sizes: list[int] | None,
    coord: str,
    mode: str,
    nearest_default: str = "round_prefer_floor",
    roi: list[float] | None = None,
) -> None:
    a = n.attrs
    antialias = bool(a.int("antialias", 0))
    nearest = a.str("nearest_mode", nearest_default)
    cubic_a = a.float("cubic_coeff_a", -0.75)
    exclude = bool(a.int("exclude_outside", 0))
    extrapolation = a.float("extrapolation_value", 0.0)
    aspect = a.str("keep_aspect_ratio_policy", "stretch")
    axes_attr = a.ints("axes", None)
    mode = {"bilinear": "linear", "trilinear": "linear"}.get(mode, mode)
    if mode not in ("nearest", "linear", "cubic"):
        raise n.fail(f"unknown mode '{mode}'")
    if coord not in _COORD_MODES:
        raise n.fail(
            f"coordinate_transformation_mode '{coord}' is not supported",
            "supported: " + ", ".join(sorted(_COORD_MODES)),
        )
    if nearest not in _NEAREST_MODES:
        raise n.fail(f"unknown nearest_mode '{nearest}'")
    axes = list(range(x.rank)) if axes_attr is None else [ax % x.rank for ax in axes_attr]
    given = sizes if sizes is not None else scales
    if x.rank == 0 or given is None or len(given) != len(axes):
        raise n.fail(
            f"{len(given or ())} scales/sizes for {len(axes)} axes of shape {list(x.shape)}"
        )
    if scales is not None and not all(math.isfinite(s) and s > 0 for s in scales):
        raise n.fail(f"scales {scales} must be positive and finite")
    if sizes is not None and min(sizes) < 0:
        raise n.fail(f"sizes {sizes} must not be negative")
    full_scales = [1.0] * x.rank
    full_sizes = list(x.shape)
    if sizes is not None:
        if aspect != "stretch":
            ratios = [sizes[i] / x.shape[ax] for i, ax in enumerate(axes)]
            s = min(ratios) if aspect == "not_larger" else max(ratios)
            sizes = [int(math.floor(s * x.shape[ax] + 0.5)) for ax in axes]
            scales = [s] * len(axes)
        for i, ax in enumerate(axes):
            full_sizes[ax] = int(sizes[i])
            full_scales[ax] = scales[i] if scales else full_sizes[ax] / x.shape[ax]
    elif scales is not None:
        for i, ax in enumerate(axes):
            full_scales[ax] = float(scales[i])
            full_sizes[ax] = int(math.floor(x.shape[ax] * full_scales[ax]))
    attrs = Resize(
        tuple(full_sizes), tuple(full_scales), mode, coord, nearest, cubic_a, exclude, extrapolation
    )
    if antialias and mode != "nearest" or coord == "tf_crop_and_resize":
        full_roi = None
        if roi is not None and len(roi):
            full_roi = [0.0] * x.rank + [1.0] * x.rank
            for i, ax in enumerate(axes):
                full_roi[ax], full_roi[x.rank + ax] = float(roi[i]), float(roi[len(axes) + i])
        n.bind(resize_by_matrices(n, x, attrs, full_roi, antialias))
        return
    n.emit("Resize", [x], attrs)


@converter("Upsample")
def _upsample(n: OnnxNode) -> None:
    x = n.need(0, "input")
    scales = n.attrs.floats("scales") if n.opset < 9 else n.need_const(1, "scales").reshape(-1)
    mode = n.attrs.str("mode", "nearest")
    _emit(n, x, [float(s) for s in scales], None, "asymmetric", mode, "floor")  # Upsample: floor


@converter("Resize", since=10)
def _resize(n: OnnxNode) -> None:
    x = n.need(0, "input")
    if n.opset == 10:
        given_scales, given_sizes, coord, given_roi = (
            n.vector(1, "scales"),
            None,
            "asymmetric",
            None,
        )
    else:
        coord = n.attrs.str("coordinate_transformation_mode", "half_pixel")
        given_roi = n.vector(1, "roi") if coord == "tf_crop_and_resize" else None
        given_scales, given_sizes = n.vector(2, "scales"), n.vector(3, "sizes")
    scales = (
        None if given_scales is None or len(given_scales) == 0 else [float(s) for s in given_scales]
    )
    if given_sizes is not None and not np.all(np.isfinite(given_sizes)):
        raise n.fail(f"sizes {list(given_sizes)} are not finite", "give integer sizes")
    sizes = None if given_sizes is None or len(given_sizes) == 0 else [int(s) for s in given_sizes]
    if scales is None and sizes is None:
        raise n.fail("neither scales nor sizes is given")
    roi = None if given_roi is None else [float(v) for v in given_roi]
    _emit(n, x, scales, sizes, coord, n.attrs.str("mode", "nearest"), roi=roi)
