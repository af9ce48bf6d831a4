"""What every frontend shares: import options, the graph builder, and format detection."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from halo.errors import ModelError, UnsupportedError
from halo.frontends.limits import check_tensor_bytes, tensor_budget
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Node, Shape, Value
from halo.ir.ops import get_op
from halo.passes.fold import fold_node


@dataclass(frozen=True)
class ImportOptions:
    """Options every frontend honours."""

    input_shapes: dict[str, Shape] = field(default_factory=dict)
    weights: Path | None = None  # Caffe .caffemodel
    frozen_inputs: dict[str, np.ndarray] = field(default_factory=dict)  # inputs made constants
    max_tensor_bytes: int | None = None  # None: limits.max_tensor_bytes()


class GraphBuilder:
    """Builds a Graph node by node, inferring shapes and folding constant subexpressions."""

    def __init__(self, name: str) -> None:
        self.graph = Graph(name)
        self._names: set[str] = set()  # value names
        self._node_names: set[str] = set()

    def unique(self, hint: str, taken: set[str] | None = None) -> str:
        taken = self._names if taken is None else taken
        name, i = hint or "v", 1
        while name in taken:
            name, i = f"{hint}_{i}", i + 1
        taken.add(name)
        return name

    def add_input(self, name: str, dtype: DType, shape: Shape) -> Value:
        check_tensor_bytes(f"input '{name}'", shape, itemsize=dtype.itemsize)
        v = Value(self.unique(name), dtype, tuple(shape))
        self.graph.inputs.append(v)
        return v

    def emit(
        self,
        op: str,
        inputs: Sequence[Value | None],
        attrs: Any = None,
        *,
        name: str = "",
        outputs: Sequence[str] = (),
    ) -> list[Value]:
        """Add ``op`` and return its output values (constants when it folds)."""
        opdef = get_op(op)
        attrs = attrs if attrs is not None else opdef.attrs()
        ins = list(inputs)
        while ins and ins[-1] is None:
            ins.pop()
        lo, hi = opdef.num_inputs
        if not lo <= len(ins) <= hi:
            raise ModelError(f"{op} node '{name}' has {len(ins)} operands, expected {lo}..{hi}")
        missing = [i for i, v in enumerate(ins[:lo]) if v is None]
        if missing:
            raise ModelError(
                f"{op} node '{name}' lacks its required operand(s) {missing}",
                hint="the model is malformed; re-export it",
            )
        x = ins[0] if ins else None
        if opdef.dtypes is not None and x is not None and x.dtype not in opdef.dtypes:
            raise UnsupportedError(
                f"{op} node '{name}' does not take {x.dtype.value} operands",
                hint="supported types: " + ", ".join(d.value for d in opdef.dtypes),
            )
        node_name = self.unique(name or op.lower(), self._node_names)
        results = opdef.infer(attrs, ins)
        for i, (dt, shape) in enumerate(results):
            check_tensor_bytes(f"{op} node '{name}' output {i}", shape, itemsize=dt.itemsize)
        outs = [
            Value(
                self.unique(
                    outputs[i] if i < len(outputs) and outputs[i] else f"{node_name}_out{i}"
                ),
                dt,
                tuple(shape),
            )
            for i, (dt, shape) in enumerate(results)
        ]
        node = Node(node_name, op, ins, outs, attrs)
        for v in outs:
            v.producer = node
        folded = fold_node(node)
        if folded is not None:
            return folded
        self.graph.nodes.append(node)
        return outs

    def emit1(self, op: str, inputs: Sequence[Value | None], attrs: Any = None, **kw: Any) -> Value:
        return self.emit(op, inputs, attrs, **kw)[0]


Loader = Callable[[Path, ImportOptions], Graph]
_FORMATS = {  # suffix -> module with load(path, options)
    ".onnx": "halo.frontends.onnx",
    ".pb": "halo.frontends.tensorflow",
    ".tflite": "halo.frontends.tflite",
    ".prototxt": "halo.frontends.caffe",
}


def load_model(path: str | Path, options: ImportOptions | None = None) -> Graph:
    """Import a model file into the IR, choosing the frontend by file type."""
    p = Path(path)
    if not p.exists():
        raise ModelError(f"model file {p} does not exist", hint="check the path")
    if not p.is_file() and p.suffix != "":
        raise ModelError(f"{p} is not a file", hint="pass the model file itself")
    module = _FORMATS.get(p.suffix.lower())
    if module is None and p.is_dir():
        module = "halo.frontends.tensorflow"  # a SavedModel directory
    if module is None:
        raise ModelError(
            f"cannot tell the format of {p.name} from its suffix",
            hint="use one of " + ", ".join(sorted(_FORMATS)) + " (or a SavedModel directory)",
        )
    try:
        frontend = importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise UnsupportedError(
            f"the {p.suffix} frontend needs the Python package '{e.name}'",
            hint=f"pip install {e.name}",
        ) from None
    options = options or ImportOptions()
    with tensor_budget(options.max_tensor_bytes):
        return frontend.load(p, options)
