"""Static figures of a graph: FLOPs, parameters, and the activation memory plan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from halo.ir.graph import Graph, Node

ALIGN = 64


def node_flops(n: Node) -> int:
    y = n.outputs[0]
    if n.op in ("Conv", "ConvTranspose"):
        w = n.inputs[1]
        x = n.inputs[0]
        per_out = int(np.prod(w.shape[1:], dtype=np.int64))  # C_in/group * k...
        if n.op == "ConvTranspose":
            return 2 * x.size * int(np.prod(w.shape[1:], dtype=np.int64))
        return 2 * y.size * per_out
    if n.op == "Gemm":
        a = n.inputs[0]
        k = a.shape[-2] if n.attrs.trans_a else a.shape[-1]
        return 2 * y.size * k
    if n.op in ("MaxPool", "AveragePool"):
        return y.size * int(np.prod(n.attrs.kernel, dtype=np.int64))
    if n.op.startswith("Reduce") or n.op in ("Softmax", "LogSoftmax", "LayerNormalization"):
        return n.inputs[0].size * (1 if n.op.startswith("Reduce") else 5)
    if n.op in ("Reshape", "Transpose", "Concat", "Slice", "Pad", "Gather", "Expand", "Tile", "Cast"):
        return 0
    return y.size


@dataclass(frozen=True)
class MemoryPlan:
    offsets: dict[str, int]  # value name -> arena offset
    arena_bytes: int


def plan_memory(graph: Graph) -> MemoryPlan:
    """Liveness-based first-fit placement of intermediate values (not inputs/outputs/constants)."""
    outputs = {id(v) for v in graph.outputs}
    last_use: dict[int, int] = {}
    for i, n in enumerate(graph.nodes):
        for v in n.inputs:
            if v is not None:
                last_use[id(v)] = i
    live: list[tuple[int, int, int]] = []  # (offset, size, dies_after)
    offsets: dict[str, int] = {}
    arena = 0
    for i, n in enumerate(graph.nodes):
        live = [blk for blk in live if blk[2] >= i]
        for v in n.outputs:
            if id(v) in outputs:
                continue
            size = -(-max(v.nbytes, 1) // ALIGN) * ALIGN
            offset = 0
            for off, sz, _ in sorted(live):
                if offset + size <= off:
                    break
                offset = max(offset, off + sz)
            live.append((offset, size, last_use.get(id(v), i)))
            offsets[v.name] = offset
            arena = max(arena, offset + size)
    return MemoryPlan(offsets, arena)


def summary(graph: Graph) -> dict[str, object]:
    consts = graph.constants()
    return {
        "inputs": [(v.name, v.dtype.value, v.shape) for v in graph.inputs],
        "outputs": [(v.name, v.dtype.value, v.shape) for v in graph.outputs],
        "ops": dict(sorted(Counter(n.op for n in graph.nodes).items())),
        "parameters": sum(v.size for v in consts),
        "parameter_bytes": sum(v.nbytes for v in consts),
        "flops": sum(node_flops(n) for n in graph.nodes),
        "activation_bytes": plan_memory(graph).arena_bytes,
        "io_bytes": sum(v.nbytes for v in [*graph.inputs, *graph.outputs]),
    }
