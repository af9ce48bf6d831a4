"""Gemm semantics."""

from __future__ import annotations

import numpy as np

from halo.ir.ops.linalg import Gemm
from halo.reference.registry import impl


@impl("Gemm")
def _gemm(g: Gemm, a: np.ndarray, b: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    a2 = np.swapaxes(a, -1, -2) if g.trans_a else a
    b2 = np.swapaxes(b, -1, -2) if g.trans_b else b
    y = np.matmul(a2, b2)
    if g.alpha != 1.0:
        y = y * g.alpha
    if c is not None:
        y = y + (c * g.beta if g.beta != 1.0 else c)
    return y
