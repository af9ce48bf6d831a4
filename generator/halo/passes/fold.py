"""Constant folding through the numpy reference."""

from __future__ import annotations

from halo.ir.graph import Graph, Node, Value, constant
from halo.ir.ops import OPS
from halo.passes.base import Pass
from halo.reference import IMPLS, evaluate

# Folding a node whose result is this large would bloat the weights object; leave it to run time.
MAX_FOLD_ELEMENTS = 1 << 22


def fold_node(node: Node, everything: bool = False) -> list[Value] | None:
    """If every operand of ``node`` is a constant, return constant values for its outputs (for
    ops registered with ``folds=False`` only when ``everything``)."""
    if node.op not in IMPLS or any(v is not None and not v.is_const for v in node.inputs):
        return None
    if not (OPS[node.op].folds or everything):
        return None
    if sum(v.size for v in node.outputs) > MAX_FOLD_ELEMENTS:
        return None
    arrays = evaluate(node, [None if v is None else v.data for v in node.inputs])
    return [constant(v.name, a) for v, a in zip(node.outputs, arrays)]


class ConstantFolding(Pass):
    """Replace every node whose operands are all constants by constants computed with the reference.

    Must not fire on nodes whose output would exceed MAX_FOLD_ELEMENTS elements, nor on ops
    registered with ``folds=False`` unless ``everything``: the fold after QDQ fusion turns the
    DequantizeLinear of weights that no integer op took into their real values once.
    """

    def __init__(self, everything: bool = False) -> None:
        self.everything = everything

    def run(self, graph: Graph) -> bool:
        changed = False
        kept: list[Node] = []
        for node in graph.nodes:
            folded = fold_node(node, self.everything)
            if folded is None:
                kept.append(node)
                continue
            for old, new in zip(node.outputs, folded):
                graph.replace_uses(old, new, graph.nodes)
            changed = True
        graph.nodes = kept
        return changed
