"""A short seeded fuzz run per frontend: every mutant imports or fails with a HaloError; none
crashes, hangs or runs out of its 4 GiB address space. The long run is
``python tests/fuzz/fuzz.py --frontend all --iterations N --seed S``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz import CRASH, ERROR, campaign  # noqa: E402

pytestmark = pytest.mark.unit

# Mutants per frontend: about 5 s each including the worker's imports (TensorFlow's take longest).
BUDGET = {"onnx": 300, "tensorflow": 150, "tflite": 300, "caffe": 300}


@pytest.mark.parametrize("frontend", sorted(BUDGET))
def test_mutants_end_in_a_graph_or_a_halo_error(frontend: str, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow" if frontend == "tensorflow" else "numpy")
    report = campaign(
        frontend, BUDGET[frontend], seed=7, time_limit=10.0, memory_gb=4.0, crash_dir=tmp_path
    )
    crashes = "\n".join(f"#{c['i']}: {c['signature']} ({c['dir']})" for c in report.crashes)
    assert report.counts[CRASH] == 0, f"{report.line()}\n{crashes}"
    assert report.counts[ERROR] > 0 and report.total == BUDGET[frontend]
