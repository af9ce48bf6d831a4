"""Layout optimization: move transposes through layout-agnostic ops until inverse pairs cancel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from halo.ir.graph import Graph, Node, Value, constant
from halo.ir.ops import get_op
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import Layout
from halo.passes.base import Pass
from halo.passes.dce import DeadCodeElimination

Perm = tuple[int, ...]


def _layout(u: Node) -> Layout:
    return get_op(u.op).layout


def channels_first_perm(rank: int) -> Perm:
    """NHWC -> NCHW (and the NWC / NDHWC analogues)."""
    return (0, rank - 1, *range(1, rank - 1))


def invert(p: Sequence[int]) -> Perm:
    return tuple(int(i) for i in np.argsort(p))


def _perm_of(v: Value | None) -> Perm | None:
    node = v.producer if v is not None else None
    return node.attrs.perm if node is not None and node.op == "Transpose" else None


class LayoutOptimization(Pass):
    """Sink each Transpose(x, p) below the ops reading it when they do not care about layout:

    * Transpose(Transpose(x, p), q) = Transpose(x, p∘q), dropped when that is the identity;
    * f(T(x, p)) = T(f(x), p) for elementwise f (Relu, Clip, Cast, ...);
    * g(T(a, p), T(b, p), c) = T(g(a, b, c'), p) for broadcasting elementwise g and Concat, with
      constant c' = transpose(c broadcast to the rank, p⁻¹) and the Concat axis a -> p[a]; a plain
      operand b gets T(b, p⁻¹) when transposed operands (or values computed from the same
      transpose, like the sigmoid in x * sigmoid(x)) outnumber plain ones;
    * Pad / Slice / reductions / ArgMax / Softmax with their per-axis attributes moved by p (a
      reduction without keepdims needs only the order of the surviving axes after it).

    A Transpose sinks only when every reader can take it (so it disappears) and is no graph output.
    Transposes that only move size-1 axes become Reshapes.

    The boundary layouts (``inputs``, ``outputs``: "nchw", "nhwc" or None for the model's own):
    with "nchw", a graph input read by NHWC->NCHW transposes becomes a channels-first input
    (transposed shape) and an output made by NCHW->NHWC is replaced by the transpose's operand:
    the boundary then has the runtime's layout and no transpose at all. With "nhwc", an input or
    output of rank 3..5 that the graph has channels-first (an ONNX or Caffe image) is given the
    channels-last shape, with a transpose inside the compiled code that then sinks like the
    others: the application feeds and reads interleaved pixels. Values already channels-last
    (TensorFlow's) keep theirs.
    """

    def __init__(self, inputs: str | None = None, outputs: str | None = None) -> None:
        for side in (inputs, outputs):
            if side not in (None, "nchw", "nhwc"):
                raise ValueError(f"boundary layout {side!r} is not nchw, nhwc or None")
        self.inputs, self.outputs = inputs, outputs
        self._taken: set[str] = set()

    def run(self, graph: Graph) -> bool:
        self._taken = {n.name for n in graph.nodes} | {v.name for v in graph.inputs}
        self._taken |= {v.name for n in graph.nodes for v in n.outputs}
        changed = False
        if self.inputs:
            changed = self._boundary_inputs(graph, self.inputs == "nchw")
        if self.outputs == "nhwc":
            changed = self._channels_last_outputs(graph) or changed
        while self._sweep(graph):
            changed = True
        if self.outputs == "nchw":
            changed = self._absorb_outputs(graph) or changed
        changed = self._unit_transposes_to_reshapes(graph) or changed
        DeadCodeElimination().run(graph)
        return changed

    def _fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self._taken:
            name, i = f"{base}_{i}", i + 1
        self._taken.add(name)
        return name

    def _node(
        self,
        op: str,
        inputs: list[Value | None],
        attrs: Any,
        out: Value | None = None,
        hint: str = "",
    ) -> Node:
        """A new node; it writes ``out`` when given (keeping that value's name and readers)."""
        results = get_op(op).infer(attrs, inputs)
        if out is None:
            out = Value(self._fresh(hint or op.lower()), *results[0])
        elif (out.dtype, out.shape) != results[0]:
            raise AssertionError(f"layout rewrite of {op} changed {out!r} to {results[0]}")
        node = Node(self._fresh(f"{hint or out.name}_{op.lower()}"), op, inputs, [out], attrs)
        out.producer = node
        return node

    # --- sinking ---------------------------------------------------------------------------

    def _sweep(self, graph: Graph) -> bool:
        """One pass over the nodes, sinking every transpose that can sink."""
        changed, i = False, 0
        users = graph.users()
        while i < len(graph.nodes):
            node = graph.nodes[i]
            if node.op == "Transpose" and self._sink(graph, node, users):
                changed, users = True, graph.users()
            i += 1
        return changed

    def _sink(self, graph: Graph, node: Node, users: dict[int, list[Node]]) -> bool:
        y, p = node.outputs[0], node.attrs.perm
        readers = list({id(u): u for u in users.get(id(y), [])}.values())
        if any(u.op == "Transpose" for u in readers):
            for u in readers:
                if u.op == "Transpose":
                    self._compose(graph, u, node)
            return True
        if not readers or y in graph.outputs:
            return False
        if not all(self._sinkable(u, p, set()) for u in readers):
            soon = _soon(graph, y, p, users)  # co-operands that will carry T(., p) later
            if not all(self._sinkable(u, p, soon) for u in readers):
                return False
        for u in readers:
            self._rewrite(graph, u, p)
        return True

    def _compose(self, graph: Graph, second: Node, first: Node) -> None:
        x = first.inputs[0]
        assert x is not None
        perm = tuple(first.attrs.perm[q] for q in second.attrs.perm)
        if perm != tuple(range(len(perm))):
            second.inputs, second.attrs = [x], t.Transpose(perm)
            return
        out = second.outputs[0]
        if out in graph.outputs and x.producer is not None and x not in graph.outputs:
            x.name, out.name = out.name, x.name  # the output keeps its name
        graph.replace_uses(out, x)
        graph.nodes.remove(second)

    def _sinkable(self, u: Node, p: Perm, soon: set[int]) -> bool:
        rank = len(p)
        if _layout(u) is Layout.FIRST:
            return _perm_of(u.inputs[0]) == p and all(v is None or v.is_const for v in u.inputs[1:])
        if _layout(u) is not Layout.ALL or len(u.outputs) != 1 or u.outputs[0].rank != rank:
            return False
        moved = plain = 0
        for v in u.inputs:
            if v is None or v.rank > rank:
                return False
            if _perm_of(v) == p or id(v) in soon:
                moved += 1
            elif not v.is_const:
                plain += 1
        return moved > plain

    def _rewrite(self, graph: Graph, u: Node, p: Perm) -> None:
        """Replace ``u`` (reading T(., p)) by u' on untransposed data followed by a transpose."""
        inv, rank = invert(p), len(p)
        new_nodes: list[Node] = []
        inputs: list[Value | None] = []
        for v in u.inputs:
            if v is None or (_layout(u) is Layout.FIRST and inputs):
                inputs.append(v)
            elif _perm_of(v) == p:
                inputs.append(v.producer.inputs[0])  # type: ignore[union-attr]
            elif v.is_const:
                inputs.append(self._const_for(v, inv, rank))
            else:
                new_nodes.append(self._node("Transpose", [v], t.Transpose(inv), hint=v.name))
                inputs.append(new_nodes[-1].outputs[0])
        attrs, out_perm = _moved_attrs(u, p)
        out = u.outputs[0]
        if out_perm == tuple(range(out.rank)):
            new_nodes.append(self._node(u.op, inputs, attrs, out))
        else:
            core = self._node(u.op, inputs, attrs, hint=out.name)
            new_nodes += [
                core,
                self._node("Transpose", [core.outputs[0]], t.Transpose(out_perm), out),
            ]
        at = graph.nodes.index(u)
        graph.nodes[at : at + 1] = new_nodes

    def _const_for(self, c: Value, inv: Perm, rank: int) -> Value:
        assert c.data is not None
        if c.size == 1:
            return c
        data = c.data.reshape((1,) * (rank - c.rank) + c.shape).transpose(inv)
        return constant(self._fresh(c.name + "_t"), data)

    # --- graph boundaries ------------------------------------------------------------------

    def _boundary_inputs(self, graph: Graph, channels_first: bool) -> bool:
        """Channels-first: an input read by NHWC->NCHW transposes takes the transposed shape.
        Channels-last: an input of rank 3..5 that the graph reads channels-first (not through such
        a transpose) takes the channels-last shape and a transpose to the old one."""
        users = graph.users()
        changed = False
        for i, x in enumerate(list(graph.inputs)):
            p = channels_first_perm(x.rank)
            if not 3 <= x.rank <= 5 or x in graph.outputs:
                continue
            readers = users.get(id(x), [])
            nhwc = bool(readers) and all(u.op == "Transpose" and u.attrs.perm == p for u in readers)
            if channels_first and _reaches(x, p, users):
                fresh = Value(x.name, x.dtype, tuple(x.shape[a] for a in p))
                suffix, perm = "_nhwc", invert(p)
            elif not channels_first and not nhwc:
                fresh = Value(x.name, x.dtype, tuple(x.shape[a] for a in invert(p)))
                suffix, perm = "_nchw", p
            else:
                continue
            x.name = self._fresh(x.name + suffix)
            graph.nodes.insert(0, self._node("Transpose", [fresh], t.Transpose(perm), x))
            graph.inputs[i] = fresh
            changed = True
        return changed

    def _channels_last_outputs(self, graph: Graph) -> bool:
        """An output of rank 3..5 not made by an NCHW->NHWC transpose gets one (and the name)."""
        changed = False
        for i, o in enumerate(list(graph.outputs)):
            if not 3 <= o.rank <= 5 or o.producer is None:
                continue
            back = invert(channels_first_perm(o.rank))
            if o.producer.op == "Transpose" and o.producer.attrs.perm == back:
                continue
            name = o.name
            o.name = self._fresh(name + "_nchw")
            node = self._node("Transpose", [o], t.Transpose(back), hint=name)
            node.outputs[0].name = name
            graph.nodes.append(node)
            graph.outputs[i] = node.outputs[0]
            changed = True
        return changed

    def _absorb_outputs(self, graph: Graph) -> bool:
        changed = False
        for i, o in enumerate(list(graph.outputs)):
            node, z = o.producer, o.producer.inputs[0] if o.producer is not None else None
            if node is None or node.op != "Transpose" or z is None or z.producer is None:
                continue
            if node.attrs.perm != invert(channels_first_perm(o.rank)) or z in graph.outputs:
                continue
            o.name, z.name = self._fresh(o.name + "_nhwc"), o.name
            graph.outputs[i] = z
            changed = True
        return changed

    def _unit_transposes_to_reshapes(self, graph: Graph) -> bool:
        """Transposes that keep the order of the non-unit axes become Reshapes, and a Reshape of
        a Reshape reads the first one's operand."""
        changed = False
        for i, node in enumerate(graph.nodes):
            x = node.inputs[0] if node.op == "Transpose" else None
            if x is not None and _is_sorted([a for a in node.attrs.perm if x.shape[a] != 1]):
                out = node.outputs[0]
                graph.nodes[i] = self._node("Reshape", [x], t.Reshape(out.shape), out)
                changed = True
        for node in graph.nodes:
            x = node.inputs[0] if node.op == "Reshape" else None
            if x is not None and x.producer is not None and x.producer.op == "Reshape":
                node.inputs, changed = [x.producer.inputs[0]], True
        return changed


def _is_sorted(axes: list[int]) -> bool:
    return axes == sorted(axes)


def _agnostic(u: Node, rank: int) -> bool:
    return _layout(u) is not Layout.FIXED and len(u.outputs) == 1 and u.outputs[0].rank == rank


def _region(x: Value, rank: int, users: dict[int, list[Node]]) -> list[Node]:
    """The layout-agnostic ops reachable from ``x`` through layout-agnostic ops."""
    todo, found = [x], {}
    while todo:
        for u in users.get(id(todo.pop()), []):
            if id(u) not in found and _agnostic(u, rank):
                found[id(u)] = u
                todo.append(u.outputs[0])
    return list(found.values())


def _soon(graph: Graph, y: Value, p: Perm, users: dict[int, list[Node]]) -> set[int]:
    """Values computed from ``y`` (= T(., p)) and constants by agnostic ops that keep p: once the
    transpose has sunk through them they carry T(., p) as well (e.g. the sigmoid of x * sigmoid)."""
    index = {id(n): i for i, n in enumerate(graph.nodes)}
    soon = {id(y)}
    for u in sorted(_region(y, len(p), users), key=lambda n: index[id(n)]):
        data = [v for v in u.inputs if v is not None and not v.is_const]
        if all(id(v) in soon or _perm_of(v) == p for v in data) and _moved_attrs(u, p)[1] == p:
            soon.add(id(u.outputs[0]))
    return soon


def _reaches(x: Value, p: Perm, users: dict[int, list[Node]]) -> bool:
    """Whether ``x`` flows into a Transpose(., p) through layout-agnostic ops only."""
    values = [x, *(u.outputs[0] for u in _region(x, len(p), users))]
    return any(
        u.op == "Transpose" and u.attrs.perm == p for v in values for u in users.get(id(v), [])
    )


def _moved_attrs(u: Node, p: Perm) -> tuple[Any, Perm]:
    """The attributes of ``u`` applied to x instead of T(x, p), and the transpose after it."""
    rule = get_op(u.op).permute
    return rule(u.attrs, p) if rule is not None else (u.attrs, p)
