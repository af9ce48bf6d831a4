"""TFLite converters, registered per builtin operator name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from halo.frontends.tflite.context import TfliteNode

Converter = Callable[["TfliteNode"], None]
_CONVERTERS: dict[str, Converter] = {}


def converter(*ops: str) -> Callable[[Converter], Converter]:
    """Register ``fn`` as the converter of the builtin operators ``ops``."""

    def wrap(fn: Converter) -> Converter:
        for op in ops:
            if op in _CONVERTERS:
                raise RuntimeError(f"TFLite op {op} registered twice")
            _CONVERTERS[op] = fn
        return fn

    return wrap


def find_converter(op: str) -> Converter | None:
    return _CONVERTERS.get(op)


def supported_ops() -> list[str]:
    return sorted(_CONVERTERS)
