"""Shared test helpers: build ONNX models in code, run them through HALO and ONNX Runtime."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtimes import RUNTIMES  # noqa: E402


# Longest first: the build-system and conformance checks take minutes each, so they start while
# the many short tests fill the other worker, and no minutes-long test is left for the end.
LONG_FIRST = ("conformance", "e2e", "slow", "frontends")


def pytest_configure(config) -> None:
    """The IR verifier runs after every pass in every test, and in every `halo` the build-system
    tests start (passes/pipeline.py)."""
    os.environ["HALO_VERIFY"] = "1"


def pytest_collection_modifyitems(config, items) -> None:
    """Run the long tests first. (The modules whose tests share one expensive fixture carry
    `xdist_group` for the Makefile's `--dist loadgroup`, which keeps each group on one worker; it
    needs pytest < 9, pinned in pyproject.toml: pytest-xdist 3.8 sets `item._nodeid`, which pytest 9
    no longer reads.)"""
    def rank(item) -> int:
        marks = {m.name for m in item.iter_markers()}
        return next((i for i, m in enumerate(LONG_FIRST) if m in marks), len(LONG_FIRST))

    items.sort(key=rank)  # stable: the collection order within each rank


def pytest_generate_tests(metafunc) -> None:
    """Tests taking a ``runtime`` argument run on every ODLA runtime (tests/runtimes.py)."""
    if "runtime" in metafunc.fixturenames:
        metafunc.parametrize("runtime", RUNTIMES)
