"""The rules several frontends share (frontends/rules.py) against independent definitions:
strided-slice specs against numpy's basic indexing (the same ellipsis/newaxis/int/slice
semantics), SAME padding against the formula in TensorFlow's and ONNX's documentation."""

from __future__ import annotations

import random

import numpy as np
import pytest
from halo.errors import HaloError
from halo.frontends.rules import SliceMasks, same_pads, strided_slice

pytestmark = pytest.mark.unit


def _random_spec(rng: random.Random, rank: int) -> list[object]:
    """A numpy index of up to rank + 2 entries: at most one Ellipsis, newaxes, ints, slices."""
    spec: list[object] = []
    consumed = 0
    for _ in range(rng.randint(0, rank + 2)):
        kind = rng.choice(["slice", "slice", "int", "new", "ellipsis"])
        if kind == "ellipsis" and Ellipsis not in spec:
            spec.append(Ellipsis)
        elif kind == "new":
            spec.append(None)
        elif consumed < rank and kind == "int":
            spec.append(rng.randint(-1, 1))
            consumed += 1
        elif consumed < rank:
            pick = lambda: rng.choice([None, rng.randint(-7, 7)])  # noqa: E731
            spec.append(slice(pick(), pick(), rng.choice([None, 1, 2, 3, -1, -2])))
            consumed += 1
    return spec


def _as_masks(spec: list[object]) -> tuple[list[int], list[int], list[int], SliceMasks]:
    begin, end, strides = [], [], []
    bits = dict(begin=0, end=0, ellipsis=0, new_axis=0, shrink_axis=0)
    for i, entry in enumerate(spec):
        b, e, s = 0, 0, 1
        if entry is Ellipsis:
            bits["ellipsis"] |= 1 << i
        elif entry is None:
            bits["new_axis"] |= 1 << i
        elif isinstance(entry, int):
            b, bits["shrink_axis"] = entry, bits["shrink_axis"] | 1 << i
        else:
            assert isinstance(entry, slice)
            s = entry.step or 1
            if entry.start is None:
                bits["begin"] |= 1 << i
            else:
                b = entry.start
            if entry.stop is None:
                bits["end"] |= 1 << i
            else:
                e = entry.stop
        begin.append(b)
        end.append(e)
        strides.append(s)
    return begin, end, strides, SliceMasks(**bits)


def test_strided_slice_matches_numpy_indexing() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(3000):
        shape = tuple(rng.randint(1, 5) for _ in range(rng.randint(0, 4)))
        x = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
        spec = _random_spec(rng, len(shape))
        begin, end, strides, masks = _as_masks(spec)
        try:
            expected = x[tuple(spec)]
        except IndexError:  # an int index out of range: the rule must refuse it too
            with pytest.raises(HaloError):
                strided_slice(shape, begin, end, strides, masks, HaloError)
            continue
        ranges, out = strided_slice(shape, begin, end, strides, masks, HaloError)
        # an IR Slice range means Python's range(start, stop, step): -1 is "before index 0"
        picks = [np.array(range(*r), dtype=np.intp) for r in ranges]
        got = x[np.ix_(*picks)].reshape(out)
        np.testing.assert_array_equal(got, expected, err_msg=str(spec))
        checked += 1
    assert checked > 2000


def test_strided_slice_refuses_bad_specs() -> None:
    with pytest.raises(HaloError, match="more than one ellipsis"):
        strided_slice((2, 3), [0, 0], [0, 0], [1, 1], SliceMasks(ellipsis=3), HaloError)
    with pytest.raises(HaloError, match="stride of 0"):
        strided_slice((2, 3), [0], [2], [0], SliceMasks(), HaloError)
    with pytest.raises(HaloError, match="indexes 3 axes"):
        strided_slice((2, 3), [0] * 3, [1] * 3, [1] * 3, SliceMasks(), HaloError)


@pytest.mark.parametrize(
    ("size", "k", "s", "d", "upper", "lower"),
    [
        (5, 3, 1, 1, (1, 1), (1, 1)),
        (6, 3, 2, 1, (0, 1), (1, 0)),  # total 1: the odd pixel at the end, or at the beginning
        (7, 2, 2, 1, (0, 1), (1, 0)),
        (7, 3, 3, 1, (1, 1), (1, 1)),
        (10, 3, 1, 2, (2, 2), (2, 2)),  # dilated span 5
        (4, 1, 3, 1, (0, 0), (0, 0)),
    ],
)
def test_same_pads(size: int, k: int, s: int, d: int, upper: tuple, lower: tuple) -> None:
    # TensorFlow's and ONNX's definition: out = ceil(in / s),
    # total = max((out - 1) * s + (k - 1) * d + 1 - in, 0)
    assert same_pads([size], [k], [s], [d]) == ((upper[0],), (upper[1],))
    assert same_pads([size], [k], [s], [d], lower=True) == ((lower[0],), (lower[1],))


def test_same_pads_of_a_given_output_size() -> None:
    # Conv2DBackpropInput: the forward conv over the 9-pixel target gives 5 outputs at stride 2
    assert same_pads([9], [3], [2], [1], outputs=[5]) == ((1,), (1,))
    assert same_pads([8], [3], [2], [1], outputs=[4]) == ((0,), (1,))
