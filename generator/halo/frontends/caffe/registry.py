"""Caffe layer converters, registered per layer type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from halo.frontends.registry import Converters

if TYPE_CHECKING:
    from halo.frontends.caffe.context import CaffeLayer

CONVERTERS: Converters[CaffeLayer] = Converters("Caffe layer type")
converter = CONVERTERS.register
