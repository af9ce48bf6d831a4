"""Subgraph extraction: cut the graph at named inputs and outputs."""

from __future__ import annotations

from collections.abc import Sequence

from halo.errors import OptionError
from halo.ir.graph import Graph, Value
from halo.passes.base import Pass
from halo.passes.dce import DeadCodeElimination


def _names(graph: Graph) -> dict[str, Value]:
    table: dict[str, Value] = {v.name: v for v in graph.inputs}
    for n in graph.nodes:
        for v in [*n.outputs, *n.inputs]:
            if v is not None:
                table.setdefault(v.name, v)  # node inputs add folded constants
    for v in graph.outputs:
        table.setdefault(v.name, v)
    return table


class SubgraphExtraction(Pass):
    """Make ``outputs`` the graph outputs and ``inputs`` new graph inputs (their producers are cut
    off), then remove what no output needs. Names not in the graph are an OptionError; so is a
    cut that leaves an output depending on an original input that was not listed."""

    def __init__(self, inputs: Sequence[str], outputs: Sequence[str]) -> None:
        self.inputs, self.outputs = list(inputs), list(outputs)

    def run(self, graph: Graph) -> bool:
        if not self.inputs and not self.outputs:
            return False
        table = _names(graph)
        for name in [*self.inputs, *self.outputs]:  # TensorFlow spelling: "node:0" is "node"
            if name not in table and name.endswith(":0") and name[:-2] in table:
                table[name] = table[name[:-2]]
        unknown = [n for n in [*self.inputs, *self.outputs] if n not in table]
        if unknown:
            sample = ", ".join(sorted(table)[:30])
            raise OptionError(
                f"no tensor named {', '.join(unknown)} in the model",
                hint=f"tensor names include: {sample}",
            )
        if self.outputs:
            graph.outputs = [table[n] for n in self.outputs]
        if self.inputs:
            new_inputs = []
            for name in self.inputs:
                old = table[name]
                if old in graph.inputs:
                    new_inputs.append(old)
                    continue
                fresh = Value(old.name, old.dtype, old.shape)
                graph.replace_uses(old, fresh)
                new_inputs.append(fresh)
            graph.inputs = new_inputs
            self._check_closed(graph)
        DeadCodeElimination().run(graph)
        return True

    def _check_closed(self, graph: Graph) -> None:
        live = {id(v) for v in graph.inputs}
        needed = {id(v) for v in graph.outputs}
        for n in reversed(graph.nodes):
            if any(id(o) in needed for o in n.outputs):
                needed.update(id(v) for v in n.inputs if v is not None)
        for n in graph.nodes:
            for v in n.inputs:
                if (
                    v is not None
                    and id(v) in needed
                    and v.producer is None
                    and not v.is_const
                    and id(v) not in live
                ):
                    raise OptionError(
                        f"the subgraph still needs input '{v.name}'", hint=f"add --inputs {v.name}"
                    )
