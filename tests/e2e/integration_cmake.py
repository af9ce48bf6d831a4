"""CMake integrations: examples/mnist with halo_add_model(), on the host and cross-compiled with
toolchains/<triple>.cmake (run under QEMU user-mode emulation, and by ctest through the toolchain
file's CMAKE_CROSSCOMPILING_EMULATOR)."""

from __future__ import annotations

import struct
from pathlib import Path

from integrations import integration
from mnist_example import EMULATED, REPO, build, configure, copy_example, run

# triple -> (QEMU user-mode emulator, ELF e_machine of the target)
CROSS_TARGETS = {
    "aarch64-linux-gnu": ("qemu-aarch64", 183),
    "arm-linux-gnueabihf": ("qemu-arm", 40),
    "riscv64-linux-gnu": ("qemu-riscv64", 243),
}


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return struct.unpack("<H" if header[5] == 1 else ">H", header[18:20])[0]


@integration("cmake", tools=("cmake", "ninja", "g++"))
def cmake_host(workdir: Path) -> str:
    source = copy_example(workdir / "src")
    configure(source, workdir / "build")
    build(workdir / "build")
    return run([workdir / "build" / "mnist"])


# Target libraries Debian's cross toolchains lack, unpacked by `make setup`
# (toolchains/debian-sysroot.sh): XNNPACK and pthreadpool for aarch64.
ARM64_ROOT = REPO / "build" / "sysroot-arm64"


def emulator(triple: str, target_root: bool = False) -> list[str]:
    """QEMU user-mode emulation of `triple`: the cross toolchain's C library, whole, then the
    unpacked target libraries (ARM64_ROOT) when the program links them; as the toolchain files'
    CMAKE_CROSSCOMPILING_EMULATOR."""
    library_path = f"/usr/{triple}/lib" + (f":{ARM64_ROOT}/usr/lib/{triple}" if target_root else "")
    qemu = CROSS_TARGETS[triple][0]
    return [qemu, "-L", f"/usr/{triple}", "-E", f"LD_LIBRARY_PATH={library_path}"]


def _cross(triple: str, runtime: str = "reference") -> None:
    qemu, machine = CROSS_TARGETS[triple]
    arch = triple.split("-")[0]
    extra = [f"-DMNIST_RUNTIME={runtime}"]
    if runtime == "xnnpack":
        extra.append(f"-DHALO_TARGET_ROOT={ARM64_ROOT}")
    qemu_cmd = emulator(triple, target_root=runtime == "xnnpack")

    def check(workdir: Path) -> str:
        assert runtime == "reference" or (ARM64_ROOT / ".packages").is_file(), (
            f"no {ARM64_ROOT}: run `make setup` (toolchains/debian-sysroot.sh)")
        source = copy_example(workdir / "src")
        build_dir = workdir / "build"
        configure(source, build_dir, toolchain=triple, extra=extra)
        build(build_dir)
        # The weights object follows the target, never the host.
        for binary in (build_dir / "mnist_model" / "mnist.o", build_dir / "mnist"):
            got = elf_machine(binary)
            assert got == machine, f"{binary}: ELF machine {got}, expected {machine} ({triple})"
        output = run([*qemu_cmd, build_dir / "mnist"], env=EMULATED)
        ctest = run(["ctest", "--output-on-failure", "-V"], cwd=build_dir, env=EMULATED)
        assert " ".join(f'"{a}"' if i else a for i, a in enumerate(qemu_cmd)) in ctest, (
            f"ctest did not run {qemu}:\n{ctest}")
        assert output.strip().splitlines()[-1] in ctest, ctest
        return output

    name = f"cmake-{arch}" + ("" if runtime == "reference" else f"-{runtime}")
    integration(name, tools=("cmake", "ninja", f"{triple}-g++", qemu))(check)


for _triple in CROSS_TARGETS:
    _cross(_triple)
_cross("aarch64-linux-gnu", "xnnpack")
