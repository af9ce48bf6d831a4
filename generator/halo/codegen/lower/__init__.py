"""Lowering of IR nodes to ODLA builder calls: one module per op family."""

from __future__ import annotations

import importlib
import pkgutil

from halo.codegen.lower.registry import LOWERINGS, Call, LowerContext, lower

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "registry":
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["LOWERINGS", "Call", "LowerContext", "lower"]
