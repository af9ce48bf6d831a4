"""Data-movement semantics."""

from __future__ import annotations

import numpy as np

from halo.errors import ModelError
from halo.ir.ops import tensor as t
from halo.reference.registry import impl


@impl("Reshape")
def _reshape(a: t.Reshape, x: np.ndarray) -> np.ndarray:
    return x.reshape(a.shape)


@impl("Transpose")
def _transpose(a: t.Transpose, x: np.ndarray) -> np.ndarray:
    return np.transpose(x, a.perm)


@impl("Concat")
def _concat(a: t.Concat, *xs: np.ndarray) -> np.ndarray:
    return np.concatenate(xs, axis=a.axis)


@impl("Slice")
def _slice(a: t.Slice, x: np.ndarray) -> np.ndarray:
    index = tuple(
        slice(s, None if (e < 0 and st < 0) else e, st)
        for s, e, st in zip(a.starts, a.stops, a.steps)
    )
    return x[index]


@impl("Pad")
def _pad(a: t.Pad, x: np.ndarray) -> np.ndarray:
    widths = list(zip(a.pads_begin, a.pads_end))
    if a.mode == "constant":
        return np.pad(x, widths, constant_values=np.array(a.value).astype(x.dtype))
    return np.pad(x, widths, mode={"edge": "edge", "reflect": "reflect", "wrap": "wrap"}[a.mode])


def _in_range(op: str, idx: np.ndarray, size: int) -> np.ndarray:
    """``idx`` with negative indices counted from the end; out-of-range indices are an error."""
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].flat[0]
        raise ModelError(f"{op}: index {bad} is out of range for an axis of size {size}")
    return np.where(idx < 0, idx + size, idx)


@impl("Gather")
def _gather(a: t.Gather, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    axis = a.axis % x.ndim
    return np.take(x, _in_range("Gather", idx, x.shape[axis]), axis=axis)


@impl("GatherElements")
def _gather_elements(a: t.Gather, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    axis = a.axis % x.ndim
    return np.take_along_axis(x, _in_range("GatherElements", idx, x.shape[axis]), axis=axis)


@impl("Tile")
def _tile(a: t.Tile, x: np.ndarray) -> np.ndarray:
    return np.tile(x, a.repeats)


@impl("Expand")
def _expand(a: t.Expand, x: np.ndarray) -> np.ndarray:
    return np.broadcast_to(x, a.shape)
