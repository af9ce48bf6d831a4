"""Reduction semantics."""

from __future__ import annotations

import numpy as np

from halo.ir.ops import reduce as r
from halo.reference.registry import impl


def _wide(x: np.ndarray):
    """The accumulator of a sum or mean: float64 for floating inputs (as the runtimes sum), so
    the result rounds once and does not depend on the order of the additions."""
    return np.float64 if x.dtype.kind == "f" else None


_REDUCERS = {
    "ReduceMean": lambda x, ax, k: np.mean(x, axis=ax, keepdims=k, dtype=_wide(x)),
    "ReduceSum": lambda x, ax, k: np.sum(x, axis=ax, keepdims=k, dtype=_wide(x)),
    "ReduceMax": lambda x, ax, k: np.max(x, axis=ax, keepdims=k),
    "ReduceMin": lambda x, ax, k: np.min(x, axis=ax, keepdims=k),
    "ReduceProd": lambda x, ax, k: np.prod(x, axis=ax, keepdims=k),
    "ReduceL1": lambda x, ax, k: np.sum(np.abs(x), axis=ax, keepdims=k),
    "ReduceL2": lambda x, ax, k: np.sqrt(
        np.sum(np.square(x, dtype=np.float64), axis=ax, keepdims=k)
    ),
    "ReduceLogSum": lambda x, ax, k: np.log(np.sum(x, axis=ax, keepdims=k)),
    "ReduceLogSumExp": lambda x, ax, k: np.log(
        np.sum(np.exp(x.astype(np.float64)), axis=ax, keepdims=k)
    ),
    "ReduceSumSquare": lambda x, ax, k: np.sum(np.square(x), axis=ax, keepdims=k),
}

for _op, _fn in _REDUCERS.items():
    impl(_op)(lambda a, x, _fn=_fn: _fn(x, a.axes, a.keepdims))


def _arg(x: np.ndarray, a: r.ArgReduce, fn) -> np.ndarray:
    axis = a.axis % x.ndim
    if a.select_last:
        flipped = np.flip(x, axis=axis)
        idx = x.shape[axis] - 1 - fn(flipped, axis=axis)
    else:
        idx = fn(x, axis=axis)
    return np.expand_dims(idx, axis) if a.keepdims else idx


@impl("ArgMax")
def _argmax(a: r.ArgReduce, x: np.ndarray) -> np.ndarray:
    return _arg(x, a, np.argmax)


@impl("ArgMin")
def _argmin(a: r.ArgReduce, x: np.ndarray) -> np.ndarray:
    return _arg(x, a, np.argmin)


@impl("TopK")
def _topk(a: r.TopK, x: np.ndarray) -> list[np.ndarray]:
    axis = a.axis % x.ndim
    if a.largest:  # descending, ties by ascending index (negation would wrap unsigned types)
        flipped = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
        order = x.shape[axis] - 1 - np.flip(flipped, axis)
    else:
        order = np.argsort(x, axis=axis, kind="stable")
    idx = np.take(order, np.arange(a.k), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)]


@impl("CumSum")
def _cumsum(a: r.CumSum, x: np.ndarray) -> np.ndarray:
    axis = a.axis % x.ndim
    y = np.flip(x, axis) if a.reverse else x
    s = np.cumsum(y, axis=axis, dtype=x.dtype)
    if a.exclusive:
        s = s - y
    return np.flip(s, axis) if a.reverse else s
