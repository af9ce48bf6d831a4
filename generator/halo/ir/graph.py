"""The graph IR: values with static shapes and dtypes, nodes with typed attributes."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from halo.ir.dtype import DType

Shape = tuple[int, ...]


@dataclass(eq=False)
class Value:
    """A tensor: a graph input, a constant (``data`` set) or a node output (``producer`` set)."""

    name: str
    dtype: DType
    shape: Shape
    data: np.ndarray | None = None
    producer: Node | None = None

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def array(self) -> np.ndarray:
        """``data`` of a constant; a value computed at run time has none (a bug to ask)."""
        if self.data is None:
            raise ValueError(f"value '{self.name}' is not a constant")
        return self.data

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)  # exact: np.prod would wrap around at 2**63

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __repr__(self) -> str:
        dims = "x".join(map(str, self.shape)) or "scalar"
        return f"%{self.name}:{self.dtype.value}[{dims}]"


def constant(name: str, array: np.ndarray) -> Value:
    """A constant value holding a private, contiguous copy of ``array``."""
    data = np.array(array, copy=True, order="C")  # (ascontiguousarray would make scalars 1-D)
    return Value(name, DType.from_numpy(data.dtype), tuple(data.shape), data=data)


@dataclass(eq=False)
class Node:
    """One op application. ``attrs`` is the op's frozen attribute dataclass."""

    name: str
    op: str
    inputs: list[Value | None]
    outputs: list[Value]
    attrs: Any

    def input(self, i: int) -> Value | None:
        return self.inputs[i] if i < len(self.inputs) else None

    def operand(self, i: int) -> Value:
        """Input ``i``, which the op's verifier guarantees is present."""
        v = self.input(i)
        if v is None:
            raise ValueError(f"{self.op} node '{self.name}' has no input {i}")
        return v

    def __repr__(self) -> str:
        ins = ", ".join("-" if v is None else repr(v) for v in self.inputs)
        outs = ", ".join(map(repr, self.outputs))
        return f"{outs} = {self.op}[{self.name}]({ins})"


@dataclass(eq=False)
class Graph:
    """A model: graph inputs, nodes in topological order, graph outputs."""

    name: str
    inputs: list[Value] = field(default_factory=list)
    outputs: list[Value] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    source_files: list[Path] = field(default_factory=list)  # model + data files, for depfiles

    def constants(self) -> list[Value]:
        """Constants used by nodes or outputs, in first-use order, each once."""
        seen: dict[int, Value] = {}
        for v in self.used_values():
            if v.is_const:
                seen.setdefault(id(v), v)
        return list(seen.values())

    def used_values(self) -> Iterator[Value]:
        for n in self.nodes:
            yield from (v for v in n.inputs if v is not None)
        yield from self.outputs

    def users(self) -> dict[int, list[Node]]:
        """Map from id(value) to the nodes reading it."""
        result: dict[int, list[Node]] = {}
        for n in self.nodes:
            for v in n.inputs:
                if v is not None:
                    result.setdefault(id(v), []).append(n)
        return result

    def replace_uses(self, old: Value, new: Value, nodes: Iterable[Node] | None = None) -> None:
        """Make every reader of ``old`` (and the graph outputs) read ``new``."""
        for n in self.nodes if nodes is None else nodes:
            n.inputs = [new if v is old else v for v in n.inputs]
        self.outputs = [new if v is old else v for v in self.outputs]

    def find_value(self, name: str) -> Value | None:
        for v in self.inputs:
            if v.name == name:
                return v
        for n in self.nodes:
            for v in [*n.outputs, *(i for i in n.inputs if i is not None)]:
                if v.name == name:
                    return v
        return None
