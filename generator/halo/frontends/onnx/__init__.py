"""ONNX frontend: opsets loader.MIN_OPSET to loader.MAX_OPSET (the installed onnx's newest)."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.onnx.loader import load

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("ops_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["load"]
