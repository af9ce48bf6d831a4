"""HALO: ahead-of-time compiler from trained networks to C++ on the ODLA API."""

from __future__ import annotations

__version__ = "0.1.0"
