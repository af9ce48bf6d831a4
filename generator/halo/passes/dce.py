"""Dead-code elimination."""

from __future__ import annotations

from halo.ir.graph import Graph
from halo.passes.base import Pass


class DeadCodeElimination(Pass):
    """Drop nodes none of whose outputs reach a graph output."""

    def run(self, graph: Graph) -> bool:
        live = {id(v) for v in graph.outputs}
        kept = []
        for node in reversed(graph.nodes):
            if any(id(v) in live for v in node.outputs):
                kept.append(node)
                live.update(id(v) for v in node.inputs if v is not None)
        changed = len(kept) != len(graph.nodes)
        graph.nodes = kept[::-1]
        return changed
