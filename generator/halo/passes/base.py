"""The pass interface."""

from __future__ import annotations

from abc import ABC, abstractmethod

from halo.ir.graph import Graph


class Pass(ABC):
    """A graph rewrite. ``run`` returns whether it changed the graph."""

    @property
    def name(self) -> str:
        return type(self).__name__

    @abstractmethod
    def run(self, graph: Graph) -> bool: ...
