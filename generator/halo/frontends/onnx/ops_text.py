"""ONNX TfIdfVectorizer over integer token ids, unrolled over the static sequence length.

An n-gram of the pool is counted at every start position and skip distance d (consecutive items
d apart; unigrams only once, at d = 1) where its items all match: Equal against the pool columns,
And over the n items, a sum over positions. A constant 0/1 matrix sends pool n-grams to their
output columns; the mode then weights the counts."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg
from halo.ir.ops import reduce as r
from halo.ir.ops import tensor as t


def _pool_grams(
    n: OnnxNode, pool: np.ndarray, counts: list[int]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """n -> (pool n-grams [J, n], their positions among all pool n-grams)."""
    grams: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    ids = 0
    for size, start in enumerate(counts, start=1):
        end = counts[size] if size < len(counts) else len(pool)
        if (end - start) % size:
            raise n.fail(f"the pool's {size}-grams do not fill whole n-grams")
        items = pool[start:end].reshape(-1, size)
        grams[size] = (items, np.arange(ids, ids + len(items)))
        ids += len(items)
    return grams


def _count(n: OnnxNode, x: Value, gram: np.ndarray, skips: range) -> Value:
    """[B, J]: how often each row of ``gram`` [J, size] occurs in the rows of x [B, N]."""
    batch, length = x.shape
    size = gram.shape[1]
    total = None
    for d in skips:
        span = length - (size - 1) * d
        if span <= 0:
            continue
        match = None
        for k in range(size):
            items = n.tmp("Slice", [x], t.Slice((0, k * d), (batch, k * d + span), (1, 1)))
            items = n.tmp("Reshape", [items], t.Reshape((batch, span, 1)))
            column = n.const_value(gram[:, k].reshape(1, 1, -1).astype(x.dtype.np), "gram")
            eq = n.tmp("Equal", [items, column])
            match = eq if match is None else n.tmp("And", [match, eq])
        hits = n.tmp(
            "ReduceSum", [n.tmp("Cast", [match], ew.Cast(DType.FLOAT32))], r.Reduce((1,), False)
        )
        total = hits if total is None else n.tmp("Add", [total, hits])
    if total is None:
        return n.const_value(np.zeros((batch, gram.shape[0]), np.float32), "none")
    return total


@converter("TfIdfVectorizer")
def _tfidf(n: OnnxNode) -> None:
    x = n.need(0, "input")
    a = n.attrs
    if a.has("pool_strings"):
        raise n.fail("string pools are not supported (HALO tensors are numeric)")
    if x.dtype not in (DType.INT32, DType.INT64) or x.rank not in (1, 2):
        raise n.fail(f"needs int32/int64 token ids of shape [N] or [B, N], got {x!r}")
    lo, hi, skip = a.int("min_gram_length"), a.int("max_gram_length"), a.int("max_skip_count")
    mode = a.str("mode")
    indexes = np.array(a.ints("ngram_indexes"), np.int64)
    weights = np.array(a.floats("weights", None) or (), np.float32)
    grams = _pool_grams(n, np.array(a.ints("pool_int64s"), np.int64), list(a.ints("ngram_counts")))
    rows = x if x.rank == 2 else n.tmp("Reshape", [x], t.Reshape((1, x.shape[0])))
    width = int(indexes.max()) + 1
    scatter = np.zeros((len(indexes), width), np.float32)
    scatter[np.arange(len(indexes)), indexes] = 1.0
    parts = []
    for size in range(lo, hi + 1):
        if size in grams and len(grams[size][0]):
            gram, ids = grams[size]
            counts = _count(n, rows, gram, range(1, 2) if size == 1 else range(1, skip + 2))
            rows_m = n.const_value(scatter[ids], "to_columns")
            parts.append(n.tmp("Gemm", [counts, rows_m], linalg.Gemm()))
    if not parts:
        y = n.const_value(np.zeros((rows.shape[0], width), np.float32), "empty")
    else:
        y = parts[0]
        for p in parts[1:]:
            y = n.tmp("Add", [y, p])
    if mode == "IDF":
        y = n.tmp(
            "Cast",
            [n.tmp("Greater", [y, n.const_value(np.array(0, np.float32), "zero")])],
            ew.Cast(DType.FLOAT32),
        )
    elif mode not in ("TF", "TFIDF"):
        raise n.fail(f"unknown mode '{mode}'", "use TF, IDF or TFIDF")
    if mode != "TF" and weights.size:
        y = n.tmp("Mul", [y, n.const_value(weights, "weights")])
    n.bind(y if x.rank == 2 else n.tmp("Reshape", [y], t.Reshape((width,))))
