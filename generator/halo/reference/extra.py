"""Semantics of the ops in ir/ops/extra.py (ONNX definitions)."""

from __future__ import annotations

import numpy as np

from halo.ir.ops import extra as e
from halo.reference.registry import impl

_COMBINE = {
    "none": lambda old, new: new,
    "add": lambda old, new: old + new,
    "mul": lambda old, new: old * new,
    "max": np.maximum,
    "min": np.minimum,
}


@impl("GatherND")
def _gather_nd(a: e.GatherND, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    b, depth = a.batch_dims, idx.shape[-1]
    batch = int(np.prod(x.shape[:b], dtype=np.int64))
    xs = x.reshape((batch, *x.shape[b:]))
    ids = idx.reshape((batch, -1, depth))
    dims = np.array(x.shape[b : b + depth], dtype=np.int64)
    ids = np.where(ids < 0, ids + dims, ids)
    out = (
        np.stack([xs[i][tuple(ids[i].T)] for i in range(batch)])
        if batch
        else np.empty((0, ids.shape[1], *x.shape[b + depth :]), x.dtype)
    )
    return out.reshape((*idx.shape[:-1], *x.shape[b + depth :]))


@impl("ScatterElements")
def _scatter_elements(a: e.Scatter, x: np.ndarray, idx: np.ndarray, upd: np.ndarray) -> np.ndarray:
    axis = a.axis % x.ndim
    y = x.copy()
    idx = np.where(idx < 0, idx + x.shape[axis], idx)
    combine = _COMBINE[a.reduction]
    for pos in np.ndindex(*idx.shape):  # row-major order: later duplicates win
        dst = pos[:axis] + (int(idx[pos]),) + pos[axis + 1 :]
        y[dst] = combine(y[dst], upd[pos])
    return y


@impl("ScatterND")
def _scatter_nd(a: e.Scatter, x: np.ndarray, idx: np.ndarray, upd: np.ndarray) -> np.ndarray:
    y = x.copy()
    depth = idx.shape[-1]
    dims = np.array(x.shape[:depth], dtype=np.int64)
    combine = _COMBINE[a.reduction]
    for pos in np.ndindex(*idx.shape[:-1]):
        dst = tuple(int(i) for i in np.where(idx[pos] < 0, idx[pos] + dims, idx[pos]))
        y[dst] = combine(y[dst], upd[pos])
    return y


@impl("CumProd")
def _cumprod(a: e.CumProd, x: np.ndarray) -> np.ndarray:
    axis = a.axis % x.ndim
    y = np.flip(x, axis) if a.reverse else x
    p = np.cumprod(y, axis=axis, dtype=x.dtype)
    if a.exclusive:
        ones = np.ones_like(np.take(p, [0], axis=axis))
        p = np.concatenate([ones, np.take(p, np.arange(p.shape[axis] - 1), axis=axis)], axis=axis)
    return np.flip(p, axis) if a.reverse else p


@impl("BitCast")
def _bitcast(a: e.BitCast, x: np.ndarray) -> np.ndarray:
    return x.copy(order="C").view(a.to.np)


@impl("Det")
def _det(a: object, x: np.ndarray) -> np.ndarray:
    return np.linalg.det(x.astype(np.float64)).astype(x.dtype)
