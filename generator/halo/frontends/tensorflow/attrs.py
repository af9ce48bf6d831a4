"""Typed access to TensorFlow NodeDef attributes; attributes no converter reads are reported."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
from tensorflow.core.framework import attr_value_pb2, node_def_pb2

from halo.errors import UnsupportedError
from halo.frontends.tensorflow.tensors import tensor_to_array, tf_dtype
from halo.ir.dtype import DType

_MISSING = object()

# Type parameters of polymorphic ops: they restate the dtypes of operands, which the importer
# reads from the operand values themselves, so they never change what a node computes.
TYPE_PARAMS = frozenset(
    {
        "T",
        "Tidx",
        "Tshape",
        "Tpaddings",
        "Tindices",
        "Tparams",
        "Taxis",
        "Tmultiples",
        "Tperm",
        "Tlen",
        "Index",
        "N",
        "U",
        "Tdim",
        "Tsplits",
        "Tblock_shape",
        "Tcrops",
        "Tcomplex",
    }
)


class AttrReader:
    def __init__(self, node: node_def_pb2.NodeDef) -> None:
        self._node = node
        self._attrs: dict[str, attr_value_pb2.AttrValue] = dict(node.attr)
        self._read: set[str] = set()

    def _get(self, name: str, kind: str) -> Any:
        self._read.add(name)
        a = self._attrs.get(name)
        if a is None:
            return _MISSING
        which = a.WhichOneof("value")
        if which != kind and not (kind == "list" and which is None):
            raise UnsupportedError(
                f"{self._node.op} node '{self._node.name}': attribute '{name}' holds a {which}, "
                f"expected a {kind}",
                hint="the GraphDef is malformed or from an unknown TF version",
            )
        return getattr(a, kind)

    def _value(self, name: str, kind: str, default: Any) -> Any:
        v = self._get(name, kind)
        if v is _MISSING:
            if default is _MISSING:
                raise UnsupportedError(
                    f"{self._node.op} node '{self._node.name}' "
                    f"lacks the required attribute '{name}'"
                )
            return default
        return v

    def has(self, name: str) -> bool:
        self._read.add(name)
        return name in self._attrs

    def int(self, name: builtins.str, default: Any = _MISSING) -> builtins.int:
        v = self._value(name, "i", default)
        return v if v is default else builtins.int(v)

    def float(self, name: builtins.str, default: Any = _MISSING) -> builtins.float:
        v = self._value(name, "f", default)
        return v if v is default else builtins.float(v)

    def bool(self, name: builtins.str, default: Any = _MISSING) -> builtins.bool:
        v = self._value(name, "b", default)
        return v if v is default else builtins.bool(v)

    def str(self, name: builtins.str, default: Any = _MISSING) -> builtins.str:
        v = self._value(name, "s", default)
        return v if v is default else v.decode(errors="replace")

    def ints(self, name: builtins.str, default: Any = _MISSING) -> tuple[builtins.int, ...]:
        v = self._value(name, "list", default)
        return v if v is default else tuple(builtins.int(i) for i in v.i)

    def dtype(self, name: builtins.str, default: Any = _MISSING) -> DType:
        v = self._value(name, "type", default)
        return v if v is default else tf_dtype(v, f"attribute '{name}' of '{self._node.name}'")

    def shape(self, name: builtins.str) -> tuple[builtins.int, ...] | None:
        """A TensorShapeProto as dims (-1 = unknown); None when the rank is unknown or absent."""
        v = self._get(name, "shape")
        if v is _MISSING or v.unknown_rank:
            return None
        return tuple(builtins.int(d.size) for d in v.dim)

    def tensor(self, name: builtins.str) -> np.ndarray:
        v = self._value(name, "tensor", _MISSING)
        return tensor_to_array(v, f"{self._node.op} node '{self._node.name}'")

    def check_all_read(self) -> None:
        unknown = sorted(
            k
            for k in self._attrs
            if k not in self._read and k not in TYPE_PARAMS and not k.startswith("_")
        )
        if unknown:
            raise UnsupportedError(
                f"{self._node.op} node '{self._node.name}' has attributes this converter does not "
                f"understand: {', '.join(unknown)}",
                hint=f"known attributes: {', '.join(sorted(self._read)) or 'none'}",
            )
