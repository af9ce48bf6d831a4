"""TFLite frontend: float, fp16-weight, dynamic-range and full-integer (int8/uint8) models."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.tflite.loader import inspect, load
from halo.frontends.tflite.quant import QuantParams

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("ops_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["QuantParams", "inspect", "load"]
