"""TFLite frontend: float, fp16-weight and dynamic-range models; int8 models parse (``inspect``)."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.tflite.loader import graph_quant, inspect, load
from halo.frontends.tflite.quant import QuantParams

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("ops_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["QuantParams", "graph_quant", "inspect", "load"]
