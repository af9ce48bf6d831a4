"""Read a frozen GraphDef (.pb) or a SavedModel directory into the IR."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from google.protobuf.message import DecodeError
from tensorflow.core.framework import graph_pb2, node_def_pb2

from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends.base import GraphBuilder, ImportOptions
from halo.frontends.tensorflow.attrs import AttrReader
from halo.frontends.tensorflow.context import (
    ImportState,
    TfNode,
    data_inputs,
    parse_ref,
    value_name,
)
from halo.frontends.tensorflow.registry import CONVERTERS
from halo.frontends.tensorflow.savedmodel import FrozenModel, freeze_saved_model
from halo.ir.graph import Graph, Value

NOT_OUTPUTS = frozenset({"NoOp", "Const", "Placeholder", "Assert"})
_FREEZE = (
    "the graph is not frozen: convert it with tf.python.framework.convert_to_constants."
    "convert_variables_to_constants_v2, which turns variables into constants and inlines "
    "function calls"
)
_CONTROL = "TF control flow (loops, conditionals) is not supported: HALO compiles static graphs"
_ADVICE = {
    **dict.fromkeys(
        (
            "VariableV2",
            "VarHandleOp",
            "ReadVariableOp",
            "PartitionedCall",
            "StatefulPartitionedCall",
        ),
        _FREEZE,
    ),
    **dict.fromkeys(
        (
            "While",
            "StatelessWhile",
            "If",
            "StatelessIf",
            "Switch",
            "Merge",
            "Enter",
            "Exit",
            "NextIteration",
            "LoopCond",
        ),
        _CONTROL,
    ),
}


def read_graph_def(path: Path) -> graph_pb2.GraphDef:
    try:
        graph_def = graph_pb2.GraphDef.FromString(path.read_bytes())
    except (DecodeError, RuntimeWarning, ValueError) as e:
        raise ModelError(
            f"{path.name} is not a valid TensorFlow GraphDef: the protobuf does not parse ({e})",
            hint="the file is corrupt or truncated, or not a frozen GraphDef",
        ) from None
    if not graph_def.node:
        raise ModelError(
            f"{path.name} holds no GraphDef nodes",
            hint="pass a frozen GraphDef .pb, or the folder of a SavedModel",
        )
    return graph_def


def default_outputs(nodes: list[node_def_pb2.NodeDef]) -> list[str]:
    """Nodes whose results nothing reads (control edges do not count), minus NoOp/Const/inputs."""
    consumed = {parse_ref(ref)[0] for n in nodes for ref in data_inputs(n)}
    outs = [n.name for n in nodes if n.name not in consumed and n.op not in NOT_OUTPUTS]
    if not outs:
        raise ModelError(
            "the graph has no output: every node's result is consumed",
            hint="the GraphDef is malformed",
        )
    return outs


def topo_order(
    by_name: dict[str, node_def_pb2.NodeDef], roots: list[str]
) -> list[node_def_pb2.NodeDef]:
    """The nodes the ``roots`` depend on through data edges, producers first."""
    order: list[node_def_pb2.NodeDef] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in roots:
        stack = [(root, False)]
        while stack:
            name, finished = stack.pop()
            if finished:
                state[name] = 2
                order.append(by_name[name])
                continue
            if state.get(name) == 2:
                continue
            if state.get(name) == 1:
                raise UnsupportedError(
                    f"the graph has a cycle through node '{name}' ({by_name[name].op})",
                    hint="TF 1.x control flow (while loops) is not supported; HALO compiles "
                    "acyclic graphs",
                )
            node = by_name.get(name)
            if node is None:
                raise ModelError(
                    f"the graph reads node '{name}', which it does not contain",
                    hint="the GraphDef is incomplete (truncated?)",
                )
            state[name] = 1
            stack.append((name, True))
            stack.extend((parse_ref(ref)[0], False) for ref in reversed(data_inputs(node)))
    return order


def check_supported(nodes: list[node_def_pb2.NodeDef]) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for n in nodes:
        if n.op != "Placeholder" and CONVERTERS.find(n.op) is None:
            missing[n.op].append(n.name)
    if missing:
        lines = [
            f"  {op} x{len(names)}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
            for op, names in sorted(missing.items())
        ]
        advice = sorted({_ADVICE[op] for op in missing if op in _ADVICE})
        raise UnsupportedError(
            f"the model uses {len(missing)} unsupported TensorFlow op type(s):\n"
            + "\n".join(lines),
            hint="".join(a + "; " for a in advice)
            + "supported TensorFlow ops: "
            + ", ".join(CONVERTERS.names()),
        )


def _add_inputs(
    state: ImportState, placeholders: list[node_def_pb2.NodeDef], options: ImportOptions
) -> None:
    shapes = {parse_ref(k)[0]: v for k, v in options.input_shapes.items()}
    unknown = set(shapes) - {p.name for p in placeholders}
    if unknown:
        raise OptionError(
            f"--input-shape names unknown input(s): {', '.join(sorted(unknown))}",
            hint="model inputs: " + ", ".join(p.name for p in placeholders),
        )
    for p in placeholders:
        attrs = AttrReader(p)
        dtype = attrs.dtype("dtype")
        declared = attrs.shape("shape")
        attrs.check_all_read()
        shape = shapes.get(p.name)
        if shape is None:
            if declared is None:
                raise UnsupportedError(
                    f"input '{p.name}' has an unknown rank",
                    hint=f"give its shape with --input-shape {p.name}:1x...",
                )
            shape = tuple(d if d > 0 else 1 for d in declared)
        elif declared is not None and len(shape) != len(declared):
            raise OptionError(
                f"--input-shape {p.name}: rank {len(shape)} does not match the "
                f"model's rank {len(declared)} {declared}"
            )
        state.values[(p.name, 0)] = state.b.add_input(p.name, dtype, tuple(shape))


def _output(state: ImportState, ref: str, wanted: str, taken: set[int]) -> Value:
    """The value of output ``ref``, renamed ``wanted`` (the tensor the user fetches, e.g. the
    final Identity node, or the signature key) when it is a computed value no other output
    claims."""
    v = state.lookup(ref, "the graph outputs")
    free = v.producer is not None and id(v) not in taken and v.name != wanted
    if free and state.b.unique(wanted) == wanted:
        v.name = wanted
    taken.add(id(v))
    return v


def _source(path: Path) -> FrozenModel:
    """The GraphDef to import: a frozen .pb as it is, or a SavedModel's frozen signature."""
    if path.is_dir() or path.name == "saved_model.pb":
        return freeze_saved_model(path if path.is_dir() else path.parent)
    return FrozenModel(read_graph_def(path), [], [], [], [path])


def load(path: Path, options: ImportOptions) -> Graph:
    source = _source(path)
    nodes = list(source.graph_def.node)
    by_name: dict[str, node_def_pb2.NodeDef] = {}
    for n in nodes:
        if n.name in by_name:
            raise ModelError(f"two nodes are named '{n.name}'", hint="the GraphDef is malformed")
        by_name[n.name] = n
    outputs = source.outputs or default_outputs(nodes)
    names = source.output_names or [value_name(*parse_ref(ref)) for ref in outputs]
    order = topo_order(by_name, [parse_ref(ref)[0] for ref in outputs])
    check_supported(order)
    state = ImportState(GraphBuilder(path.stem))
    _add_inputs(state, [n for n in nodes if n.op == "Placeholder"], options)
    for node in order:
        if node.op == "Placeholder":
            continue
        view = TfNode(state, node)
        CONVERTERS.find(node.op)(view)  # type: ignore[misc]
        view.attrs.check_all_read()
    graph = state.b.graph
    taken: set[int] = set()
    graph.outputs = [_output(state, ref, name, taken) for ref, name in zip(outputs, names)]
    graph.source_files = source.files
    return graph
