"""`halo bench`: the JSON report of a compiled model's latency and memory (no timing thresholds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from halo.bench import profile_header, quantiles

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
HALO = Path(sys.executable).with_name("halo")
MNIST = ROOT / "examples" / "mnist" / "mnist.onnx"


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HALO), "bench", str(MNIST), *args], capture_output=True, text=True, timeout=600
    )


def test_json_report_has_sane_figures() -> None:
    proc = _bench("--runs", "5", "--warmup", "1", "--threads", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    for key in (
        "median_ms",
        "p90_ms",
        "peak_rss_mb",
        "arena_mb",
        "runtime",
        "threads",
        "runs",
        "cpu",
        "isa",
        "arena_source",
    ):
        assert key in r
    assert r["runtime"] == "reference" and r["threads"] == 2 and r["runs"] == 5
    assert len(r["latencies_ms"]) == 5
    assert 0 < r["median_ms"] <= r["p90_ms"]
    assert r["peak_rss_mb"] > 0 and r["arena_mb"] > 0
    assert r["peak_rss_mb"] >= r["baseline_rss_mb"]


@pytest.mark.parametrize(
    "args",
    [
        ["--runs", "0"],
        ["--threads", "0"],
        ["--warmup", "-1"],
        ["--runtime", "emulator"],
        ["--input-shape", "bogus"],
    ],
)
def test_bad_options_exit_2(args: list[str]) -> None:
    proc = _bench(*args)
    assert proc.returncode == 2, proc.stderr
    assert "halo: error:" in proc.stderr and "Traceback" not in proc.stderr


def test_profile_header_with_and_without_arena() -> None:
    new = "# odla profile\truntime\treference\texecutions\t3\tarena_bytes\t4096\n0\todla_Conv"
    assert profile_header(new) == {"runtime": "reference", "executions": "3", "arena_bytes": "4096"}
    assert profile_header("# odla_reference profile\texecutions\t2\n") == {"executions": "2"}
    assert profile_header("") == {}


def test_quantiles() -> None:
    median, p90 = quantiles([5.0, 1.0, 2.0, 4.0, 3.0])
    assert median == 3.0 and 4.0 <= p90 <= 5.0
