"""TensorFlow slicing: Slice, StridedSlice, Split, SplitV, Gather."""

from __future__ import annotations

from halo.frontends.rules import SliceMasks, emit_slice, strided_slice
from halo.frontends.tensorflow.context import TfNode, value_name
from halo.frontends.tensorflow.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


@converter("Slice")
def _slice(n: TfNode) -> None:
    x = n.input(0)
    begin, size = n.const_ints(1, "begin"), n.const_ints(2, "size")
    if len(begin) != x.rank or len(size) != x.rank:
        raise n.fail(f"begin/size need {x.rank} entries, got {begin} and {size}")
    stops = [d if s == -1 else b + s for b, s, d in zip(begin, size, x.shape)]
    if any(not 0 <= b <= e <= d for b, e, d in zip(begin, stops, x.shape)):
        raise n.fail(f"begin {begin} / size {size} fall outside shape {x.shape}")
    emit_slice(
        n, x, [(b, e, 1) for b, e in zip(begin, stops)], [e - b for b, e in zip(begin, stops)]
    )


@converter("StridedSlice")
def _strided_slice(n: TfNode) -> None:
    x = n.input(0)
    begin, end, strides = (
        n.const_ints(i, what) for i, what in ((1, "begin"), (2, "end"), (3, "strides"))
    )
    masks = SliceMasks.read(lambda k: n.attrs.int(k, 0))
    ranges, out = strided_slice(x.shape, begin, end, strides, masks, n.fail)
    emit_slice(n, x, ranges, out)


def _split(n: TfNode, x: Value, axis: int, sizes: list[int]) -> None:
    axis = norm_axis(axis, x.rank, n.op)
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    if sum(sizes) != x.shape[axis] or min(sizes) < 0:
        raise n.fail(f"split sizes {sizes} do not add up to axis length {x.shape[axis]}")
    start, outs = 0, []
    for i, size in enumerate(sizes):
        starts, stops = [0] * x.rank, list(x.shape)
        starts[axis], stops[axis] = start, start + size
        attrs = t.Slice(tuple(starts), tuple(stops), (1,) * x.rank)
        name = value_name(n.name, i)
        outs.append(n.b.emit1("Slice", [x], attrs, name=name, outputs=[name]))
        start += size
    n.bind(*outs)


@converter("Split")
def _split_even(n: TfNode) -> None:
    (axis,), x = n.const_ints(0, "split_dim"), n.input(1)
    parts = n.attrs.int("num_split")
    length = x.shape[norm_axis(axis, x.rank, n.op)]
    if parts <= 0 or length % parts:
        raise n.fail(f"axis length {length} does not split into {parts} equal parts")
    _split(n, x, axis, [length // parts] * parts)


@converter("SplitV")
def _split_v(n: TfNode) -> None:
    x, sizes, (axis,) = n.input(0), n.const_ints(1, "size_splits"), n.const_ints(2, "axis")
    if n.attrs.int("num_split") != len(sizes):
        raise n.fail("num_split does not match size_splits")
    _split(n, x, axis, sizes)


@converter("GatherV2", "Gather")
def _gather(n: TfNode) -> None:
    x, idx = n.input(0), n.input(1)
    if n.op == "Gather":
        n.attrs.bool("validate_indices", True)
        axis = 0
    else:
        axis = n.const_int(2, "axis")
        if n.attrs.int("batch_dims", 0) != 0:
            raise n.fail("batch_dims != 0 is not supported")
    n.emit("Gather", [x, idx], t.Gather(norm_axis(axis, x.rank, n.op)))
