"""TensorFlow converters, registered per op type (the GraphDef ``op`` field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from halo.frontends.tensorflow.context import TfNode

Converter = Callable[["TfNode"], None]
_CONVERTERS: dict[str, Converter] = {}


def converter(*op_types: str) -> Callable[[Converter], Converter]:
    """Register ``fn`` as the converter of each TensorFlow op in ``op_types``."""

    def wrap(fn: Converter) -> Converter:
        for op in op_types:
            if op in _CONVERTERS:
                raise RuntimeError(f"TensorFlow converter for {op} registered twice")
            _CONVERTERS[op] = fn
        return fn

    return wrap


def find_converter(op_type: str) -> Converter | None:
    return _CONVERTERS.get(op_type)


def supported_ops() -> list[str]:
    return sorted(_CONVERTERS)
