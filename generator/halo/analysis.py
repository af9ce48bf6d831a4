"""Static figures of a graph: FLOPs, parameters, and the activation memory plan."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import numpy as np

from halo.ir.graph import Graph, Node, Value
from halo.ir.ops import get_op
from halo.ir.ops.registry import InPlace

ALIGN = 64


def node_flops(n: Node) -> int:
    """The op's FLOP rule (ir/ops), else one operation per result element."""
    rule = get_op(n.op).flops
    return int(rule(n)) if rule is not None else n.outputs[0].size


# How the runtimes plan a computation (odla/runtimes/common/planner.cc, arena.cc), per IR op
# (each IR node is one ODLA node): the op's InPlace fact says which operand its result may
# overwrite (InPlace.VIEW: always shares it); a float32 Relu/Clip whose input is a Conv output read
# by nothing else becomes a view (the conv applies it).
_CLAMPS = {"Relu", "Clip"}
_APPLY_CLAMP = {"Conv"}


@dataclass(frozen=True)
class Block:
    """Arena storage needed from step ``first`` to ``last`` (node indices) by ``values``."""

    values: tuple[str, ...]  # the values sharing it; empty for a node's scratch
    bytes: int
    first: int
    last: int


@dataclass(frozen=True)
class MemoryPlan:
    offsets: dict[str, int]  # value name -> arena offset
    arena_bytes: int  # what the runtime allocates
    lower_bound: int  # max over steps of the bytes of the blocks live at that step
    blocks: tuple[Block, ...]


