"""The reference runtime's integer GEMM kernels, each on its own: qlinear_kernels.cc (QLinearConv
and QLinearMatMul kernels against a naive loop, bit for bit, on shapes that are no multiples of
the tiles, groups, strides, dilations, 1-D/3-D, per-channel scales and zero points, signed and
unsigned operands) linked with the runtime as `halo run` builds it, run once per int8 kernel
(ODLA_ISA picks it: amx, avx512 = VNNI, portable; one the CPU lacks falls back) and with one and
three threads."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from halo import paths, toolchain

pytestmark = pytest.mark.ops

SOURCE = Path(__file__).resolve().parent / "qlinear_kernels.cc"
# ODLA_ISA -> the kernels it may give (the first one the CPU and the OS allow)
KERNELS = {
    "amx": ("amx", "avx512-vnni", "portable"),
    "avx512": ("avx512-vnni", "portable"),
    "portable": ("portable",),
}


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lib, rt = toolchain.build_runtime("reference")
    exe = tmp_path_factory.mktemp("qlinear") / "qlinear_kernels"
    runtimes = paths.odla_dir() / "runtimes"
    subprocess.run(
        [
            toolchain.cxx(),
            "-std=c++17",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
            f"-I{runtimes / 'reference'}",
            f"-I{runtimes / 'common'}",
            str(SOURCE),
            str(lib),
            *rt.link_flags(),
            "-pthread",
            "-o",
            str(exe),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return exe


@pytest.mark.parametrize("threads", ["1", "3"])
@pytest.mark.parametrize("isa", sorted(KERNELS))
def test_int8_kernel_is_bit_exact(program: Path, isa: str, threads: str) -> None:
    env = {**os.environ, "ODLA_ISA": isa, "ODLA_NUM_THREADS": threads}
    run = subprocess.run([str(program)], env=env, capture_output=True, text=True, timeout=300)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert lines[0].removeprefix("kernel ") in KERNELS[isa], lines[0]
    assert lines[-1].endswith(" 0 failed"), run.stdout
