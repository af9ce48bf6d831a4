"""benchmarks/int8_agreement.py on its small model (a ResNet-18 at 32x32, quantized by ONNX
Runtime's quantize_static): HALO's int8 logits agree with ONNX Runtime's int8 ones to within int8's
own noise floor, its float32 logits with ONNX Runtime's float32 ones, and int8 moves HALO's top-1
classes exactly as it moves ONNX Runtime's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "int8_agreement.py"


def test_int8_agreement_small_model(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            "--model",
            "small",
            "--count",
            "24",
            "--json",
            out,
            "--out",
            tmp_path / "build",
            "--models-dir",
            tmp_path / "models",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pairs = {(p["a"], p["b"]): p for p in json.loads(out.read_text())["pairs"]}
    noise = pairs[("ORT int8 (x + 1e-6 noise)", "ORT int8")]["mean_rel_err"]
    halo_vs_ort = pairs[("HALO reference int8", "ORT int8")]
    assert halo_vs_ort["mean_rel_err"] <= max(noise, 1e-6), (halo_vs_ort, noise)
    assert pairs[("HALO reference fp32", "ORT fp32")]["max_rel_err"] < 1e-5
    halo, ort = (
        pairs[("HALO reference int8", "HALO reference fp32")],
        pairs[("ORT int8", "ORT fp32")],
    )
    for key in ("top1", "debiased_top1"):
        assert abs(halo[key] - ort[key]) <= 1 / 24 + 1e-9, (key, halo, ort)
    assert "| HALO reference int8 vs ORT int8 |" in result.stdout
