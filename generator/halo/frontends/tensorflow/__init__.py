"""TensorFlow frontend: frozen GraphDef (.pb) files and SavedModel directories."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.tensorflow.loader import load

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("ops_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["load"]
