"""TFLite STRIDED_SLICE (TF mask semantics) and SLICE, as an IR Slice plus a Reshape.

A strided-slice spec has one entry per index of begin/end/strides. An entry is the ellipsis (it
stands for as many full input axes as the other entries leave over), a new axis (an output axis of
size 1 that consumes no input axis), a shrunk axis (one element, the axis disappears), or a plain
range whose begin/end are replaced by the full extent when their mask bit is set. Without an
ellipsis entry the unmentioned trailing axes are kept whole.
"""

from __future__ import annotations

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import tensor as t


def _clamp(v: int, dim: int, step: int) -> int:
    v = v + dim if v < 0 else v
    return min(max(v, 0), dim) if step > 0 else min(max(v, -1), dim - 1)


def _emit(
    n: TfliteNode, x: Value, ranges: list[tuple[int, int, int]], out_shape: list[int]
) -> None:
    """Slice ``x`` by per-axis (start, stop, step), then reshape to ``out_shape`` if needed."""
    sliced = [t.slice_length(*r) for r in ranges]
    identity = all(r == (0, d, 1) for r, d in zip(ranges, x.shape))
    attrs = t.Slice(*(tuple(col) for col in zip(*ranges))) if ranges else t.Slice((), (), ())
    if tuple(sliced) == tuple(out_shape):
        if identity:
            n.bind(x)
        else:
            n.emit("Slice", [x], attrs)
        return
    y = x if identity else n.tmp("Slice", [x], attrs)
    n.emit("Reshape", [y], t.Reshape(tuple(out_shape)))


@converter("STRIDED_SLICE")
def _strided_slice(n: TfliteNode) -> None:
    x = n.x(0)
    begin, end = n.const_ints(1, "begin"), n.const_ints(2, "end")
    strides = n.const_ints(3, "strides") if n.input(3) is not None else [1] * len(begin)
    if not len(begin) == len(end) == len(strides):
        raise n.fail(f"begin {begin}, end {end} and strides {strides} differ in length")
    o = n.opts
    bmask, emask, ellipsis = int(o["begin_mask"]), int(o["end_mask"]), int(o["ellipsis_mask"])
    new_axis, shrink = int(o["new_axis_mask"]), int(o["shrink_axis_mask"])
    if o["offset"]:
        end = [b + e for b, e in zip(begin, end)]
    if (ellipsis & ((1 << len(begin)) - 1)).bit_count() > 1:
        raise n.fail("more than one ellipsis in the slice spec")
    real = sum(1 for i in range(len(begin)) if not (ellipsis | new_axis) >> i & 1)
    if real > x.rank:
        raise n.fail(f"the slice spec indexes {real} axes of a rank-{x.rank} input")
    ranges: list[tuple[int, int, int]] = []
    out: list[int] = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if ellipsis >> i & 1:
            for _ in range(x.rank - real):
                ranges.append((0, x.shape[len(ranges)], 1))
                out.append(ranges[-1][1])
            continue
        if new_axis >> i & 1:
            out.append(1)
            continue
        dim = x.shape[len(ranges)]
        if shrink >> i & 1:
            idx = b + dim if b < 0 else b
            if not 0 <= idx < dim:
                raise n.fail(f"index {b} is out of range for an axis of size {dim}")
            ranges.append((idx, idx + 1, 1))
            continue
        if s == 0:
            raise n.fail("a stride of 0 is invalid")
        lo = (0 if s > 0 else dim - 1) if bmask >> i & 1 else _clamp(b, dim, s)
        hi = (dim if s > 0 else -1) if emask >> i & 1 else _clamp(e, dim, s)
        ranges.append((lo, hi, s))
        out.append(t.slice_length(lo, hi, s))
    while len(ranges) < x.rank:
        ranges.append((0, x.shape[len(ranges)], 1))
        out.append(ranges[-1][1])
    _emit(n, x, ranges, out)


@converter("SLICE")
def _slice(n: TfliteNode) -> None:
    x = n.x(0)
    begin, size = n.const_ints(1, "begin"), n.const_ints(2, "size")
    if len(begin) != x.rank or len(size) != x.rank:
        raise n.fail(f"begin {begin} and size {size} need one entry per axis of {x.shape}")
    ranges = []
    for b, s, dim in zip(begin, size, x.shape):
        stop = dim if s == -1 else b + s
        if not 0 <= b <= stop <= dim:
            raise n.fail(f"slice [{b}, {stop}) is outside an axis of size {dim}")
        ranges.append((b, stop, 1))
    _emit(n, x, ranges, [hi - lo for lo, hi, _ in ranges])
