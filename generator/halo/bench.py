"""`halo bench`: latency and memory of a compiled model, measured in a process of its own.

The model is built exactly as `halo run` builds it (``halo.run.build_library``). A small C++ driver
(``bench_main.cc``, compiled once and cached) loads the library, builds the computation and times
calls on commands from stdin, so a caller can interleave it with other engines (see
``benchmarks/run.py``). Peak memory is the driver's ``ru_maxrss``. The arena is what the runtime
reports in its ``ODLA_PROFILE`` file, from a separate profiled process (profiling never runs during
the timed calls); a runtime that reports none falls back to ``halo.analysis``'s plan.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from halo.analysis import plan_memory
from halo.compiler import CompileOptions, import_and_optimize
from halo.errors import OptionError, RuntimeExecError
from halo.ir.graph import Graph
from halo.run import EMULATOR, build_library
from halo.toolchain import _digest, _locked, _run, cache_root, cxx

DRIVER_SOURCE = Path(__file__).with_name("bench_main.cc")
DRIVER_FLAGS = ("-std=c++17", "-O2", "-Wall", "-Wextra")
ISA_FLAGS = (
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_bf16",
    "avx2",
    "fma",
    "avx",
    "sse4_2",
    "asimd",
    "sve",
)  # the ones worth naming, in this order


def progress(message: str) -> None:
    print(f"halo bench: {message}", file=sys.stderr, flush=True)


def build_driver() -> Path:
    """The benchmark driver executable for the host, cached by source and flags."""
    source = DRIVER_SOURCE.read_bytes()
    key = _digest([source, " ".join((cxx(), *DRIVER_FLAGS)).encode()])
    out_dir = cache_root() / "bench" / key
    exe = out_dir / "bench_main"
    with _locked(out_dir):
        if not exe.exists():
            out_dir.mkdir(parents=True, exist_ok=True)
            _run(
                [cxx(), *DRIVER_FLAGS, str(DRIVER_SOURCE), "-o", f"{exe}.tmp", "-ldl"],
                "building the benchmark driver",
            )
            os.replace(f"{exe}.tmp", exe)
    return exe


def cpu_info() -> dict[str, str]:
    """CPU model and the notable ISA extensions, from /proc/cpuinfo (empty where unreadable)."""
    model, flags = "", set[str]()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "hardware", "cpu model") and not model:
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = set(value.split())
    return {"cpu": model or "unknown CPU", "isa": " ".join(f for f in ISA_FLAGS if f in flags)}


class Session:
    """One engine process speaking the driver protocol (see bench_main.cc)."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], what: str) -> None:
        self.what = what
        self._err = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            env=dict(env),
        )
        fields = self._expect("ready")
        self.init_ms = float(fields["init_ms"])
        self.baseline_mb = float(fields["baseline_kb"]) / 1024

    def _expect(self, tag: str) -> dict[str, str]:
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        words = line.split()
        if not words or words[0] != tag:
            self._proc.kill()
            self._proc.wait()
            self._err.seek(0)
            detail = line.strip() or self._err.read()[-2000:].strip() or "no output"
            raise RuntimeExecError(
                f"{self.what} failed: {detail}",
                hint="run the model with `halo run` to see whether it executes",
            )
        if tag == "times_ns":
            return {"times": " ".join(words[1:])}
        return dict(zip(words[1::2], words[2::2]))

    def _send(self, line: str) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()

    def measure(self, warmup: int, runs: int) -> list[float]:
        """``warmup`` untimed calls, then the latencies of ``runs`` calls in milliseconds."""
        self._send(f"run {warmup} {runs}")
        return [int(t) / 1e6 for t in self._expect("times_ns")["times"].split()]

    def close(self) -> float:
        """Ends the process; returns its peak resident memory in MiB."""
        self._send("quit")
        peak = float(self._expect("done")["maxrss_kb"]) / 1024
        self._proc.wait()
        self._err.close()
        return peak


def profile_header(text: str) -> dict[str, str]:
    """Key/value pairs of the last header line of a runtime profile file, e.g.
    '# odla profile<TAB>runtime<TAB>reference<TAB>executions<TAB>3<TAB>arena_bytes<TAB>4096'."""
    headers = [line for line in text.splitlines() if line.startswith("#")]
    if not headers:
        return {}
    fields = headers[-1].split("\t")[1:]
    return dict(zip(fields[::2], fields[1::2]))


