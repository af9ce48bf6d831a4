"""Bazel integrations: examples/bazel (halo_cc_model from bazel/halo_rules.bzl) builds
examples/mnist with Bazel, on the host and cross-compiled for aarch64 (toolchains/bazel, run
under QEMU).

The host check also shows what caching needs: a second output base runs the generator again and
gets byte-identical mnist.h, mnist.cc and mnist.o, and builds the program from a shared disk cache
without running any action itself. Bazel's output bases and caches lie in the check's workdir,
and every Bazel server started is shut down at the end.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from integration_cmake import elf_machine
from integrations import integration
from mnist_example import REPO, TIMEOUT_S, run

WORKSPACE = REPO / "examples" / "bazel"
GENERATED = ("mnist.h", "mnist.cc", "mnist.o")
GENERATED_DIR = "mnist_model_halo"  # halo_cc_model(name = "mnist_model") -> mnist_model_halo/
# --symlink_prefix=/: no bazel-* links in the source tree. The rest keeps the logs short.
BUILD_FLAGS = ("--jobs=2", "--symlink_prefix=/", "--color=no", "--curses=no", "--noshow_progress")
# As --run_under in examples/bazel/.bazelrc: the cross toolchain's C library, whole.
QEMU_AARCH64 = ("qemu-aarch64", "-L", "/usr/aarch64-linux-gnu")
QEMU_AARCH64 += ("-E", "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib")
EM_AARCH64 = 183
# What runs no process of its own: Bazel 4 counts disk cache hits as "remote cache hit".
NOT_EXECUTED = {"internal", "remote cache hit", "disk cache hit"}


class Bazel:
    """One Bazel server (one output base) on examples/bazel."""

    def __init__(self, output_base: Path) -> None:
        self.output_base = output_base
        # The generator runs under the `python3` first on PATH: the one running these checks.
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {"PATH": path}

    def _command(self, command: str, *args: str) -> list[str | Path]:
        cmd: list[str | Path] = [
            "bazel",
            f"--output_base={self.output_base}",
            "--max_idle_secs=600",
            command,
        ]
        return [*cmd, *(BUILD_FLAGS if command in ("build", "run") else ()), *args]

    def __call__(self, command: str, *args: str) -> str:
        return run(self._command(command, *args), cwd=WORKSPACE, env=self.env)

    def shutdown(self) -> None:
        if self.output_base.is_dir():
            cmd = [str(part) for part in self._command("shutdown")]
            subprocess.run(cmd, cwd=WORKSPACE, capture_output=True, timeout=TIMEOUT_S, check=False)

    def bin_dir(self, *args: str) -> Path:
        return Path(self("info", *args, "bazel-bin").strip().splitlines()[-1])


@contextmanager
def bazel_servers(*output_bases: Path) -> Iterator[list[Bazel]]:
    servers = [Bazel(base) for base in output_bases]
    try:
        yield servers
    finally:
        for server in servers:
            server.shutdown()


def processes(log: str) -> dict[str, int]:
    """Bazel's summary "INFO: 7 processes: 5 remote cache hit, 2 internal." as a dict."""
    found = re.findall(r"^INFO: \d+ process(?:es)?(?:: (.*))?\.$", log, re.MULTILINE)
    assert found, f"no process summary in the Bazel output:\n{log}"
    kinds = {}
    for part in filter(None, (found[-1] or "").split(", ")):
        count, kind = part.split(" ", 1)
        kinds[kind] = int(count)
    return kinds


def executed(log: str) -> dict[str, int]:
    """The processes of the last build that ran on this machine (not cached, not internal)."""
    return {k: n for k, n in processes(log).items() if k not in NOT_EXECUTED}


def run_mnist(bin_dir: Path, prefix: tuple[str, ...] = ()) -> str:
    """The program, from its runfiles folder (where MNIST_DIGITS_FILE is relative to)."""
    return run([*prefix, bin_dir / "mnist"], cwd=bin_dir / "mnist.runfiles" / "halo_mnist")


