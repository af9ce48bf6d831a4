"""Shared test helpers: build ONNX models in code, run them through HALO and ONNX Runtime."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from runtimes import RUNTIMES  # noqa: E402


def pytest_generate_tests(metafunc) -> None:
    """Tests taking a ``runtime`` argument run on every ODLA runtime (tests/runtimes.py)."""
    if "runtime" in metafunc.fixturenames:
        metafunc.parametrize("runtime", RUNTIMES)
