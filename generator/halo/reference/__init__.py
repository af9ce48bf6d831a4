"""numpy semantics of every IR op: the single oracle of constant folding, the emulator and tests."""

from __future__ import annotations

import importlib
import pkgutil

from halo.reference.registry import IMPLS, evaluate, evaluate_graph, impl

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "registry":
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["IMPLS", "evaluate", "evaluate_graph", "impl"]