def _conv_scratch(n: Node) -> int:
    """Workspace of the reference runtime's convolution (conv_workspace_bytes in kernels/conv.cc:
    Winograd F(2x2, 3x3), else the stride-1 GEMM over a padded copy)."""
    if n.op != "Conv" or n.outputs[0].dtype.np != np.float32:
        return 0
    x, w, y, a = n.operand(0), n.operand(1), n.outputs[0], n.attrs
    if (
        x.rank == 4
        and a.group == 1
        and x.shape[1] >= 128
        and y.shape[1] >= 128
        and tuple(w.shape[2:]) == (3, 3)
        and tuple(a.strides) == (1, 1)
        and tuple(a.dilations) == (1, 1)
        and min(y.shape[2:]) >= 14
    ):  # winograd_applies
        tiles = -(-y.shape[2] // 2) * -(-y.shape[3] // 2)
        return 4 * 16 * tiles * (x.shape[1] + y.shape[1])
    lead = 3 - (x.rank - 2)
    pad = lambda t: (1,) * lead + tuple(t)  # noqa: E731
    xin, out, k = pad(x.shape[2:]), pad(y.shape[2:]), pad(w.shape[2:])
    s, d, p = pad(a.strides), pad(a.dilations), (0,) * lead + tuple(a.pads_begin)
    cin, cout = x.shape[1], y.shape[1]
    if a.group > 1 and a.group == cin and cout % cin == 0:  # depthwise
        return 0
    if all(k[i] == 1 and s[i] == 1 and p[i] == 0 and xin[i] == out[i] for i in range(3)):
        return 0  # pointwise
    if any(v != 1 for v in s):
        return 0  # im2col panels, no workspace
    ext = [max(xin[i] + p[i], out[i] + (k[i] - 1) * d[i]) for i in range(3)]
    wide = ((out[0] - 1) * ext[1] + out[1] - 1) * ext[2] + out[2]
    return 4 * (cin // a.group * ext[0] * ext[1] * ext[2] + cout // a.group * wide)


class _Groups:
    """Values sharing storage (union-find; the root is the group's first value)."""

    def __init__(self, values: list[Value], steps: dict[int, list[int]], outputs: set[int]) -> None:
        self.parent = {id(v): id(v) for v in values}
        self.bytes = {id(v): v.nbytes for v in values}
        self.first = {k: min(t) for k, t in steps.items()}
        self.last = {k: max(t) for k, t in steps.items()}
        self.has_output = {id(v): id(v) in outputs for v in values}

    def find(self, v: Value) -> int:
        k = id(v)
        while self.parent[k] != k:
            self.parent[k] = k = self.parent[self.parent[k]]
        return k

    def unite(self, keep: Value, other: Value) -> None:
        a, b = self.find(keep), self.find(other)
        if a != b:
            self.first[a] = min(self.first[a], self.first[b])
            self.last[a] = max(self.last[a], self.last[b])
            self.bytes[a] = max(self.bytes[a], self.bytes[b])
            self.has_output[a] = self.has_output[a] or self.has_output[b]
            self.parent[b] = a


def _inplace_input(n: Node) -> int:
    y, rule = n.outputs[0], get_op(n.op).inplace
    if rule is InPlace.FIRST or (
        rule is InPlace.SAME_SIZE and n.operand(0).dtype.itemsize == y.dtype.itemsize
    ):
        return 0
    if rule is InPlace.EITHER and len(n.inputs) == 2:
        for i, v in enumerate(n.inputs):
            if v is not None and v.shape == y.shape and v.dtype.itemsize == y.dtype.itemsize:
                return i
    return -1


def runtime_blocks(graph: Graph) -> list[Block]:
    """The arena blocks of the reference runtime's plan, in its order (planner.cc)."""
    nodes, outputs = graph.nodes, graph.outputs
    steps: dict[int, list[int]] = {}
    values: dict[int, Value] = {}
    readers: dict[int, int] = {}
    for i, n in enumerate(nodes):
        for v in [*n.inputs, *n.outputs]:
            if v is not None:
                steps.setdefault(id(v), []).append(i)
                values.setdefault(id(v), v)
        for v in n.inputs:
            if v is not None:
                readers[id(v)] = readers.get(id(v), 0) + 1
    for v in outputs:
        steps.setdefault(id(v), []).append(len(nodes))
        values.setdefault(id(v), v)
        readers[id(v)] = readers.get(id(v), 0) + 1
    g = _Groups(list(values.values()), steps, {id(v) for v in outputs})
    views = set()
    for j, n in enumerate(nodes):
        x = n.inputs[0] if n.inputs else None
        if get_op(n.op).inplace is InPlace.VIEW:
            views.add(j)
        elif (
            n.op in _CLAMPS
            and x is not None
            and x.producer is not None
            and x.producer.op in _APPLY_CLAMP
            and x.producer.outputs[0] is x
            and readers[id(x)] == 1
            and x.dtype.np == np.float32
            and n.outputs[0].dtype == x.dtype
            and n.outputs[0].shape == x.shape
            and len([v for v in n.inputs if v is not None and not v.is_const]) == 1
        ):
            views.add(j)
    for j in sorted(views):
        g.unite(nodes[j].operand(0), nodes[j].outputs[0])
    produced = {id(v) for n in nodes for v in n.outputs}
    for i, n in enumerate(nodes):
        k = -1 if i in views else _inplace_input(n)
        src = n.inputs[k] if 0 <= k < len(n.inputs) else None
        if src is None:
            continue
        root = g.find(src)
        if root not in produced or g.has_output[root] or g.last[root] != i:
            continue
        if any(j != k and v is not None and g.find(v) == root for j, v in enumerate(n.inputs)):
            continue
        if g.bytes[g.find(n.outputs[0])] != g.bytes[root]:
            continue
        g.unite(src, n.outputs[0])
    members: dict[int, list[str]] = {}
    for v in values.values():
        members.setdefault(g.find(v), []).append(v.name)
    blocks = []
    for n in nodes:  # roots in creation order: node outputs, node by node
        for v in n.outputs:
            k = id(v)
            if g.find(v) != k or g.has_output[k]:  # not a root, or in the caller's output buffer
                continue
            blocks.append(Block(tuple(members[k]), g.bytes[k], g.first[k], g.last[k]))
    for i, n in enumerate(nodes):
        scratch = 0 if i in views else _conv_scratch(n)
        if scratch:
            blocks.append(Block((), scratch, i, i))
    return blocks


def place_blocks(blocks: list[Block]) -> tuple[list[int], int]:
    """Offsets of ``blocks`` (64-byte multiples) and the arena size: greedy by size (stable),
    each block into the smallest gap between the blocks already placed that it overlaps in time,
    else after them (arena.cc)."""
    sizes = [-(-b.bytes // ALIGN) * ALIGN for b in blocks]
    offsets = [0] * len(blocks)
    placed: list[int] = []
    arena = 0
    for idx in sorted(range(len(blocks)), key=lambda i: -sizes[i]):
        b = blocks[idx]
        live = sorted(
            (offsets[p], sizes[p])
            for p in placed
            if sizes[p] and blocks[p].first <= b.last and b.first <= blocks[p].last
        )
        cursor, best, best_gap = 0, -1, 0
        for off, size in live:
            if off >= cursor:
                gap = off - cursor
                if gap >= sizes[idx] and (best < 0 or gap < best_gap):
                    best, best_gap = cursor, gap
            cursor = max(cursor, off + size)
        offsets[idx] = best if best >= 0 else cursor
        arena = max(arena, offsets[idx] + sizes[idx])
        placed.append(idx)
    return offsets, arena


def lower_bound(blocks: list[Block]) -> int:
    """No placement of ``blocks`` fits in less: the most bytes live at one step."""
    if not blocks:
        return 0
    last = max(b.last for b in blocks)
    live = [0] * (last + 2)
    for b in blocks:
        size = -(-b.bytes // ALIGN) * ALIGN
        live[b.first] += size
        live[b.last + 1] -= size
    return max(np.cumsum(live).tolist())


def plan_memory(graph: Graph) -> MemoryPlan:
    """The reference runtime's activation arena for ``graph``: the same grouping (views, fused
    clamps, in-place results, output buffers, convolution scratch) and placement."""
    blocks = runtime_blocks(graph)
    offsets, arena = place_blocks(blocks)
    named = {name: off for b, off in zip(blocks, offsets) for name in b.values}
    return MemoryPlan(named, arena, lower_bound(blocks), tuple(blocks))


def machine_memory_bytes() -> int | None:
    """This machine's physical memory (None where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def summary(graph: Graph) -> dict[str, object]:
    consts = graph.constants()
    plan = plan_memory(graph)
    return {
        "inputs": [(v.name, v.dtype.value, v.shape) for v in graph.inputs],
        "outputs": [(v.name, v.dtype.value, v.shape) for v in graph.outputs],
        "ops": dict(sorted(Counter(n.op for n in graph.nodes).items())),
        "parameters": sum(v.size for v in consts),
        "parameter_bytes": sum(v.nbytes for v in consts),
        "flops": sum(node_flops(n) for n in graph.nodes),
        "activation_bytes": plan.arena_bytes,
        "activation_lower_bound": plan.lower_bound,
        "io_bytes": sum(v.nbytes for v in [*graph.inputs, *graph.outputs]),
    }
