"""IR ops: one module per family; importing this package registers all of them."""

from __future__ import annotations

import importlib
import pkgutil

from halo.ir.ops.registry import OPS, OpDef, broadcast_shapes, get_op, register_op

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "registry":
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["OPS", "OpDef", "broadcast_shapes", "get_op", "register_op"]
