"""TFLite converters, registered per builtin operator name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from halo.frontends.registry import Converters

if TYPE_CHECKING:
    from halo.frontends.tflite.context import TfliteNode

CONVERTERS: Converters[TfliteNode] = Converters("TFLite op")
converter = CONVERTERS.register
