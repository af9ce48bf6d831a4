"""ONNX Einsum as Transpose / Reshape / Gather (diagonals) / ReduceSum / batched Gemm.

Operands are combined left to right. Before a product, letters that no later term needs are summed
out; in a product, letters of both operands are batch axes when needed later and contracted
otherwise. Ellipsis dimensions become placeholder letters, right-aligned across operands.
"""

from __future__ import annotations

import math
import re

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import linalg
from halo.ir.ops import reduce as r
from halo.ir.ops import tensor as t

_PLACEHOLDERS = "0123456789"  # never valid einsum letters


class _Term:
    """An intermediate value and the letter of each of its axes."""

    def __init__(self, value: Value, letters: str) -> None:
        self.value, self.letters = value, letters

    def dim(self, letter: str) -> int:
        return self.value.shape[self.letters.index(letter)]


def _parse(n: OnnxNode, equation: str, ranks: list[int]) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ranks) or not re.fullmatch(r"[A-Za-z.,\->]*", eq):
        raise n.fail(f"equation '{equation}' does not match {len(ranks)} operand(s)")
    ell = max(
        (rank - len(term.replace("...", "")) for term, rank in zip(terms, ranks) if "..." in term),
        default=0,
    )
    if ell > len(_PLACEHOLDERS):
        raise n.fail("too many ellipsis dimensions")
    fill = _PLACEHOLDERS[:ell]
    out_terms = []
    for term, rank in zip(terms, ranks):
        if "..." in term:
            k = rank - len(term.replace("...", ""))
            term = term.replace("...", fill[ell - k :])
        if len(term) != rank:
            raise n.fail(f"term '{term}' has {len(term)} letters for a rank-{rank} operand")
        out_terms.append(term)
    if arrow:
        out = rhs.replace("...", fill)
    else:
        counts = {c: lhs.count(c) for c in set(lhs) if c.isalpha()}
        out = fill + "".join(sorted(c for c, k in counts.items() if k == 1))
    return out_terms, out


def _transpose(n: OnnxNode, term: _Term, order: str) -> _Term:
    if order == term.letters:
        return term
    perm = tuple(term.letters.index(c) for c in order)
    return _Term(n.tmp("Transpose", [term.value], t.Transpose(perm)), order)


def _reshape(n: OnnxNode, v: Value, shape: tuple[int, ...]) -> Value:
    return v if v.shape == shape else n.tmp("Reshape", [v], t.Reshape(shape))


def _diagonals(n: OnnxNode, term: _Term) -> _Term:
    """x[..., i, ..., i, ...] -> x[..., i]: merge the axes, gather every (size+1)-th element."""
    for c in term.letters:
        if term.letters.count(c) > 1:
            i = term.letters.index(c)
            j = term.letters.index(c, i + 1)
            others = [k for k in range(len(term.letters)) if k not in (i, j)]
            rest = "".join(term.letters[k] for k in others)
            moved = n.tmp("Transpose", [term.value], t.Transpose((*others, i, j)))
            size = term.dim(c)
            merged = _reshape(n, moved, (*moved.shape[:-2], size * size))
            idx = n.const_value(np.arange(size, dtype=np.int64) * (size + 1), "diag")
            diag = n.tmp("Gather", [merged, idx], t.Gather(merged.rank - 1))
            return _diagonals(n, _Term(diag, rest + c))
    return term


def _sum_out(n: OnnxNode, term: _Term, keep: set[str]) -> _Term:
    axes = tuple(i for i, c in enumerate(term.letters) if c not in keep)
    if not axes:
        return term
    v = n.tmp("ReduceSum", [term.value], r.Reduce(axes, False))
    return _Term(v, "".join(c for c in term.letters if c in keep))


def _product(n: OnnxNode, a: _Term, b: _Term, later: set[str]) -> _Term:
    batch = "".join(c for c in a.letters if c in b.letters and c in later)
    inner = "".join(c for c in a.letters if c in b.letters and c not in later)
    left = "".join(c for c in a.letters if c not in b.letters)
    right = "".join(c for c in b.letters if c not in a.letters)
    a = _transpose(n, a, batch + left + inner)
    b = _transpose(n, b, batch + inner + right)
    m = math.prod(a.dim(c) for c in left)
    k = math.prod(a.dim(c) for c in inner)
    if k != math.prod(b.dim(c) for c in inner):
        raise n.fail(f"contracted axes '{inner}' differ in size")
    cols = math.prod(b.dim(c) for c in right)
    av = _reshape(n, a.value, (*a.value.shape[: len(batch)], m, k))
    bv = _reshape(n, b.value, (*b.value.shape[: len(batch)], k, cols))
    y = n.tmp("Gemm", [av, bv], linalg.Gemm())
    shape = (*y.shape[: len(batch)], *(a.dim(c) for c in left), *(b.dim(c) for c in right))
    return _Term(_reshape(n, y, shape), batch + left + right)


@converter("Einsum")
def _einsum(n: OnnxNode) -> None:
    values = [v for v in n.inputs() if v is not None]
    letters, out = _parse(n, n.attrs.str("equation"), [v.rank for v in values])
    terms = [_diagonals(n, _Term(v, s)) for v, s in zip(values, letters)]
    acc = _sum_out(n, terms[0], set(out).union(*(t.letters for t in terms[1:])))
    for i, term in enumerate(terms[1:], start=1):
        later = set(out).union(*(t.letters for t in terms[i + 1 :]))
        term = _sum_out(n, term, later | set(acc.letters))
        acc = _product(n, acc, term, later)
        acc = _sum_out(n, acc, later)
    acc = _sum_out(n, acc, set(out))
    if sorted(acc.letters) != sorted(out):
        raise n.fail(f"output letters '{out}' do not match the operands")
    n.bind(_transpose(n, acc, out).value)
