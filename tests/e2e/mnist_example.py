"""Build and run examples/mnist with CMake, for the e2e tests of the CMake integration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "mnist"
TOOLCHAINS = REPO / "toolchains"
EXAMPLE_FILES = ("CMakeLists.txt", "main.cc", "mnist.onnx", "digits_test.bin")
TIMEOUT_S = 1200
# For programs run under QEMU user-mode emulation: one runtime thread. Where Debian's own arm64
# glibc (libc6:arm64, pulled in by multiarch :arm64 packages) lies in /lib/aarch64-linux-gnu
# beside the cross toolchain's in /usr/aarch64-linux-gnu, a dynamically linked aarch64 program
# run with `qemu-aarch64 -L /usr/aarch64-linux-gnu` loads the two mixed and hangs in its first
# pthread_create (`-E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib` avoids that; make setup no
# longer installs them). One thread keeps these checks independent of such a machine.
EMULATED = {"ODLA_NUM_THREADS": "1"}


def require_tools(*tools: str) -> None:
    """Skip the test when a build tool is not installed (`make test` installs them all)."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (run `make test` to install)")


def halo_executable(python: Path = Path(sys.executable)) -> Path:
    """The `halo` console script of the environment of `python`."""
    script = python.parent / "halo"
    assert script.is_file(), f"no halo console script next to {python}; pip install -e ."
    return script


def run(cmd: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run `cmd` (with `env` added to the environment); return stdout + stderr, failing the test
    with both when it fails."""
    result = subprocess.run(
        [str(part) for part in cmd],
        check=False,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "LC_ALL": "C", **(env or {})},
    )
    assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout}"
    return result.stdout


def copy_example(destination: Path) -> Path:
    """A private copy of the example's sources, so that tests may touch them."""
    destination.mkdir(parents=True)
    for name in EXAMPLE_FILES:
        shutil.copy2(EXAMPLE / name, destination / name)
    return destination


def configure(
    source: Path, build: Path, halo: Path | None = None, toolchain: str | None = None,
    extra: Sequence[str] = (),
) -> str:
    """Configure `source` into `build` with Ninja, finding Halo through `halo --cmake-dir`."""
    halo = halo or halo_executable()
    cmake_dir = run([halo, "--cmake-dir"]).strip()
    cmd: list[str | Path] = ["cmake", "-S", source, "-B", build, "-G", "Ninja"]
    cmd += ["-DCMAKE_BUILD_TYPE=Release", f"-DHalo_DIR={cmake_dir}"]
    if toolchain:
        cmd.append(f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAINS / toolchain}.cmake")
    return run([*cmd, *extra])


def build(build_dir: Path, *ninja_args: str) -> str:
    """Run ninja (2 jobs) in `build_dir`; return its output."""
    return run(["ninja", "-C", build_dir, "-j", "2", *ninja_args])


def cmake_cache(build_dir: Path, name: str) -> str:
    """The value of cache entry `name` of the build folder."""
    for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split("=", 1)[1]
    raise AssertionError(f"{name} is not in {build_dir}/CMakeCache.txt")


def onnxruntime_output() -> str:
    """What check_ort.py prints: ONNX Runtime's predictions and accuracy on the held-out digits."""
    return run([sys.executable, EXAMPLE / "check_ort.py"])
