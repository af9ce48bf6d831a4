"""Folding of per-channel Mul/Add by constants into the preceding Conv or Gemm."""

from __future__ import annotations

import numpy as np

from halo.ir.graph import Graph, Node, Value, constant
from halo.passes.base import Pass


def _channel_vector(c: Value, out: Value, axis: int) -> np.ndarray | None:
    """``c`` as a vector over ``out``'s channel axis, if it varies along no other axis."""
    if c.data is None or c.rank > out.rank:
        return None
    shape = (1,) * (out.rank - c.rank) + c.shape
    if any(d != 1 for i, d in enumerate(shape) if i != axis) or shape[axis] not in (
        1,
        out.shape[axis],
    ):
        return None
    return np.broadcast_to(c.data.reshape(-1), (out.shape[axis],)).astype(np.float64)


class AffineFolding(Pass):
    """Conv(x, W, b) * s = Conv(x, W * s[o], b * s) and Conv(x, W, b) + t = Conv(x, W, b + t) for
    constants s, t that vary only along the output-channel axis (axis 1 for Conv, the last axis for
    2-D Gemm with alpha = 1). Frameworks that freeze BatchNormalization as x * s + t need this.

    Must not fire when the Conv/Gemm output has another reader or is a graph output, when its
    weights/bias are not constants, or when the constant would broadcast the output to a new shape.
    """

    def run(self, graph: Graph) -> bool:
        changed = False
        for node in list(graph.nodes):
            if node.op not in ("Mul", "Add") or node not in graph.nodes:
                continue
            prod, c = self._match(graph, node)
            if prod is None or c is None:
                continue
            out = prod.outputs[0]
            axis = 1 if prod.op == "Conv" else out.rank - 1
            vec = _channel_vector(c, out, axis)
            if vec is None or not self._fold(prod, node.op, vec):
                continue
            out.name = node.outputs[0].name
            graph.replace_uses(node.outputs[0], out)
            graph.nodes.remove(node)
            changed = True
        return changed

    def _match(self, graph: Graph, node: Node) -> tuple[Node | None, Value | None]:
        users = graph.users()
        outputs = {id(v) for v in graph.outputs}
        for x, c in (node.inputs, node.inputs[::-1]):
            prod = x.producer if x is not None else None
            if (
                x is not None
                and prod is not None
                and prod in graph.nodes
                and prod.op in ("Conv", "Gemm")
                and c is not None
                and c.is_const
                and len(users.get(id(x), [])) == 1
                and id(x) not in outputs
                and x.shape == node.outputs[0].shape
            ):
                return prod, c
        return None, None

    def _fold(self, prod: Node, op: str, vec: np.ndarray) -> bool:
        w, b = prod.input(1), prod.input(2)
        out = prod.outputs[0]
        if w is None or not w.is_const or (b is not None and not b.is_const):
            return False
        if prod.op == "Gemm" and (
            out.rank != 2
            or w.rank != 2
            or prod.attrs.alpha != 1.0
            or (b is not None and prod.attrs.beta != 1.0)
        ):
            return False
        n = out.shape[1] if prod.op == "Conv" else out.shape[-1]
        bias = (
            np.zeros(n)
            if b is None
            else np.broadcast_to(b.array.reshape(-1), (n,)).astype(np.float64)
        )
        w_new = w.array
        if op == "Mul":
            if prod.op == "Conv":
                w_new = w.array * vec.reshape(-1, *([1] * (w.rank - 1)))
            else:
                w_new = w.array * (vec.reshape(-1, 1) if prod.attrs.trans_b else vec.reshape(1, -1))
            bias = bias * vec
        else:
            bias = bias + vec
        if b is not None and prod.op == "Gemm" and b.rank == 2 and b.shape[0] != 1:
            return False
        bias_shape = (n,) if prod.op == "Conv" else (1, n)
        prod.inputs = [
            prod.inputs[0],
            _c(w, w_new, "_affine"),
            _c(w, bias.reshape(bias_shape), "_bias"),
        ]
        return True


def _c(like: Value, data: np.ndarray, suffix: str) -> Value:
    return constant(like.name + suffix, np.asarray(data).astype(like.dtype.np))
