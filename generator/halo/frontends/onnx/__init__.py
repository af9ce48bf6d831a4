"""ONNX frontend: opsets 7 to 21."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.onnx.loader import load

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("ops_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["load"]
