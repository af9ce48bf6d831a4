"""TFLite STRIDED_SLICE (TF mask semantics) and SLICE, as an IR Slice plus a Reshape."""

from __future__ import annotations

from halo.frontends.rules import SliceMasks, emit_slice, strided_slice
from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter


@converter("STRIDED_SLICE")
def _strided_slice(n: TfliteNode) -> None:
    x = n.x(0)
    begin, end = n.const_ints(1, "begin"), n.const_ints(2, "end")
    strides = n.const_ints(3, "strides") if n.input(3) is not None else [1] * len(begin)
    o = n.opts
    if o["offset"]:
        end = [b + e for b, e in zip(begin, end)]
    masks = SliceMasks.read(lambda k: o[k])
    ranges, out = strided_slice(x.shape, begin, end, strides, masks, n.fail)
    emit_slice(n, x, ranges, out)


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
    emit_slice(n, x, ranges, [hi - lo for lo, hi, _ in ranges])
