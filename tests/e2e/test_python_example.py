"""examples/python: the MNIST digits classified through halo.runtime.Model, as ONNX Runtime does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "classify_digits.py"


def test_python_example_predicts_like_onnxruntime(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, SCRIPT, "--out", tmp_path], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Model(mnist: (input: float32[1x1x8x8]) -> (logits: float32[1x10]))"
    halo, ort = (line.split("accuracy: ", 1)[1] for line in lines[1:3])
    assert halo == ort and lines[3] == "identical predictions on all digits"
    assert (tmp_path / "libmnist.so").is_file()