@dataclass
class PreparedModel:
    """A model built against a runtime, with random inputs on disk for the driver."""

    graph: Graph
    library: Path
    name: str
    runtime: str
    workdir: Path

    def argv(self) -> list[str]:
        args = [str(build_driver()), str(self.library), self.name]
        rng = np.random.default_rng(0)
        for i, v in enumerate(self.graph.inputs):
            path = self.workdir / f"input_{i}.bin"
            if v.dtype.np == np.bool_:
                data = rng.integers(0, 2, v.shape).astype(np.bool_)
            elif np.issubdtype(v.dtype.np, np.integer):
                data = rng.integers(0, 2, v.shape).astype(v.dtype.np)  # valid as indices too
            else:
                data = rng.uniform(-1, 1, v.shape).astype(v.dtype.np)
            path.write_bytes(np.ascontiguousarray(data).tobytes())
            args += ["--in", str(path)]
        for v in self.graph.outputs:
            args += ["--out", str(v.nbytes)]
        return args

    def env(self, threads: int, profile: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "ODLA_PROFILE"}
        env["ODLA_NUM_THREADS"] = str(threads)
        if profile is not None:
            env["ODLA_PROFILE"] = str(profile)
        return env

    def open_session(self, threads: int) -> Session:
        return Session(self.argv(), self.env(threads), f"{self.name} on {self.runtime}")

    def arena(self, threads: int) -> tuple[int, str]:
        """Arena bytes and where the figure comes from: the runtime's profile of one call in a
        process of its own, or halo.analysis's plan where the runtime reports none."""
        path = self.workdir / "profile.tsv"
        path.unlink(missing_ok=True)
        s = Session(self.argv(), self.env(threads, path), f"{self.name} on {self.runtime}")
        s.measure(1, 0)
        s.close()
        fields = profile_header(path.read_text()) if path.is_file() else {}
        if "arena_bytes" in fields:
            return int(fields["arena_bytes"]), "runtime"
        return plan_memory(self.graph).arena_bytes, "halo.analysis (the runtime reported none)"


def prepare(model: Path, options: CompileOptions, workdir: Path) -> PreparedModel:
    if options.runtime == EMULATOR:
        raise OptionError(
            "halo bench times a C++ runtime, not the emulator",
            hint="pass --runtime reference (or another ODLA runtime)",
        )
    graph = import_and_optimize(model, options)
    progress(
        f"building {model.name} against the {options.runtime} runtime "
        "(the first build of a runtime takes about a minute)"
    )
    library, name = build_library(model, graph, options)
    build_driver()
    return PreparedModel(graph, library, name, options.runtime, workdir)


def quantiles(latencies: Sequence[float]) -> tuple[float, float]:
    """Median and 90th percentile (linear interpolation) of ``latencies``."""
    return statistics.median(latencies), float(np.percentile(latencies, 90))


@dataclass(frozen=True)
class BenchResult:
    model: str
    runtime: str
    threads: int
    runs: int
    warmup: int
    median_ms: float
    p90_ms: float
    min_ms: float
    init_ms: float
    peak_rss_mb: float
    baseline_rss_mb: float
    arena_mb: float
    arena_source: str
    cpu: str
    isa: str
    latencies_ms: tuple[float, ...]

    def to_json(self) -> dict[str, object]:
        d = asdict(self)
        d["latencies_ms"] = list(self.latencies_ms)
        return d


def check_counts(threads: int, runs: int, warmup: int) -> None:
    if threads < 1:
        raise OptionError(f"--threads {threads} must be at least 1", hint="e.g. --threads 2")
    if runs < 1:
        raise OptionError(f"--runs {runs} must be at least 1", hint="e.g. --runs 10")
    if warmup < 0:
        raise OptionError(f"--warmup {warmup} must not be negative", hint="e.g. --warmup 2")


def bench_model(
    model: Path, options: CompileOptions, threads: int, runs: int, warmup: int
) -> BenchResult:
    check_counts(threads, runs, warmup)
    with tempfile.TemporaryDirectory(prefix="halo-bench-") as d:
        prepared = prepare(model, options, Path(d))
        progress(f"reading the arena size ({threads} threads)")
        arena, source = prepared.arena(threads)
        progress(f"timing {runs} calls after {warmup} warm-up calls")
        session = prepared.open_session(threads)
        times = session.measure(warmup, runs)
        peak = session.close()
    median, p90 = quantiles(times)
    cpu = cpu_info()
    return BenchResult(
        model.name,
        options.runtime,
        threads,
        runs,
        warmup,
        median,
        p90,
        min(times),
        session.init_ms,
        peak,
        session.baseline_mb,
        arena / 2**20,
        source,
        cpu["cpu"],
        cpu["isa"],
        tuple(times),
    )


def format_result(r: BenchResult) -> str:
    return "\n".join(
        [
            f"{r.model} on {r.runtime}, {r.threads} thread{'s' if r.threads != 1 else ''}, "
            f"{r.runs} runs after {r.warmup} warm-up",
            f"CPU: {r.cpu} ({r.isa or 'no notable ISA extensions'})",
            f"latency: median {r.median_ms:.3f} ms, p90 {r.p90_ms:.3f} ms, min {r.min_ms:.3f} ms "
            f"(init {r.init_ms:.1f} ms)",
            f"peak RSS: {r.peak_rss_mb:.1f} MiB (driver before loading the model: "
            f"{r.baseline_rss_mb:.1f} MiB)",
            f"arena: {r.arena_mb:.2f} MiB (from {r.arena_source})",
        ]
    )
