"""Each build integration (tests/e2e/integration_*.py) builds examples/mnist and predicts what ONNX
Runtime predicts: the same checks `make integrations` runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from integrations import discover, prediction_check
from mnist_example import onnxruntime_output

pytestmark = pytest.mark.e2e

REGISTRY = discover()
# Integrations whose build other test modules share for more checks: they run there, once.
COVERED = {"cmake": "test_cmake.py"}


@pytest.fixture(scope="session")
def expected_output() -> str:
    return onnxruntime_output()


@pytest.mark.parametrize("name", sorted(set(REGISTRY) - set(COVERED)))
def test_integration_predicts_like_onnxruntime(name: str, tmp_path: Path,
                                               expected_output: str) -> None:
    entry = REGISTRY[name]
    missing = entry.missing_tools()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (run `make test` to install)")
    diff = prediction_check(entry.check(tmp_path), expected_output)
    assert diff is None, diff
