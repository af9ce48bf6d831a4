"""Typed access to ONNX node attributes; unknown attributes are reported, never ignored."""

from __future__ import annotations

import builtins
from typing import Any, overload

import numpy as np
import onnx
from onnx import numpy_helper

from halo.errors import UnsupportedError

_MISSING: Any = object()


class AttrReader:
    def __init__(self, node: onnx.NodeProto) -> None:
        self._node = node
        self._attrs = {a.name: a for a in node.attribute}
        self._read: set[str] = set()

    def _get(self, name: str) -> Any:
        self._read.add(name)
        a = self._attrs.get(name)
        return _MISSING if a is None else onnx.helper.get_attribute_value(a)

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
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else builtins.int(v)

    @overload
    def float(self, name: builtins.str) -> builtins.float: ...
    @overload
    def float(self, name: builtins.str, default: builtins.float) -> builtins.float: ...
    @overload
    def float(self, name: builtins.str, default: None) -> builtins.float | None: ...
    def float(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else builtins.float(v)

    @overload
    def str(self, name: builtins.str) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: builtins.str) -> builtins.str: ...
    @overload
    def str(self, name: builtins.str, default: None) -> builtins.str | None: ...
    def str(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else v.decode()

    @overload
    def ints(self, name: builtins.str) -> tuple[builtins.int, ...]: ...
    @overload
    def ints(
        self, name: builtins.str, default: tuple[builtins.int, ...]
    ) -> tuple[builtins.int, ...]: ...
    @overload
    def ints(self, name: builtins.str, default: None) -> tuple[builtins.int, ...] | None: ...
    def ints(self, name: builtins.str, default: Any = _MISSING) -> Any:
        v = self._get(name)
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
        v = self._get(name)
        if v is _MISSING:
            return self._default(name, default)
        return tuple(builtins.float(f) for f in v)

    def tensor(self, name: builtins.str) -> np.ndarray:
        v = self._get(name)
        if v is _MISSING:
            return self._default(name, _MISSING)
        return numpy_helper.to_array(v)

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
