"""Per-model accuracy figures that the tests measure, collected for the README's results table.

Each whole-model test calls ``record`` after its comparison passed: the figure is printed (visible
with ``pytest -s``) and appended to ``build/model_results/<pid>.jsonl`` (one file per process, so
pytest-xdist workers never share one). ``python tests/model_report.py`` turns them into a table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / "build" / "model_results"


def record(frontend: str, model: str, reference: str, error: float, note: str = "",
           runtime: str = "reference") -> None:
    """``error``: the test's largest relative error of HALO's outputs (on the ODLA ``runtime``)
    against ``reference``."""
    print(f"{frontend} {model} on {runtime}: largest relative error {error:.2e} vs {reference} "
          f"{note}".rstrip())
    RESULTS.mkdir(parents=True, exist_ok=True)
    row = {"frontend": frontend, "model": model, "reference": reference, "error": error,
           "note": note, "runtime": runtime}
    with open(RESULTS / f"{os.getpid()}.jsonl", "a") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")
