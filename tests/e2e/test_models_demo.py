"""The model demo table's machinery (models/demo.py) on two of its smallest models (ONNX and Caffe;
a Keras model's build and TensorFlow's import alone would take half a minute), on the reference
runtime only: built in code, compiled, run, compared with the framework, timed (no thresholds on
times), tabulated."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "models"))

import demo  # noqa: E402

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def specs() -> dict[str, demo.Spec]:
    return demo.specs()


def test_every_script_is_a_row(specs: dict[str, demo.Spec]) -> None:
    assert len(specs) == 19
    assert len({s.title for s in specs.values()}) == len(specs)
    assert {s.framework for s in specs.values()} == {"ONNX", "TensorFlow", "TFLite", "Caffe"}
    titles = [s.title for s in specs.values()]
    assert titles.index("ResNet v2-50") < titles.index("ResNet v2-101")  # natural order


@pytest.mark.parametrize("key", ["mnist", "squeezenet1_1"])
def test_model_matches_its_framework(key: str, specs: dict[str, demo.Spec], tmp_path: Path) -> None:
    row = demo.evaluate(specs[key], ["reference"], runs=2, warmup=1, threads=1, workdir=tmp_path)
    assert row.status == "ok", row.status
    assert row.error is not None and row.error < 1e-3
    assert row.halo_runs == {"reference": 2} and row.halo_ms["reference"] is not None
    if specs[key].framework == "Caffe":  # a numpy reference, nothing to time
        assert row.reference_ms is None
    else:
        assert row.reference_runs == 2 and row.reference_ms is not None
    text = demo.table([row], ["reference"], "CPU: test", runs=2)
    assert f"| {row.title} | {row.framework} | {row.reference} |" in text
    assert "| ok |" in text


def test_mismatch_and_failure_are_statuses(specs: dict[str, demo.Spec], tmp_path: Path) -> None:
    mnist = specs["mnist"]

    def wrong(folder: Path) -> demo.Built:
        built = mnist.build(folder)
        built.expected = [e + 0.5 * np.abs(e).max() for e in built.expected]
        return built

    def broken(folder: Path) -> demo.Built:
        raise ValueError("no such layer\nsecond line")

    row = demo.evaluate(replace(mnist, build=wrong), ["reference"], 1, 0, 1, tmp_path)
    assert row.status.startswith("mismatch (> 1e-02: reference "), row.status
    row = demo.evaluate(replace(mnist, build=broken), ["reference"], 1, 0, 1, tmp_path)
    assert row.status == "failed: ValueError: no such layer" and row.error is None


def test_readme_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{demo.BEGIN}\nold\n{demo.END}\n\nrest\n")
    demo.write_readme(readme, "new | table")
    assert readme.read_text() == f"# title\n\n{demo.BEGIN}\nnew | table\n{demo.END}\n\nrest\n"
