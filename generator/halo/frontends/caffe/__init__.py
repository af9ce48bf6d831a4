"""Caffe frontend: a deploy .prototxt with its .caffemodel weights."""

from __future__ import annotations

import importlib
import pkgutil

from halo.frontends.caffe.loader import load

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name.startswith("layers_"):
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["load"]
