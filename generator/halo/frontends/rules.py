"""Source-format rules that several frontends share: SAME padding (ONNX auto_pad, TensorFlow,
TFLite) and the strided-slice spec with its masks (TensorFlow and TFLite StridedSlice)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from halo.ir.graph import Value
from halo.ir.ops import tensor as t

Ints = tuple[int, ...]
Range = tuple[int, int, int]  # start, stop, step of one input axis


def same_pads(
    sizes: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    dilations: Sequence[int],
    *,
    outputs: Sequence[int] | None = None,
    lower: bool = False,
) -> tuple[Ints, Ints]:
    """(pads_begin, pads_end) of SAME padding: windows over ``sizes`` give ``outputs`` results
    per axis (by default ceil(size / stride)); an odd total puts the extra pixel at the end
    (TensorFlow, ONNX SAME_UPPER) or, with ``lower``, at the beginning (ONNX SAME_LOWER)."""
    outs = outputs if outputs is not None else [-(-size // s) for size, s in zip(sizes, strides)]
    begin, end = [], []
    for size, out, k, s, d in zip(sizes, outs, kernel, strides, dilations):
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        small, big = total // 2, total - total // 2
        begin.append(big if lower else small)
        end.append(small if lower else big)
    return tuple(begin), tuple(end)


@dataclass(frozen=True)
class SliceMasks:
    """The bit masks of a TensorFlow strided-slice spec (bit i: entry i of begin/end/strides)."""

    begin: int = 0
    end: int = 0
    ellipsis: int = 0
    new_axis: int = 0
    shrink_axis: int = 0

    @classmethod
    def read(cls, get: Callable[[str], int]) -> SliceMasks:
        """The masks from their attribute names (``begin_mask``, ...), read by ``get``."""
        names = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")
        return cls(*(int(get(name)) for name in names))


def strided_slice(
    shape: Sequence[int],
    begin: Sequence[int],
    end: Sequence[int],
    strides: Sequence[int],
    masks: SliceMasks,
    fail: Callable[[str], Exception],
) -> tuple[list[Range], list[int]]:
    """The per-axis ranges of the input and the output shape of a strided-slice spec.

    Each entry of the spec is the ellipsis (as many whole input axes as the other entries leave
    over), a new axis (an output axis of size 1, consuming no input axis), a shrunk axis (one
    element; the axis disappears) or a range whose begin/end is the whole extent when its mask
    bit is set, clamped like Python slices otherwise. Without an ellipsis the unmentioned trailing
    axes are kept whole. ``fail(message)`` makes the error for a spec that does not fit.
    """
    count = len(begin)
    if not len(end) == len(strides) == count:
        raise fail(
            f"begin {list(begin)}, end {list(end)} and strides {list(strides)} differ in length"
        )
    bit = lambda mask, i: bool(mask >> i & 1)  # noqa: E731
    if sum(bit(masks.ellipsis, i) for i in range(count)) > 1:
        raise fail("more than one ellipsis in the slice spec")
    consuming = sum(
        1 for i in range(count) if not bit(masks.ellipsis, i) and not bit(masks.new_axis, i)
    )
    if consuming > len(shape):
        raise fail(f"the slice spec indexes {consuming} axes of a rank-{len(shape)} input")
    ranges: list[Range] = []
    out: list[int] = []

    def whole(axes: int) -> None:
        for _ in range(axes):
            dim = shape[len(ranges)]
            ranges.append((0, dim, 1))
            out.append(dim)

    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        if bit(masks.ellipsis, i):
            whole(len(shape) - consuming)
        elif bit(masks.new_axis, i):
            out.append(1)
        elif bit(masks.shrink_axis, i):
            dim = shape[len(ranges)]
            idx = b + dim if b < 0 else b
            if not 0 <= idx < dim:
                raise fail(f"index {b} is out of range for an axis of size {dim}")
            ranges.append((idx, idx + 1, 1))
        elif s == 0:
            raise fail("a stride of 0 is invalid")
        else:
            lo = None if bit(masks.begin, i) else b
            hi = None if bit(masks.end, i) else e
            ranges.append(slice(lo, hi, s).indices(shape[len(ranges)]))
            out.append(t.slice_length(*ranges[-1]))
    whole(len(shape) - len(ranges))
    return ranges, out


class SliceEmitter(Protocol):
    """What emit_slice needs of a frontend's node view."""

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]: ...

    def tmp(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> Value: ...

    def bind(self, *values: Value) -> None: ...


def emit_slice(
    n: SliceEmitter, x: Value, ranges: Sequence[Range], out_shape: Sequence[int]
) -> None:
    """The node's output as Slice(x, ranges) reshaped to ``out_shape``; either step is left out
    when it changes nothing."""
    everything = all(r == (0, d, 1) for r, d in zip(ranges, x.shape))
    sliced = tuple(t.slice_length(*r) for r in ranges)
    attrs = t.Slice(*(tuple(col) for col in zip(*ranges))) if ranges else t.Slice((), (), ())
    if sliced == tuple(out_shape):
        if everything:
            n.bind(x)
        else:
            n.emit("Slice", [x], attrs)
        return
    y = x if everything else n.tmp("Slice", [x], attrs)
    n.emit("Reshape", [y], t.Reshape(tuple(out_shape)))
