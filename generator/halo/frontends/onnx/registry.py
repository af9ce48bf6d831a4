"""ONNX converters, registered per op type, domain and the first opset whose semantics they
implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from halo.frontends.registry import Converters

if TYPE_CHECKING:
    from halo.frontends.onnx.context import OnnxNode


class UseFunctionBody(Exception):
    """Raised by a converter for a form it leaves to the op's standard function body."""


CONVERTERS: Converters[OnnxNode] = Converters("ONNX op")
converter = CONVERTERS.register
