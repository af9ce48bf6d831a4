"""Caffe data-movement layers: Input, Concat, Eltwise, Flatten, Reshape, Permute, Slice, Crop,
Upsample."""

from __future__ import annotations

import numpy as np

from halo.frontends.caffe.context import CaffeLayer, input_shape
from halo.frontends.caffe.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import nn, tensor


def _axis(layer: CaffeLayer, axis: int, rank: int, extra: int = 0) -> int:
    """Normalize ``axis`` for ``rank`` axes (``extra`` = 1 where Caffe allows the end position)."""
    a = axis + rank + extra if axis < 0 else axis
    if not 0 <= a < rank + extra:
        raise layer.error(f"axis {axis} is out of range for a rank-{rank} input")
    return a


@converter("Input")
def _input(layer: CaffeLayer) -> None:
    layer.expect((0, 0), (1, 1 << 16))
    shapes = [tuple(int(d) for d in s.dim) for s in layer.params("input_param").shape]
    tops = list(layer.proto.top)
    if len(shapes) not in (0, 1, len(tops)):
        raise layer.error(
            f"gives {len(shapes)} shapes for {len(tops)} tops (give 1 or one per top)"
        )
    for i, top in enumerate(tops):
        declared = shapes[i if len(shapes) > 1 else 0] if shapes else ()
        shape = input_shape(top, declared, layer.state.options)
        layer.state.blobs[top] = layer.b.add_input(top, DType.FLOAT32, shape)


@converter("Concat")
def _concat(layer: CaffeLayer) -> None:
    layer.expect((1, 1 << 16))
    xs = layer.bottoms()
    p = layer.params("concat_param")
    axis = int(p.concat_dim) if p.has("concat_dim") else _axis(layer, p.axis, xs[0].rank)
    layer.emit("Concat", xs, tensor.Concat(axis))


@converter("Eltwise")
def _eltwise(layer: CaffeLayer) -> None:
    layer.expect((2, 1 << 16))
    xs = layer.bottoms()
    p = layer.params("eltwise_param")
    if any(x.shape != xs[0].shape for x in xs):
        raise layer.error("bottoms differ in shape: " + ", ".join(str(list(x.shape)) for x in xs))
    coeff = [float(c) for c in p.coeff]
    op = {0: "Mul", 1: "Add", 2: "Max"}[p.operation]
    if coeff and (op != "Add" or len(coeff) != len(xs)):
        raise layer.error(f"coeff needs operation SUM and one value per bottom ({len(xs)})")
    if coeff:
        xs = [
            x if c == 1.0 else layer.tmp("Mul", [x, layer.const(np.float32(c), "coeff")])
            for x, c in zip(xs, coeff)
        ]
    acc = xs[0]
    for x in xs[1:-1]:
        acc = layer.tmp(op, [acc, x])
    layer.emit(op, [acc, xs[-1]])


