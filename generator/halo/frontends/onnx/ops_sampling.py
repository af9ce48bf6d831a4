"""ONNX GridSample and RoiAlign -> the IR ops of ir/ops/sampling.py."""

from __future__ import annotations

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.ops import sampling as s

_MODES = {"bilinear": "linear", "bicubic": "cubic"}  # opset-16 spellings


@converter("GridSample")
def _grid_sample(n: OnnxNode) -> None:
    mode = n.attrs.str("mode", "linear" if n.opset >= 20 else "bilinear")
    attrs = s.GridSample(
        _MODES.get(mode, mode),
        n.attrs.str("padding_mode", "zeros"),
        bool(n.attrs.int("align_corners", 0)),
    )
    n.emit("GridSample", n.inputs(), attrs)


@converter("RoiAlign")
def _roi_align(n: OnnxNode) -> None:
    a = n.attrs
    coord = a.str(
        "coordinate_transformation_mode", "half_pixel" if n.opset >= 16 else "output_half_pixel"
    )
    if coord not in ("half_pixel", "output_half_pixel"):
        raise n.fail(f"unknown coordinate_transformation_mode '{coord}'")
    attrs = s.RoiAlign(
        a.str("mode", "avg"),
        a.int("output_height", 1),
        a.int("output_width", 1),
        a.int("sampling_ratio", 0),
        a.float("spatial_scale", 1.0),
        coord == "half_pixel",
    )
    n.emit("RoiAlign", n.inputs(), attrs)
