"""Typed access to ONNX node attributes; unknown attributes are reported, never ignored."""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from halo.errors import UnsupportedError

_MISSING = object()


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

    def int(self, name: str, default: Any = _MISSING) -> int:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else int(v)

    def float(self, name: str, default: Any = _MISSING) -> float:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else float(v)

    def str(self, name: str, default: Any = _MISSING) -> str:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else v.decode()

    def ints(self, name: str, default: Any = _MISSING) -> tuple[int, ...] | None:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else tuple(int(i) for i in v)

    def floats(self, name: str, default: Any = _MISSING) -> tuple[float, ...] | None:
        v = self._get(name)
        return self._default(name, default) if v is _MISSING else tuple(float(f) for f in v)

    def tensor(self, name: str) -> np.ndarray:
        v = self._get(name)
        if v is _MISSING:
            return self._default(name, _MISSING)
        return numpy_helper.to_array(v)

    def _default(self, name: str, default: Any) -> Any:
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
