"""GridSample and RoiAlign -> odla_GridSample / odla_RoiAlign (HALO extensions, odla_ops_ext.h)."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.graph import Node

_MODES = {"nearest": "ODLA_NEAREST", "linear": "ODLA_LINEAR", "cubic": "ODLA_CUBIC"}
_PADDING = {
    "zeros": "ODLA_GRID_PAD_ZEROS",
    "border": "ODLA_GRID_PAD_BORDER",
    "reflection": "ODLA_GRID_PAD_REFLECTION",
}


@lower("GridSample")
def _grid_sample(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        c.val(n.inputs[1]),
        _MODES[a.mode],
        _PADDING[a.padding],
        cpp.boolean(a.align_corners),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_GridSample", args))


@lower("RoiAlign")
def _roi_align(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        *(c.val(v) for v in n.inputs),
        cpp.boolean(a.mode == "max"),
        cpp.integer(a.output_height),
        cpp.integer(a.output_width),
        cpp.integer(a.sampling_ratio),
        cpp.f32(a.spatial_scale),
        cpp.boolean(a.half_pixel),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_RoiAlign", args))
