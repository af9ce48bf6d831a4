"""Registry of numpy implementations and the graph interpreter built on it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from halo.errors import UnsupportedError
from halo.ir.graph import Graph, Node

Impl = Callable[..., Any]
IMPLS: dict[str, Impl] = {}


def impl(*ops: str) -> Callable[[Impl], Impl]:
    """Register ``fn(attrs, *inputs) -> array | list[array]`` as the semantics of ``ops``."""

    def wrap(fn: Impl) -> Impl:
        for op in ops:
            if op in IMPLS:
                raise RuntimeError(f"reference for {op} registered twice")
            IMPLS[op] = fn
        return fn

    return wrap


def evaluate(node: Node, inputs: Sequence[np.ndarray | None]) -> list[np.ndarray]:
    """Run one node; results are cast to the dtypes and checked against its outputs' shapes."""
    fn = IMPLS.get(node.op)
    if fn is None:
        raise UnsupportedError(f"no reference implementation of {node.op}")
    result = fn(node.attrs, *inputs)
    arrays = result if isinstance(result, (list, tuple)) else [result]
    out = []
    for v, r in zip(node.outputs, arrays):
        arr = np.asarray(r).astype(v.dtype.np, copy=False)
        if arr.shape != v.shape:
            raise AssertionError(f"reference {node.op} gave {arr.shape}, IR says {v.shape}")
        out.append(np.asarray(arr, order="C"))
    return out


def evaluate_graph(graph: Graph, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """Interpret the whole graph with the reference implementations (the emulator)."""
    env: dict[int, np.ndarray] = {}
    for v in graph.inputs:
        env[id(v)] = np.asarray(feeds[v.name], dtype=v.dtype.np).reshape(v.shape)

    def get(v: Any) -> np.ndarray | None:
        if v is None:
            return None
        return v.data if v.is_const else env[id(v)]

    for node in graph.nodes:
        for v, r in zip(node.outputs, evaluate(node, [get(i) for i in node.inputs])):
            env[id(v)] = r
    return [get(v) for v in graph.outputs]  # type: ignore[misc]
