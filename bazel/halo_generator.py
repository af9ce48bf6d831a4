"""The HALO generator as Bazel runs it (//bazel:halo_generator): `halo` with its arguments.

A launcher of its own rather than generator/halo/__main__.py, so that Python's script folder
(sys.path[0]) is this one and not generator/halo/, whose module names (profile, runtime, ...)
would shadow other modules.
"""

from __future__ import annotations

import sys

from halo.cli import main

if __name__ == "__main__":
    sys.exit(main())
