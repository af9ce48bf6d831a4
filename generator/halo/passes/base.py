"""The pass interface."""

from __future__ import annotations

from abc import ABC, abstractmethod

from halo.ir.graph import Graph, Node, Value


class Pass(ABC):
    """A graph rewrite. ``run`` returns whether it changed the graph."""

    @property
    def name(self) -> str:
        return type(self).__name__

    @abstractmethod
    def run(self, graph: Graph) -> bool: ...


class Uses:
    """Who reads what, for matching rewrite patterns (a snapshot: rebuild after a rewrite)."""

    def __init__(self, graph: Graph) -> None:
        self._nodes = set(map(id, graph.nodes))
        self._readers = graph.users()
        self._outputs = {id(v) for v in graph.outputs}

    def readers(self, v: Value) -> list[Node]:
        return self._readers.get(id(v), [])

    def sole_reader(self, v: Value) -> Node | None:
        """The one node reading ``v``, when ``v`` is not also a graph output."""
        readers = self.readers(v)
        if len(readers) != 1 or id(v) in self._outputs:
            return None
        return readers[0]

    def made_by(self, v: Value | None, *ops: str) -> Node | None:
        """The node of this graph producing ``v``, when its op is one of ``ops``."""
        node = v.producer if v is not None else None
        if node is None or id(node) not in self._nodes or node.op not in ops:
            return None
        return node
