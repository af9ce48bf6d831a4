"""halo_add_model(... PRECISION fp16|bf16) in the MNIST example's CMake build: the generator gets
--precision (the banner says so and the weights object shrinks), a bad value is a configure-time
error. Only the model's own target is built (the runtime's build is test_cmake's)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from mnist_example import REPO, build, configure, copy_example, require_tools

pytestmark = pytest.mark.e2e


def _source(tmp: Path, precision: str) -> Path:
    source = copy_example(tmp / "src")
    cmakelists = source / "CMakeLists.txt"
    text = cmakelists.read_text()
    assert "MODEL mnist.onnx" in text
    cmakelists.write_text(
        text.replace("MODEL mnist.onnx", f"MODEL mnist.onnx PRECISION {precision}")
    )
    return source


def test_precision_bf16_reaches_the_generator(tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    build_dir = tmp_path / "build"
    configure(_source(tmp_path, "bf16"), build_dir)
    build(build_dir, "mnist_model")
    out = build_dir / "mnist_model"
    assert "--precision bf16" in (out / "mnist.cc").read_text().splitlines()[1]
    assert "ODLA_BFLOAT16" in (out / "mnist.cc").read_text()
    assert (out / "mnist.o").stat().st_size < 0.65 * 8824  # float32: 8824 bytes


def test_bad_precision_is_a_configure_time_error(tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    source = _source(tmp_path, "fp8")
    result = subprocess.run(
        ["cmake", "-S", source, "-B", tmp_path / "build", f"-DHalo_DIR={REPO / 'cmake'}"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    message = " ".join(result.stderr.split())  # CMake wraps long messages
    assert "PRECISION must be fp32, fp16 or bf16, not 'fp8'" in message