@converter("Flatten")
def _flatten(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("flatten_param")
    start, end = _axis(layer, p.axis, x.rank), _axis(layer, p.end_axis, x.rank)
    if end < start:
        raise layer.error(f"end_axis {p.end_axis} comes before axis {p.axis}")
    inner = int(np.prod(x.shape[start : end + 1], dtype=np.int64))
    layer.emit("Reshape", [x], tensor.Reshape((*x.shape[:start], inner, *x.shape[end + 1 :])))


@converter("Reshape")
def _reshape(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("reshape_param")
    dims = [int(d) for d in p.shape.dim]
    start = _axis(layer, p.axis, x.rank, extra=1)
    if p.num_axes < -1:
        raise layer.error(f"num_axes {p.num_axes} must be >= -1")
    end = x.rank if p.num_axes == -1 else start + p.num_axes
    if end > x.rank:
        raise layer.error(f"axis {p.axis} + num_axes {p.num_axes} exceed the input's rank {x.rank}")
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise layer.error(f"shape {dims} may hold one -1 and no other negative value")
    for i, d in enumerate(dims):
        if d == 0:
            if start + i >= x.rank:
                raise layer.error(f"dim {i} copies input axis {start + i}, which does not exist")
            dims[i] = x.shape[start + i]
    out = [*x.shape[:start], *dims, *x.shape[end:]]
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise layer.error(f"cannot infer the -1 in {dims} for {x.size} elements")
        out[out.index(-1)] = x.size // known
    if int(np.prod(out, dtype=np.int64)) != x.size:
        raise layer.error(f"shape {out} does not hold the input's {x.size} elements")
    layer.emit("Reshape", [x], tensor.Reshape(tuple(out)))


@converter("Permute")
def _permute(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    order = [int(o) for o in layer.params("permute_param").order]
    if len(set(order)) != len(order) or any(o >= x.rank for o in order):
        raise layer.error(f"order {order} is not a permutation of {x.rank} axes")
    order += [a for a in range(x.rank) if a not in order]  # unnamed axes keep their order
    layer.emit("Transpose", [x], tensor.Transpose(tuple(order)))


def _slices(layer: CaffeLayer, x: Value, axis: int, bounds: list[int]) -> None:
    names = layer.top_names()
    for i, top in enumerate(layer.proto.top):
        starts, stops = [0] * x.rank, list(x.shape)
        starts[axis], stops[axis] = bounds[i], bounds[i + 1]
        attrs = tensor.Slice(tuple(starts), tuple(stops), (1,) * x.rank)
        layer.state.blobs[top] = layer.b.emit1(
            "Slice", [x], attrs, name=layer.name, outputs=[names[i]]
        )


@converter("Slice")
def _slice(layer: CaffeLayer) -> None:
    layer.expect((1, 1), (1, 1 << 16))
    x = layer.bottom()
    p = layer.params("slice_param")
    axis = int(p.slice_dim) if p.has("slice_dim") else _axis(layer, p.axis, x.rank)
    if axis >= x.rank:
        raise layer.error(f"slice axis {axis} is out of range for rank {x.rank}")
    n, dim = len(layer.proto.top), x.shape[axis]
    points = [int(s) for s in p.slice_point]
    if not points:
        if dim % n:
            raise layer.error(f"cannot split axis {axis} of size {dim} into {n} equal parts")
        points = [dim // n * i for i in range(1, n)]
    bounds = [0, *points, dim]
    if len(points) != n - 1 or bounds != sorted(bounds):
        raise layer.error(f"slice_point {points} must hold {n - 1} increasing values within {dim}")
    _slices(layer, x, axis, bounds)


@converter("Crop")
def _crop(layer: CaffeLayer) -> None:
    layer.expect((2, 2))
    x, ref = layer.bottoms()
    p = layer.params("crop_param")
    axis = _axis(layer, p.axis, x.rank)
    offsets = [int(o) for o in p.offset]
    n = x.rank - axis
    if len(offsets) not in (0, 1, n):
        raise layer.error(f"needs 0, 1 or {n} offsets, got {len(offsets)}")
    offsets = offsets * n if len(offsets) == 1 else offsets or [0] * n
    starts, stops = [0] * x.rank, list(x.shape)
    for i in range(n):
        a = axis + i
        starts[a], stops[a] = offsets[i], offsets[i] + ref.shape[a]
        if stops[a] > x.shape[a]:
            raise layer.error(
                f"crop of axis {a} ({offsets[i]}+{ref.shape[a]}) exceeds {x.shape[a]}"
            )
    layer.emit("Slice", [x], tensor.Slice(tuple(starts), tuple(stops), (1,) * x.rank))


@converter("Upsample")
def _upsample(layer: CaffeLayer) -> None:
    """Nearest-neighbour upsampling by an integer factor: y[h, w] = x[h // s, w // s]."""
    if len(layer.proto.bottom) != 1:
        raise layer.fail(
            "only the one-input nearest-neighbour Upsample (upsample_param.scale) is "
            "supported, not unpooling with a mask"
        )
    layer.expect((1, 1))
    x = layer.bottom()
    s = int(layer.params("upsample_param").scale)
    if s < 1 or x.rank != 4:
        raise layer.error(f"needs a 4-D input and scale >= 1 (got {list(x.shape)}, scale {s})")
    sizes = (*x.shape[:2], x.shape[2] * s, x.shape[3] * s)
    attrs = nn.Resize(
        sizes, (1.0, 1.0, float(s), float(s)), "nearest", "asymmetric", "floor", -0.75, False, 0.0
    )
    layer.emit("Resize", [x], attrs)
