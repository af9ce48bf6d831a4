"""The ONNX backend node tests on every runtime, end to end (generate, build, run).

On a runtime other than the reference one, only the cases with at least one node on that
runtime's own kernels run (the rest run the portable kernels the reference run covers).
Writes build/onnx_conformance_<runtime>.md (per-op table) and .json. Fails on any
case that is neither passing nor excluded, on an excluded case that passes (the exclusion list
must stay honest), on an exclusion or tolerance override (onnx_tolerances.txt) that matches no
case, and below an 85% pass rate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("onnx")

from conformance.onnx_backend import (  # noqa: E402
    collect, load_exclusions, load_tolerances, markdown, report, run_all)

pytestmark = [pytest.mark.conformance, pytest.mark.slow]
BUILD = Path(__file__).resolve().parents[2] / "build"
MIN_PASS_RATE = 0.85


def test_onnx_backend_node_tests(runtime: str) -> None:
    check_runtime(runtime)


def test_onnx_backend_node_tests_on_the_emulator() -> None:
    """`halo run --runtime emulator` (the numpy reference semantics): the same cases, the same
    exclusions."""
    check_runtime("emulator")


def check_runtime(runtime: str) -> None:
    cases = collect()
    exclusions = load_exclusions()
    unused = [p for p in [*exclusions, *load_tolerances()]
              if not any(re.fullmatch(p, c.name) for c in cases)]
    rep = report(cases, run_all(cases, runtime), exclusions)
    BUILD.mkdir(exist_ok=True)
    (BUILD / f"onnx_conformance_{runtime}.md").write_text(markdown(rep, runtime))
    (BUILD / f"onnx_conformance_{runtime}.json").write_text(json.dumps(rep, indent=1, sort_keys=True))
    failed = "\n".join(f"{k}: {v}" for k, v in sorted(rep["failed"].items()))
    assert not failed, f"{len(rep['failed'])} non-excluded case(s) fail:\n{failed}"
    assert not rep["excluded_but_passing"], (
        "excluded cases now pass; remove them from onnx_exclusions.txt: "
        + ", ".join(rep["excluded_but_passing"]))
    assert not unused, f"exclusions or tolerance overrides that match no case: {unused}"
    if runtime in ("reference", "emulator"):
        assert rep["pass_rate"] >= MIN_PASS_RATE, f"pass rate {rep['pass_rate']:.3f} < {MIN_PASS_RATE}"
