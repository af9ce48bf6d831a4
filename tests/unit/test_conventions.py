"""The conventions CI enforces on generator/: ruff lint, ruff format and mypy (pyproject config)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CHECKS = {
    "ruff check": [sys.executable, "-m", "ruff", "check", "--no-cache", "generator"],
    "ruff format": [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "generator"],
    "mypy": [sys.executable, "-m", "mypy", "--no-error-summary"],
}


@pytest.mark.unit
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_generator_is_clean(name: str) -> None:
    cmd = CHECKS[name]
    tool = cmd[2]
    probe = subprocess.run([sys.executable, "-m", tool, "--version"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail(f"{tool} is not installed in {sys.executable}: pip install -e '.[test]'")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"`{' '.join(cmd[2:])}` failed:\n{r.stdout}{r.stderr}"
