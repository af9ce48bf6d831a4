"""Model importers. ``load_model`` picks one by file type."""

from __future__ import annotations

from halo.frontends.base import ImportOptions, load_model

__all__ = ["ImportOptions", "load_model"]
