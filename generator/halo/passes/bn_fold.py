"""Folding of inference BatchNormalization into a preceding Conv or Gemm."""

from __future__ import annotations

import numpy as np

from halo.ir.graph import Graph, Node, Value, constant
from halo.passes.base import Pass


def _bn_scale_shift(bn: Node) -> tuple[np.ndarray, np.ndarray] | None:
    params = [v.data for v in bn.inputs[1:5] if v is not None and v.data is not None]
    if len(params) != 4:
        return None
    scale, bias, mean, var = params
    s = scale / np.sqrt(var.astype(np.float64) + bn.attrs.epsilon)
    return s, bias - mean * s


class BatchNormFolding(Pass):
    """BN(Conv(x, W, b)) = Conv(x, W * s[o], (b - mean) * s + beta), s = gamma / sqrt(var + eps),
    per output channel o; likewise for Gemm with 2-D constant B (columns are channels) when the BN
    channel axis is the Gemm's last axis.

    Must not fire when the Conv/Gemm output has another reader (it would see changed values), when
    weights are not constants, or for Gemm with transposed-A batch inputs of rank > 2.
    """

    def run(self, graph: Graph) -> bool:
        users = graph.users()
        outputs = {id(v) for v in graph.outputs}
        changed = False
        for bn in list(graph.nodes):
            if bn.op != "BatchNormalization":
                continue
            x = bn.inputs[0]
            prod = x.producer if x is not None else None
            if prod is None or prod not in graph.nodes or len(users.get(id(x), [])) != 1:
                continue
            if id(x) in outputs or prod.op not in ("Conv", "Gemm"):
                continue
            ss = _bn_scale_shift(bn)
            if ss is None or not self._fold(prod, *ss):
                continue
            prod.outputs[0].name = bn.outputs[0].name
            graph.replace_uses(bn.outputs[0], prod.outputs[0])
            graph.nodes.remove(bn)
            changed = True
        return changed

    def _fold(self, prod: Node, s: np.ndarray, shift: np.ndarray) -> bool:
        w, b = prod.input(1), prod.input(2)
        if w is None or not w.is_const or (b is not None and not b.is_const):
            return False
        out = prod.outputs[0]
        if prod.op == "Conv":
            if out.rank < 3:
                return False
            w_new = w.array * s.reshape(-1, *([1] * (w.rank - 1)))
            bias = b.array if b is not None else np.zeros(w.shape[0], w.dtype.np)
            prod.inputs = [prod.inputs[0], _c(w, w_new), _c(w, bias * s + shift, "_bias")]
            return True
        g = prod.attrs
        if (
            out.rank != 2
            or w.rank != 2
            or g.alpha != 1.0
            or (b is not None and b.rank > 1 and b.shape[0] != 1)
        ):
            return False  # BN over Gemm channels only when channels are the last axis: rank 2
        w_new = w.array * (s.reshape(-1, 1) if g.trans_b else s.reshape(1, -1))
        bias = b.array.reshape(-1) * g.beta if b is not None else np.zeros(out.shape[1])
        bias = np.broadcast_to(bias, (out.shape[1],))
        prod.inputs = [prod.inputs[0], _c(w, w_new), _c(w, (bias * s + shift).reshape(1, -1))]
        prod.attrs = type(g)(g.trans_a, g.trans_b, 1.0, 1.0)
        return True


def _c(like: Value, data: np.ndarray, suffix: str = "_bnfold") -> Value:
    return constant(like.name + suffix, data.astype(like.dtype.np))
