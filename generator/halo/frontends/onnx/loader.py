"""Read an ONNX file into the IR."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError
from onnx import numpy_helper

from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends.base import GraphBuilder, ImportOptions
from halo.frontends.onnx.context import ImportState, OnnxNode, onnx_dtype
from halo.frontends.onnx.external import load_external
from halo.frontends.onnx.functions import expand, has_function
from halo.frontends.onnx.registry import CONVERTERS, UseFunctionBody
from halo.ir.graph import Graph, constant

MIN_OPSET, MAX_OPSET = 1, onnx.defs.onnx_opset_version()


def read_model(path: Path) -> tuple[onnx.ModelProto, list[Path]]:
    data = path.read_bytes()
    try:
        model = onnx.ModelProto.FromString(data)
    except (DecodeError, RuntimeWarning, ValueError) as e:
        raise ModelError(
            f"{path.name} is not a valid ONNX model: the protobuf does not parse ({e})",
            hint="the file is corrupt or truncated, or not an ONNX file",
        ) from None
    if not model.HasField("graph") or model.ir_version == 0 or not model.opset_import:
        raise ModelError(
            f"{path.name} is not an ONNX model (no graph, IR version or opset)",
            hint="export the model to ONNX again",
        )
    _check_text(model.graph, path.name)
    for o in model.opset_import:
        _check_name(o.domain, "an opset domain", path.name)
    return model, load_external(path.parent, model)


def _check_name(text: object, what: str, file: str) -> None:
    if not isinstance(text, str):  # proto2 strings that are not UTF-8 come back as bytes
        raise ModelError(
            f"{file}: {what} is not UTF-8 text ({bytes(text)[:24]!r})",  # type: ignore[call-overload]
            hint="the file is corrupt; re-export the model",
        )


def _check_text(graph: onnx.GraphProto, file: str) -> None:
    """Every name the importer uses as a string must be one (subgraphs included)."""
    for v in (*graph.input, *graph.output, *graph.initializer, *graph.value_info):
        _check_name(v.name, "a tensor name", file)
    for node in graph.node:
        for text in (node.op_type, node.domain, node.name, *node.input, *node.output):
            _check_name(text, f"a name in a {node.op_type!r} node", file)
        for a in node.attribute:
            _check_name(a.name, f"an attribute name of a {node.op_type!r} node", file)
            for g in (*([a.g] if a.HasField("g") else []), *a.graphs):
                _check_text(g, file)


def model_opset(model: onnx.ModelProto, name: str) -> int:
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise UnsupportedError(
            f"{name} uses ONNX opset {opset}; HALO supports {MIN_OPSET} to {MAX_OPSET}",
            hint="convert it with onnx.version_converter.convert_version(model, 17)",
        )
    return opset


def check_supported(graph: onnx.GraphProto, opset: int) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for i, node in enumerate(graph.node):
        domain = node.domain if node.domain != "ai.onnx" else ""
        if CONVERTERS.find(node.op_type, opset, domain) is None and not has_function(
            node.op_type, opset, domain
        ):
            key = (
                node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}"
            )
            missing[key].append(node.name or f"#{i}")
    if missing:
        lines = [
            f"  {op} x{len(names)}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
            for op, names in sorted(missing.items())
        ]
        raise UnsupportedError(
            f"the model uses {len(missing)} unsupported op type(s):\n" + "\n".join(lines),
            hint="supported ONNX ops: " + ", ".join(CONVERTERS.names()),
        )


def _input_shape(vi: onnx.ValueInfoProto, options: ImportOptions) -> tuple[int, ...]:
    dims = vi.type.tensor_type.shape.dim
    default = tuple(d.dim_value if d.dim_value > 0 else 1 for d in dims)
    shape = options.input_shapes.get(vi.name)
    if shape is None:
        return default
    if len(shape) != len(dims) and vi.type.tensor_type.HasField("shape"):
        raise OptionError(
            f"--input-shape {vi.name}: rank {len(shape)} does not match the model's "
            f"rank {len(dims)} {default}"
        )
    return tuple(shape)


def convert_node(state: ImportState, node: onnx.NodeProto, opset: int, depth: int = 0) -> None:
    """Convert one node, inlining the standard's function body for ops without a converter."""
    domain = node.domain if node.domain != "ai.onnx" else ""
    fn = CONVERTERS.find(node.op_type, opset, domain)
    if fn is not None:
        view = OnnxNode(state, node, opset)
        try:
            fn(view)
            view.attrs.check_all_read()
            return
        except UseFunctionBody:
            pass
    view = OnnxNode(state, node, opset)
    body = expand(node, opset, view.inputs()) if depth < 8 else None
    if body is None:
        raise UnsupportedError(
            f"{node.op_type} node '{node.name}' has no converter and no "
            "function body in the ONNX standard",
            hint="supported ONNX ops: " + ", ".join(CONVERTERS.names()),
        )
    nodes, body_opset = body
    for inner in nodes:
        convert_node(state, inner, body_opset, depth + 1)


def load(path: Path, options: ImportOptions) -> Graph:
    model, data_files = read_model(path)
    opset = model_opset(model, path.name)
    g = model.graph
    check_supported(g, opset)
    state = ImportState(GraphBuilder(path.stem), opset)
    inits = {t.name for t in g.initializer}
    real_inputs = [vi for vi in g.input if vi.name not in inits]
    unknown = set(options.input_shapes) - {vi.name for vi in real_inputs}
    unknown_frozen = set(options.frozen_inputs) - {vi.name for vi in real_inputs}
    if unknown or unknown_frozen:
        flag = "--input-shape" if unknown else "--freeze-input"
        raise OptionError(
            f"{flag} names unknown input(s): {', '.join(sorted(unknown | unknown_frozen))}",
            hint="model inputs: " + ", ".join(vi.name for vi in real_inputs),
        )
    for t in g.initializer:
        onnx_dtype(t.data_type, f"initializer '{t.name}'")
        if any(d < 0 for d in t.dims):
            raise ModelError(
                f"initializer '{t.name}' has a negative dimension: {list(t.dims)}",
                hint="the file is corrupt; re-export the model",
            )
        try:
            array = numpy_helper.to_array(t)
        except (ValueError, TypeError) as e:
            raise ModelError(
                f"initializer '{t.name}' is inconsistent: {e}",
                hint="its byte length does not match its shape and type",
            ) from None
        state.values[t.name] = constant(state.b.unique(t.name), np.asarray(array))
    for vi in real_inputs:
        dtype = onnx_dtype(vi.type.tensor_type.elem_type, f"input '{vi.name}'")
        frozen = options.frozen_inputs.get(vi.name)
        if frozen is not None:
            state.values[vi.name] = constant(state.b.unique(vi.name), frozen.astype(dtype.np))
            continue
        state.values[vi.name] = state.b.add_input(vi.name, dtype, _input_shape(vi, options))
    for node in g.node:
        convert_node(state, node, opset)
    graph = state.b.graph
    graph.outputs = [state.lookup(o.name, onnx.NodeProto(name="graph outputs")) for o in g.output]
    graph.source_files = [path, *data_files]
    return graph
