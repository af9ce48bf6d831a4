"""Removal of ops that do nothing for the shapes and types they got."""

from __future__ import annotations

from halo.ir.graph import Graph, Node
from halo.ir.ops import get_op
from halo.passes.base import Pass


def is_identity(n: Node) -> bool:
    x = n.inputs[0] if n.inputs else None
    if x is None or len(n.outputs) != 1:
        return False
    y = n.outputs[0]
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    rule = get_op(n.op).identity
    return rule is not None and bool(rule(n))


class IdentityRemoval(Pass):
    """Forward the operand of nodes that leave shape, type and data unchanged (the op's
    identity rule: a Reshape/Expand/Tile/Pad to the same shape, a Cast to the same type, a
    Transpose by the identity, a whole Slice, a Concat of one operand, a Resize by 1).
    Must not fire when a graph output would become a graph input or constant and another output
    already is that same value (codegen copies then)."""

    def run(self, graph: Graph) -> bool:
        changed = False
        kept = []
        for n in graph.nodes:
            x = n.inputs[0] if n.inputs else None
            if x is not None and is_identity(n):
                graph.replace_uses(n.outputs[0], x)
                changed = True
            else:
                kept.append(n)
        graph.nodes = kept
        return changed
