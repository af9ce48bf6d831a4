"""Caffe layer converters, registered per layer type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from halo.frontends.caffe.context import CaffeLayer

Converter = Callable[["CaffeLayer"], None]
_CONVERTERS: dict[str, Converter] = {}


def converter(*layer_types: str) -> Callable[[Converter], Converter]:
    """Register ``fn`` as the converter of ``layer_types``."""

    def wrap(fn: Converter) -> Converter:
        for t in layer_types:
            if t in _CONVERTERS:
                raise RuntimeError(f"Caffe layer type {t} registered twice")
            _CONVERTERS[t] = fn
        return fn

    return wrap


def find_converter(layer_type: str) -> Converter | None:
    return _CONVERTERS.get(layer_type)


def supported_layers() -> list[str]:
    return sorted(_CONVERTERS)
