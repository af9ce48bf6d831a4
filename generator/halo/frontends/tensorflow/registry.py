"""TensorFlow converters, registered per op type (the GraphDef ``op`` field)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from halo.frontends.registry import Converters

if TYPE_CHECKING:
    from halo.frontends.tensorflow.context import TfNode

CONVERTERS: Converters[TfNode] = Converters("TensorFlow op")
converter = CONVERTERS.register
