"""Sampling ops with data-dependent positions: GridSample and RoiAlign (channels-first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halo.ir.dtype import FLOAT_DTYPES
from halo.ir.graph import Value
from halo.ir.ops.registry import TypeShape, fail, register_op
from halo.ir.ops.tensor import INDEX_DTYPES


@dataclass(frozen=True)
class GridSample:
    mode: str  # nearest | linear | cubic
    padding: str  # zeros | border | reflection
    align_corners: bool


@dataclass(frozen=True)
class RoiAlign:
    mode: str  # avg | max
    output_height: int
    output_width: int
    sampling_ratio: int  # 0: adaptive (ceil of the bin size)
    spatial_scale: float
    half_pixel: bool  # coordinate_transformation_mode half_pixel (else output_half_pixel)


@register_op("GridSample", GridSample, inputs=2, dtypes=FLOAT_DTYPES)
def _grid_sample(a: GridSample, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, grid = ins
    assert x is not None and grid is not None
    r = x.rank - 2
    if r < 1 or grid.rank != r + 2 or grid.shape[0] != x.shape[0] or grid.shape[-1] != r:
        raise fail(
            "GridSample", f"needs a grid of shape [N, ..., {r}] for a rank-{x.rank} input", ins
        )
    if a.mode not in ("nearest", "linear", "cubic") or a.padding not in (
        "zeros",
        "border",
        "reflection",
    ):
        raise fail("GridSample", f"unknown mode '{a.mode}' or padding '{a.padding}'", ins)
    return [(x.dtype, (*x.shape[:2], *grid.shape[1:-1]))]


@register_op("RoiAlign", RoiAlign, inputs=3, dtypes=FLOAT_DTYPES)
def _roi_align(a: RoiAlign, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, rois, idx = ins
    assert x is not None and rois is not None and idx is not None
    if x.rank != 4 or rois.rank != 2 or rois.shape[1] != 4 or idx.shape != rois.shape[:1]:
        raise fail("RoiAlign", "needs NCHW data, rois [R, 4] and batch_indices [R]", ins)
    if idx.dtype not in INDEX_DTYPES or rois.dtype != x.dtype or a.mode not in ("avg", "max"):
        raise fail("RoiAlign", "rois must have the data's type, batch_indices int32/int64", ins)
    return [(x.dtype, (rois.shape[0], x.shape[1], a.output_height, a.output_width))]