def runtime_declarations() -> dict[str, dict[str, list[str]]]:
    """The odla_runtime(...) calls of odla/BUILD.bazel: name -> {sources, includes, libraries}."""
    tree = ast.parse((REPO / "odla" / "BUILD.bazel").read_text())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "odla_runtime":
            keys = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
            name = keys.pop("name")
            found[name] = {k: keys.get(k, []) for k in ("sources", "includes", "libraries")}
    return found


def build_txt(runtime_dir: Path) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {"sources": [], "includes": [], "libraries": []}
    for line in (runtime_dir / "build.txt").read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words and words[0] in keys:
            keys[words[0]] += words[1:]
    return keys


def check_runtimes_match_build_txt() -> None:
    declared = runtime_declarations()
    described = {
        p.parent.name: build_txt(p.parent)
        for p in sorted((REPO / "odla" / "runtimes").glob("*/build.txt"))
    }
    assert declared == described, (
        "odla/BUILD.bazel's odla_runtime() calls differ from odla/runtimes/*/build.txt:\n"
        f"BUILD.bazel: {declared}\nbuild.txt:   {described}"
    )


@integration("bazel", tools=("bazel", "g++"))
def bazel_host(workdir: Path) -> str:
    check_runtimes_match_build_txt()
    cache = f"--disk_cache={workdir / 'disk-cache'}"
    with bazel_servers(workdir / "base-1", workdir / "base-2") as (first, second):
        log = first("build", cache, "//:mnist")
        assert "HALO: compiling" in log, f"the generator did not run:\n{log}"
        bin_1 = first.bin_dir()
        output = run_mnist(bin_1)
        again = first("build", cache, "//:mnist")
        assert not executed(again), f"an unchanged build ran actions:\n{again}"

        # Another output base runs the generator again (not from the cache): the same bytes.
        log = second("build", cache, "--noremote_accept_cached", f"//:{GENERATED_DIR}")
        assert "HALO: compiling" in log, f"the generator did not run:\n{log}"
        bin_2 = second.bin_dir()
        for name in GENERATED:
            one, two = bin_1 / GENERATED_DIR / name, bin_2 / GENERATED_DIR / name
            assert one.read_bytes() == two.read_bytes(), f"{one} and {two} differ"

        # ... and gets everything else from the disk cache the first one filled.
        log = second("build", cache, "//:mnist")
        assert not executed(log), f"actions ran despite the disk cache:\n{log}"
        hits = sum(n for k, n in processes(log).items() if k != "internal")
        assert hits > 0, f"no cache hits:\n{log}"
        assert (bin_2 / "mnist").read_bytes() == (bin_1 / "mnist").read_bytes()
    return output


@integration("bazel-aarch64", tools=("bazel", "aarch64-linux-gnu-g++", "qemu-aarch64"))
def bazel_aarch64(workdir: Path) -> str:
    with bazel_servers(workdir / "base") as (bazel,):
        log = bazel("build", "--config=aarch64", "//:mnist")
        assert "HALO: compiling" in log, f"the generator did not run:\n{log}"
        bin_dir = bazel.bin_dir("--config=aarch64")
        header = (bin_dir / GENERATED_DIR / "mnist.h").read_text()
        assert "--target aarch64-linux-gnu" in header, header[:300]
        # The weights object follows the target, never the host.
        for binary in (bin_dir / GENERATED_DIR / "mnist.o", bin_dir / "mnist"):
            got = elf_machine(binary)
            assert got == EM_AARCH64, f"{binary}: ELF machine {got}, expected {EM_AARCH64}"
        output = run_mnist(bin_dir, QEMU_AARCH64)
        # `bazel run --config=aarch64` runs it under QEMU too (--run_under in .bazelrc).
        ran = bazel("run", "--config=aarch64", "//:mnist")
        assert output.strip().splitlines()[-1] in ran, ran
    return output
