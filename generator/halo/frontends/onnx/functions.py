"""Inline ONNX ops that the standard defines as functions of other ops (Swish, GroupNormalization,
RMSNormalization, Attention, ...): the op's own function body from onnx.defs replaces the node."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, cast

import onnx
from onnx import defs, helper

from halo.ir.graph import Value


class _FunctionSchema(Protocol):
    """What HALO reads of onnx.defs.OpSchema (onnx's type stubs leave the function bodies out)."""

    has_function: bool
    has_context_dependent_function: bool
    function_opset_versions: Sequence[int]
    context_dependent_function_opset_versions: Sequence[int]
    attributes: Mapping[str, defs.OpSchema.Attribute]

    def get_function_with_opset_version(self, version: int) -> bytes: ...

    def get_context_dependent_function_with_opset_version(
        self, version: int, node: bytes, input_types: list[bytes]
    ) -> bytes: ...


def _schema(op_type: str, opset: int, domain: str) -> _FunctionSchema | None:
    if not all(isinstance(v, str) for v in (op_type, domain)):
        return None  # a name that is not UTF-8 text (protobuf hands it over as bytes)
    try:
        return cast(_FunctionSchema, defs.get_schema(op_type, opset, domain))
    except (defs.SchemaError, TypeError, OverflowError):
        return None


def has_function(op_type: str, opset: int, domain: str = "") -> bool:
    s = _schema(op_type, opset, domain)
    return s is not None and (s.has_function or s.has_context_dependent_function)


def _type_proto(v: Value | None) -> bytes:
    if v is None:
        return onnx.TypeProto().SerializeToString()
    code = helper.np_dtype_to_tensor_dtype(v.dtype.np)
    return helper.make_tensor_type_proto(code, list(v.shape)).SerializeToString()


def _body(
    node: onnx.NodeProto, opset: int, inputs: list[Value | None]
) -> onnx.FunctionProto | None:
    s = _schema(node.op_type, opset, node.domain)
    if s is None:
        return None
    if s.has_function:
        version = max((v for v in s.function_opset_versions if v <= opset), default=None)
        if version is None:  # the body needs a newer opset than the model's
            return None
        data = s.get_function_with_opset_version(version)
    elif s.has_context_dependent_function:
        version = max(
            (v for v in s.context_dependent_function_opset_versions if v <= opset), default=None
        )
        if version is None:
            return None
        data = s.get_context_dependent_function_with_opset_version(
            version, node.SerializeToString(), [_type_proto(v) for v in inputs]
        )
    else:
        return None
    return onnx.FunctionProto.FromString(data) if data else None


def expand(
    node: onnx.NodeProto, opset: int, inputs: list[Value | None]
) -> tuple[list[onnx.NodeProto], int] | None:
    """The nodes that implement ``node``, and the opset they are written in; None if no body."""
    fn = _body(node, opset, inputs)
    if fn is None:
        return None
    prefix = f"{node.name or node.output[0]}__"
    names = {n: (node.input[i] if i < len(node.input) else "") for i, n in enumerate(fn.input)}
    names.update(
        {n: (node.output[i] if i < len(node.output) else "") for i, n in enumerate(fn.output)}
    )
    given = {a.name: a for a in node.attribute}
    schema = _schema(node.op_type, opset, node.domain)
    defaults = (
        {k: a.default_value for k, a in schema.attributes.items() if a.default_value.type != 0}
        if schema
        else {}
    )
    out = []
    for i, body_node in enumerate(fn.node):
        n = onnx.NodeProto()
        n.CopyFrom(body_node)
        n.name = f"{prefix}{i}_{body_node.op_type}"
        n.input[:] = [names.get(x, prefix + x) if x else "" for x in body_node.input]
        n.output[:] = [names.get(x, prefix + x) if x else "" for x in body_node.output]
        del n.attribute[:]
        for a in body_node.attribute:
            if a.ref_attr_name:
                src = given.get(a.ref_attr_name) or defaults.get(a.ref_attr_name)
                if src is None:
                    continue
                copy = onnx.AttributeProto()
                copy.CopyFrom(src)
                copy.name = a.name
                n.attribute.append(copy)
            else:
                n.attribute.append(a)
                if a.type == onnx.AttributeProto.GRAPH:
                    _rename_free(n.attribute[-1].g, lambda x: names.get(x, prefix + x))
        out.append(n)
    fopset = next((o.version for o in fn.opset_import if o.domain in ("", "ai.onnx")), opset)
    return out, fopset


def _rename_unless(local: frozenset[str], rename: Callable[[str], str], name: str) -> str:
    return name if name in local else rename(name)


def _rename_free(graph: onnx.GraphProto, rename: Callable[[str], str]) -> None:
    """Rename the names a subgraph reads from the enclosing function's scope."""
    local = {v.name for v in graph.input} | {t.name for t in graph.initializer}
    for node in graph.node:
        node.input[:] = [x if not x or x in local else rename(x) for x in node.input]
        for a in node.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                _rename_free(a.g, functools.partial(_rename_unless, frozenset(local), rename))
        local.update(node.output)
