"""TensorFlow slicing: Slice, StridedSlice, Split, SplitV, Gather."""

from __future__ import annotations

from halo.frontends.tensorflow.context import TfNode, value_name
from halo.frontends.tensorflow.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


def _emit_slice(
    n: TfNode,
    x: Value,
    starts: list[int],
    stops: list[int],
    steps: list[int],
    final: tuple[int, ...],
) -> None:
    """Slice (unless it selects everything), then reshape to ``final`` (unless already so)."""
    attrs = t.Slice(tuple(starts), tuple(stops), tuple(steps))
    sliced = tuple(t.slice_length(*v) for v in zip(starts, stops, steps))
    everything = starts == [0] * x.rank and stops == list(x.shape) and steps == [1] * x.rank
    if everything:
        if final == x.shape:
            n.bind(x)
        else:
            n.emit("Reshape", [x], t.Reshape(final))
    elif sliced == final:
        n.emit("Slice", [x], attrs)
    else:
        n.emit("Reshape", [n.tmp("Slice", [x], attrs)], t.Reshape(final))


@converter("Slice")
def _slice(n: TfNode) -> None:
    x = n.input(0)
    begin, size = n.const_ints(1, "begin"), n.const_ints(2, "size")
    if len(begin) != x.rank or len(size) != x.rank:
        raise n.fail(f"begin/size need {x.rank} entries, got {begin} and {size}")
    stops = [d if s == -1 else b + s for b, s, d in zip(begin, size, x.shape)]
    if any(not 0 <= b <= e <= d for b, e, d in zip(begin, stops, x.shape)):
        raise n.fail(f"begin {begin} / size {size} fall outside shape {x.shape}")
    _emit_slice(n, x, begin, stops, [1] * x.rank, tuple(e - b for b, e in zip(begin, stops)))


def _bits(mask: int, count: int) -> list[bool]:
    return [bool(mask >> i & 1) for i in range(count)]


@converter("StridedSlice")
def _strided_slice(n: TfNode) -> None:
    x = n.input(0)
    begin, end, strides = (
        n.const_ints(i, what) for i, what in ((1, "begin"), (2, "end"), (3, "strides"))
    )
    m = len(begin)
    if not len(end) == len(strides) == m or 0 in strides:
        raise n.fail("begin, end and strides need equal lengths and non-zero strides")
    b_mask, e_mask, ellipsis, new_axis, shrink = (
        _bits(n.attrs.int(k, 0), m)
        for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
    )
    if sum(ellipsis) > 1:
        raise n.fail("more than one ellipsis")
    consuming = sum(1 for i in range(m) if not ellipsis[i] and not new_axis[i])
    if consuming > x.rank:
        raise n.fail(f"{consuming} slice entries for rank-{x.rank} input")
    entries = list(range(m)) + ([] if any(ellipsis) else [-1])  # -1: implicit trailing ellipsis
    starts, stops, steps, final = [0] * x.rank, list(x.shape), [1] * x.rank, []
    axis = 0
    for i in entries:
        if i == -1 or ellipsis[i]:
            for _ in range(x.rank - consuming):
                final.append(x.shape[axis])
                axis += 1
        elif new_axis[i]:
            final.append(1)
        elif shrink[i]:
            d = x.shape[axis]
            idx = begin[i] + d if begin[i] < 0 else begin[i]
            if not 0 <= idx < d:
                raise n.fail(f"index {begin[i]} is out of range for axis {axis} of size {d}")
            starts[axis], stops[axis] = idx, idx + 1
            axis += 1
        else:
            s = slice(None if b_mask[i] else begin[i], None if e_mask[i] else end[i], strides[i])
            starts[axis], stops[axis], steps[axis] = s.indices(x.shape[axis])
            final.append(t.slice_length(starts[axis], stops[axis], steps[axis]))
            axis += 1
    _emit_slice(n, x, starts, stops, steps, tuple(final))


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
