"""ONNX converters, registered per op type and the first opset whose semantics they implement."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from halo.frontends.onnx.context import OnnxNode

Converter = Callable[["OnnxNode"], None]


class UseFunctionBody(Exception):
    """Raised by a converter for a form it leaves to the op's standard function body."""


_CONVERTERS: dict[tuple[str, str], list[tuple[int, Converter]]] = {}


def converter(*op_types: str, since: int = 1, domain: str = "") -> Callable[[Converter], Converter]:
    """Register ``fn`` for ``op_types`` from opset ``since`` on (until a later registration)."""

    def wrap(fn: Converter) -> Converter:
        for op in op_types:
            versions = _CONVERTERS.setdefault((domain, op), [])
            bisect.insort(versions, (since, fn), key=lambda t: t[0])
        return fn

    return wrap


def find_converter(op_type: str, opset: int, domain: str = "") -> Converter | None:
    versions = _CONVERTERS.get((domain, op_type), [])
    best = None
    for since, fn in versions:
        if since <= opset:
            best = fn
    return best


def supported_ops() -> list[str]:
    return sorted(op for (_, op) in _CONVERTERS)
