"""Removal of ops that do nothing for the shapes and types they got."""

from __future__ import annotations

from halo.ir.graph import Graph, Node
from halo.passes.base import Pass


def is_identity(n: Node) -> bool:
    x = n.inputs[0] if n.inputs else None
    if x is None or len(n.outputs) != 1:
        return False
    y = n.outputs[0]
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    a = n.attrs
    if n.op in ("Reshape", "Expand", "Cast", "Resize", "Tile", "Pad"):
        return n.op != "Resize" or all(s == 1.0 for s in a.scales)
    if n.op == "Transpose":
        return list(a.perm) == sorted(a.perm)
    if n.op == "Slice":
        return all(st == 1 for st in a.steps) and all(s == 0 for s in a.starts)
    if n.op == "Concat":
        return len(n.inputs) == 1
    return False


class IdentityRemoval(Pass):
    """Forward the operand of Reshape/Expand/Cast/Tile/Pad/Transpose/Slice/Concat nodes that
    leave shape, type and data unchanged. Must not fire when a graph output would become a graph
    input or constant and another output already is that same value (codegen copies then)."""

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
