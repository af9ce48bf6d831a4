"""Conan 2 integrations: examples/conan builds examples/mnist from the packages of conan/ (the halo
tool package, odla-<runtime>, the system wrappers), on the host and cross-compiled with the host
profiles toolchains/<board>.profile (the program runs under QEMU user-mode emulation).

Conan runs from this Python environment with a private CONAN_HOME under build/conan-home/, keyed by
the content of everything the packages are made of: every package is built once and reused by the
checks (and later runs) until a recipe or a source changes. The packages' test_package folders are
run by `conan create` (see conan/README.md), not here, to keep the suite fast.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from integration_cmake import ARM64_ROOT, CROSS_TARGETS, elf_machine, emulator
from integrations import integration
from mnist_example import EMULATED, REPO, TIMEOUT_S, run

CONAN = Path(sys.executable).parent / "conan"
RECIPES = REPO / "conan"
# What the packages are made of: a change in any of these makes a fresh CONAN_HOME.
INPUTS = (
    "conan",
    "odla/CMakeLists.txt",
    "odla/cmake",
    "odla/include",
    "odla/runtimes",
    "generator/halo",
    "cmake",
    "scons",
    "toolchains",
)
CONF = ("-c", "tools.cmake.cmaketoolchain:generator=Ninja", "-c", "tools.build:jobs=2")
# board profile -> target triple
BOARDS = {
    "aarch64": "aarch64-linux-gnu",
    "armv7hf": "arm-linux-gnueabihf",
    "riscv64": "riscv64-linux-gnu",
}


def _digest() -> str:
    sha = hashlib.sha256()
    version = subprocess.run([CONAN, "--version"], capture_output=True, text=True, check=False)
    sha.update(f"{version.stdout}{sys.executable}".encode())
    for entry in INPUTS:
        root = REPO / entry
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if _generated(path.relative_to(REPO)):
                continue
            sha.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:16]


def _generated(path: Path) -> bool:
    """What Python, `conan create` and `conan build` write next to the sources."""
    name = path.name
    return (
        any(
            part == "__pycache__" or part == "build" or part.startswith("build-")
            for part in path.parts
        )
        or path.suffix == ".pyc"
        or name == "CMakeUserPresets.json"
        or name.startswith(("conanbuild", "conanrun", "deactivate_conan"))
    )


def conan_home() -> Path:
    """The private CONAN_HOME for the current recipes: created (profile, recipes exported) once."""
    home = REPO / "build" / "conan-home" / _digest()
    home.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{home.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "ready").is_file():
            conan(home, "profile", "detect", "--force")
            remotes = conan(home, "remote", "list")
            if "conancenter" in remotes:
                conan(home, "remote", "remove", "conancenter")  # offline: local cache only
            for recipe in (
                "system/base",
                "odla-base",
                "system/dnnl",
                "system/xnnpack",
                "system/eigen",
                "halo",
                "odla-reference",
                "odla-dnnl",
                "odla-xnnpack",
                "odla-eigen",
            ):
                conan(home, "export", RECIPES / recipe)
            (home / "ready").write_text("")
    return home


def conan(home: Path, *args: str | Path) -> str:
    """Run conan with CONAN_HOME=home; return its output (failing with it when conan fails)."""
    cmd = [str(part) for part in (CONAN, *args)]
    result = subprocess.run(
        cmd,
        check=False,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "CONAN_HOME": str(home), "LC_ALL": "C"},
    )
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}"
    return result.stdout


def build_mnist(
    workdir: Path, runtime: str, board: str | None = None, conf: tuple[str, ...] = ()
) -> Path:
    """`conan build examples/conan` into workdir (packages built when missing); the program."""
    home = conan_home()
    profiles = (
        ["-pr:h", REPO / "toolchains" / f"{board}.profile", "-pr:b", "default"] if board else []
    )
    with open(home.parent / f"{home.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer of the cache at a time
        conan(
            home,
            "build",
            REPO / "examples" / "conan",
            "-of",
            workdir,
            "-o",
            f"&:runtime={runtime}",
            *profiles,
            "--build=missing",
            *CONF,
            *conf,
        )
    program = workdir / "build" / "Release" / "mnist"
    assert program.is_file(), f"conan build made no {program}"
    return program


@integration("conan", tools=("cmake", "ninja", "g++"))
def conan_host(workdir: Path) -> str:
    return run([build_mnist(workdir, "reference")])


@integration("conan-xnnpack", tools=("cmake", "ninja", "g++"))
def conan_host_xnnpack(workdir: Path) -> str:
    return run([build_mnist(workdir, "xnnpack")])


def _cross(board: str, runtime: str) -> None:
    triple = BOARDS[board]
    qemu, machine = CROSS_TARGETS[triple]
    # XNNPACK for the board from Debian's packages, unpacked by `make setup` (conan/system/base).
    target_root = runtime == "xnnpack"

    def check(workdir: Path) -> str:
        conf = ("-c", f"user.halo:target_root={ARM64_ROOT}") if target_root else ()
        program = build_mnist(workdir, runtime, board, conf)
        # The weights object follows the target, never the host.
        for binary in (program.parent / "mnist_model" / "mnist.o", program):
            got = elf_machine(binary)
            assert got == machine, f"{binary}: ELF machine {got}, expected {machine} ({triple})"
        return run([*emulator(triple, target_root), program], env=EMULATED)

    suffix = "" if runtime == "reference" else f"-{runtime}"
    integration(
        f"conan-{board.replace('armv7hf', 'arm')}{suffix}",
        tools=("cmake", "ninja", f"{triple}-g++", qemu),
    )(check)


for _board in BOARDS:
    _cross(_board, "reference")
_cross("aarch64", "xnnpack")
