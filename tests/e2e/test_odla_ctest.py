"""The ODLA project on its own: odla/ configured and built with CMake, its C/C++ tests run by ctest
(the headers as strict C99, the reference runtime's kernels and its API, errors and threads)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mnist_example import REPO, require_tools, run

pytestmark = pytest.mark.e2e


def test_odla_tests_pass_under_ctest(tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    build = tmp_path / "odla"
    run(["cmake", "-S", REPO / "odla", "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build, "-j", "2"])
    output = run(["ctest", "--output-on-failure"], cwd=build)
    assert "100% tests passed" in output, output
    for test in ("odla_header_c99", "odla_kernels", "odla_api"):
        assert f": {test} " in output, output
