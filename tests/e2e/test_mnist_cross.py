"""examples/mnist cross-compiled with toolchains/*.cmake and run under QEMU user-mode emulation."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from mnist_example import (
    build,
    configure,
    copy_example,
    onnxruntime_output,
    require_tools,
    run,
)

pytestmark = pytest.mark.e2e

# triple -> (QEMU user-mode emulator, ELF e_machine of the target)
TARGETS = {
    "aarch64-linux-gnu": ("qemu-aarch64", 183),
    "arm-linux-gnueabihf": ("qemu-arm", 40),
    "riscv64-linux-gnu": ("qemu-riscv64", 243),
}


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return struct.unpack("<H" if header[5] == 1 else ">H", header[18:20])[0]


@pytest.mark.parametrize(
    "triple",
    [
        "aarch64-linux-gnu",
        pytest.param("arm-linux-gnueabihf", marks=pytest.mark.slow),
        pytest.param("riscv64-linux-gnu", marks=pytest.mark.slow),
    ],
)
def test_cross_built_example_matches_onnxruntime(triple: str, tmp_path: Path) -> None:
    qemu, machine = TARGETS[triple]
    require_tools("cmake", "ninja", f"{triple}-g++", qemu)
    source = copy_example(tmp_path / "src")
    build_dir = tmp_path / "build"
    configure(source, build_dir, toolchain=triple)
    build(build_dir)

    assert elf_machine(build_dir / "mnist_model" / "mnist.o") == machine
    assert elf_machine(build_dir / "mnist") == machine

    expected = onnxruntime_output()
    assert run([qemu, "-L", f"/usr/{triple}", build_dir / "mnist"]) == expected
    # ctest runs the program through the toolchain file's CMAKE_CROSSCOMPILING_EMULATOR.
    ctest = run(["ctest", "--output-on-failure", "-V"], cwd=build_dir)
    assert f'{qemu} "-L" "/usr/{triple}"' in ctest
    assert expected.splitlines()[-1] in ctest
