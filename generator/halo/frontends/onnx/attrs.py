"""Typed access to ONNX node attributes; unknown attributes are reported, never ignored."""

from __future__ import annotations

import builtins
from typing import Any, overload

import numpy as np
import onnx
from onnx import numpy_helper

from halo.errors import ModelError, UnsupportedError

_MISSING: Any = object()
_A = onnx.AttributeProto
# What each reader accepts: the attribute types it can convert without losing meaning.
_KINDS = {
    "int": (_A.INT,),
    "float": (_A.FLOAT, _A.INT),
    "str": (_A.STRING,),
    "ints": (_A.INTS, _A.INT),
    "floats": (_A.FLOATS, _A.FLOAT),
    "tensor": (_A.TENSOR,),
}


class AttrReader:
    def __init__(self, node: onnx.NodeProto) -> None:
        self._node = node
        self._attrs = {a.name: a for a in node.attribute}
        self._read: set[str] = set()

    def _get(self, name: str, kind: str = "") -> Any:
        self._read.add(name)
        a = self._attrs.get(name)
        if a is None:
            return _MISSING
        if kind and a.type not in _KINDS[kind]:
            got = _A.AttributeType.Name(a.type) if a.type in _A.AttributeType.values() else a.type
            raise ModelError(
                f"{self._node.op_type} node '{self._node.name}': attribute '{name}' is of type "
                f"{got}, expected {' or '.join(_A.AttributeType.Name(k) for k in _KINDS[kind])}",
                hint="the model is malformed; re-export it",
            )
        value = onnx.helper.get_attribute_value(a)
        if kind in ("ints", "floats") and a.type in (_A.INT, _A.FLOAT):
            return [value]
        return value

    def has(self, name: str) -> bool:
        self._read.add(name)
        return name in self._attrs

    # The readers are named after the builtins they return, so annotations in this class spell
    # the builtin types as builtins.int etc. Without a default a missing attribute raises; with
    # None, a missing attribute reads as None.
    @overload
    def int(self, name: builtins.str) -> builtins.int: ...
    @overload
    def int(self, name: builtins.str, default: builtins.int) -> builtins.int: ...
    @overload
    def int(self, name: builtins.str, default: None) -> builtins.int | None: ...
    def int(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name, "int")
        return self._default(name, default) if v is _MISSING else builtins.int(v)

    @overload
    def float(self, name: builtins.str) -> builtins.float: ...
    @overload
    def float(self, name: builtins.str, default: builtins.float) -> builtins.float: ...
    @overload
    def float(self, name: builtins.str, default: None) -> builtins.float | None: ...
    def float(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name, "float")
        return self._default(name, default) if v is _MISSING else builtins.float(v)

    @overload
    def str(self, name: builtins.str) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: builtins.str) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: None) -> builtins.str | None: ...
    def str(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name, "str")
        if v is _MISSING:
            return self._default(name, default)
        try:
            return v.decode()
        except UnicodeDecodeError:
            raise ModelError(
                f"{self._node.op_type} node '{self._node.name}': attribute '{name}' is not UTF-8 "
                f"text ({v[:16]!r})",
                hint="the model is malformed; re-export it",
            ) from None

    @overload
    def ints(self, name: builtins.str) -> tuple[builtins.int, ...]: ...
    @overload
    def ints(
        self, name: builtins.str, default: tuple[builtins.int, ...]
    ) -> tuple[builtins.int, ...]: ...
    @overload
    def ints(self, name: builtins.str, default: None) -> tuple[builtins.int, ...] | None: ...
    def ints(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name, "ints")
        return self._default(name, default) if v is _MISSING else tuple(builtins.int(i) for i in v)

    @overload
    def floats(self, name: builtins.str) -> tuple[builtins.float, ...]: ...
    @overload
    def floats(
        self, name: builtins.str, default: tuple[builtins.float, ...]
    ) -> tuple[builtins.float, ...]: ...
    @overload
    def floats(self, name: builtins.str, default: None) -> tuple[builtins.float, ...] | None: ...
    def floats(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name, "floats")
        if v is _MISSING:
            return self._default(name, default)
        return tuple(builtins.float(f) for f in v)

    def tensor(self, name: builtins.str) -> np.ndarray:
        v = self._get(name, "tensor")
        if v is _MISSING:
            return self._default(name, _MISSING)
        try:
            return numpy_helper.to_array(v)
        except (ValueError, TypeError) as e:
            raise ModelError(
                f"{self._node.op_type} node '{self._node.name}': the tensor of attribute "
                f"'{name}' is inconsistent: {e}",
                hint="its byte length does not match its shape and type; re-export the model",
            ) from None

    def _default(self, name: builtins.str, default: Any) -> Any:
        if default is _MISSING:
            raise UnsupportedError(
                f"{self._node.op_type} node '{self._node.name}' "
                f"lacks the required attribute '{name}'"
            )
        return default

    def check_all_read(self) -> None:
        unknown = sorted(set(self._attrs) - self._read)
        if unknown:
            raise UnsupportedError(
                f"{self._node.op_type} node '{self._node.name}' has attributes this converter does "
                f"not understand: {', '.join(unknown)}",
                hint=f"known attributes: {', '.join(sorted(self._read)) or 'none'}",
            )
