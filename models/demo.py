"""The model demo table: every architecture in models/ built in code with seeded weights, exported
in its source framework's format, compiled with HALO, run on each ODLA runtime and checked against
the framework's own runtime; latency per runtime next to the framework's.

    make models-demo                                      # all of them; writes README.md's table
    .venv/bin/python models/demo.py --models resnet18,squeezenet1_1 --runtimes reference
    .venv/bin/python models/resnet18.py --runs 3          # one model script, the same options
    .venv/bin/python models/demo.py --list

A model script is a module in models/ with ``TITLE``, ``FRAMEWORK`` and ``build(folder) ->
frameworks.Built``, optionally ``TOLERANCE`` and ``NOTE``; adding one adds a row. Each model runs
in a process of its own (a crash or a hang costs one row; its log is build/models-demo/KEY.log).
On each runtime the model is built as `halo run` builds it (``halo.run.build_library``), called
once through ``halo.runtime.Model`` on the seeded inputs for the error, then timed in `halo bench`'s
driver process (``halo.bench.PreparedModel``: ODLA_NUM_THREADS=--threads, random inputs). The
framework is timed in the worker itself, after its outputs were taken, with the same thread count.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import ModuleType

import numpy as np

MODELS_DIR = Path(__file__).resolve().parent
if str(MODELS_DIR) not in sys.path:
    sys.path.insert(0, str(MODELS_DIR))

import frameworks  # noqa: E402
from frameworks import ROOT, Built  # noqa: E402
from halo import paths  # noqa: E402
from halo.bench import PreparedModel, Session, cpu_info  # noqa: E402
from halo.compiler import CompileOptions, import_and_optimize  # noqa: E402
from halo.errors import HaloError  # noqa: E402
from halo.run import build_library  # noqa: E402
from halo.runtime import Model  # noqa: E402

BEGIN, END = "<!-- models-demo -->", "<!-- /models-demo -->"
HELPERS = ("demo", "frameworks")  # the modules of models/ that are not model scripts
TOLERANCE = 1e-2  # largest relative error (see largest_error) for "ok", unless a script says
WORKDIR = ROOT / "build" / "models-demo"
SETTLE_S = 0.05  # pause between engines: a runtime's spinning worker threads wind down


# ---- the model scripts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    key: str  # the script's file name: --models takes these
    title: str
    framework: str
    build: Callable[[Path], Built]
    tolerance: float = TOLERANCE
    note: str = ""


def _natural(text: str) -> list[object]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"halo_models_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def specs() -> dict[str, Spec]:
    """Every model script in models/, in the natural order of the titles."""
    found = []
    for path in sorted(MODELS_DIR.glob("*.py")):
        if path.stem in HELPERS:
            continue
        m = _load(path)
        found.append(
            Spec(
                path.stem,
                m.TITLE,
                m.FRAMEWORK,
                m.build,
                getattr(m, "TOLERANCE", TOLERANCE),
                getattr(m, "NOTE", ""),
            )
        )
    return {s.key: s for s in sorted(found, key=lambda s: _natural(s.title))}


# ---- one model -------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    title: str
    framework: str
    reference: str = ""
    note: str = ""
    status: str = "ok"
    error: float | None = None
    halo_ms: dict[str, float | None] = field(default_factory=dict)
    halo_runs: dict[str, int] = field(default_factory=dict)  # timed calls, where under --runs
    reference_ms: float | None = None
    reference_runs: int = 0
    seconds: float = 0.0


def summary(e: BaseException) -> str:
    """The first line of an error, with its type where it is not one of HALO's own."""
    first = (str(e).strip().splitlines() or [""])[0]
    text = first if isinstance(e, HaloError) else f"{type(e).__name__}: {first}".rstrip(": ")
    return text if len(text) <= 160 else text[:157] + "..."


def largest_error(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> float:
    """max |HALO - framework| / |framework| over all output elements, the denominator floored
    at 1e-3 of the output's largest magnitude (near-zero elements are not divided by ~0)."""
    if len(actual) != len(expected):
        raise ValueError(f"{len(actual)} outputs, the framework has {len(expected)}")
    worst = 0.0
    for a, e in zip(actual, expected):
        e = np.asarray(e, np.float64)
        if a.shape != e.shape:
            raise ValueError(f"output shape {a.shape}, the framework's is {e.shape}")
        floor = 1e-3 * max(float(np.abs(e).max(initial=0.0)), 1e-30)
        err = np.abs(a.astype(np.float64) - e) / np.maximum(np.abs(e), floor)
        worst = max(worst, float(np.nan_to_num(err, nan=np.inf).max(initial=0.0)))
    return worst


def sample(call: Callable[[], float], runs: int, warmup: int, budget: float) -> tuple[float, int]:
    """Median of up to ``runs`` timed calls (``call`` returns its milliseconds) after up to
    ``warmup`` untimed ones, and how many were timed. Either stops early once it has taken
    ``budget`` seconds (the warm-up: half of that), after at least one timed call."""
    start = time.monotonic()
    for _ in range(warmup):
        call()
        if time.monotonic() - start > budget / 2:
            break
    start, times = time.monotonic(), []
    while len(times) < runs and (not times or time.monotonic() - start < budget):
        times.append(call())
    return statistics.median(times), len(times)


def one_call(session: Session) -> Callable[[], float]:
    """One timed call in `halo bench`'s driver process."""
    return lambda: session.measure(0, 1)[0]


def timed(call: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        call()
        return (time.perf_counter() - start) * 1e3

    return run


_START = time.monotonic()


def log(message: str) -> None:
    print(
        f"[models-demo {time.monotonic() - _START:6.1f} s] {message}", file=sys.stderr, flush=True
    )


def evaluate(
    spec: Spec,
    runtimes: Sequence[str],
    runs: int,
    warmup: int,
    threads: int,
    workdir: Path,
    budget: float = 30.0,
) -> Row:
    """Build, compile, run, compare and time one model; every failure becomes the row's status."""
    start = time.monotonic()
    row = Row(spec.key, spec.title, spec.framework)
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        frameworks.THREADS = threads
        log(f"{spec.key}: building the {spec.framework} model")
        built = spec.build(workdir)
        row.reference = built.reference
        row.note = "; ".join(filter(None, [built.note, spec.note]))
        options = CompileOptions(weights=built.weights, input_shapes=built.input_shapes)
        log(f"{spec.key}: importing and optimizing {built.model.name}")
        graph = import_and_optimize(built.model, options)
    except Exception as e:  # a row says what went wrong
        traceback.print_exc()
        row.status, row.seconds = f"failed: {summary(e)}", time.monotonic() - start
        return row
    errors: dict[str, float] = {}
    failed: dict[str, str] = {}
    for rt in runtimes:
        log(f"{spec.key}: {rt}")
        try:
            so, name = build_library(built.model, graph, replace(options, runtime=rt))
            with Model(so, name) as compiled:
                outputs = compiled(*built.inputs)
            errors[rt] = largest_error(outputs, built.expected)
            (workdir / rt).mkdir(exist_ok=True)
            session = PreparedModel(graph, so, name, rt, workdir / rt).open_session(threads)
            time.sleep(SETTLE_S)
            row.halo_ms[rt], row.halo_runs[rt] = sample(one_call(session), runs, warmup, budget)
            session.close()
        except Exception as e:
            traceback.print_exc()
            failed[rt] = summary(e)
            row.halo_ms.setdefault(rt, None)
    if built.run_reference is not None:
        time.sleep(SETTLE_S)
        try:
            row.reference_ms, row.reference_runs = sample(
                timed(built.run_reference), runs, warmup, budget
            )
        except Exception as e:
            failed[built.reference] = summary(e)
    row.error = max(errors.values()) if errors else None
    row.status = status(errors, failed, spec.tolerance)
    row.seconds = time.monotonic() - start
    return row


def status(errors: dict[str, float], failed: dict[str, str], tolerance: float) -> str:
    parts = [f"failed on {k}: {v}" for k, v in failed.items()]
    bad = [f"{k} {v:.1e}" for k, v in errors.items() if not v <= tolerance]
    if bad:
        parts.insert(0, f"mismatch (> {tolerance:.0e}: {', '.join(bad)})")
    return "; ".join(parts) or "ok"


# ---- the table -------------------------------------------------------------------------------


def lscpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        out = ""
    names = re.findall(r"^Model name:\s*(.+)$", out, flags=re.M)
    return names[0].strip() if names else cpu_info()["cpu"]


def heading(
    a: argparse.Namespace, seconds: float | None = None, load: tuple[float, float] | None = None
) -> str:
    isa = cpu_info()["isa"] or "no notable ISA extensions"
    text = (
        f"CPU: {lscpu_model()} ({isa}), {os.cpu_count()} cores. Batch 1, {a.threads} threads "
        f"for HALO and for the framework, latency = median of {a.runs} calls after "
        f"{a.warmup} warm-up calls (fewer where they took over {a.budget:g} s: the count in "
        "parentheses)"
    )
    if load:
        text += f", load average {load[0]:.1f} before / {load[1]:.1f} after"
    if seconds is not None:
        text += f"; the whole run took {seconds / 60:.1f} min"
    return text + "."


def _ms(x: float | None, n: int = 0, runs: int = 0) -> str:
    if x is None or math.isnan(x):
        return "—"
    text = f"{x:.0f}" if x >= 100 else f"{x:.3g}"
    return f"{text} ({n})" if 0 < n < runs else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(rows: Sequence[Row], runtimes: Sequence[str], head: str, runs: int) -> str:
    cols = "".join(f" HALO {rt} ms |" for rt in runtimes)
    lines = [
        head,
        "",
        f"| model | framework | reference | input | status | largest relative error |{cols} "
        "framework ms |",
        "|---|---|---|---|---|---:|" + "---:|" * len(runtimes) + "---:|",
    ]
    for r in rows:
        err = "—" if r.error is None else f"{r.error:.1e}"
        ms = "".join(
            f" {_ms(r.halo_ms.get(rt), r.halo_runs.get(rt, 0), runs)} |" for rt in runtimes
        )
        ref = _ms(r.reference_ms, r.reference_runs, runs)
        lines.append(
            f"| {r.title} | {r.framework} | {r.reference} | {_cell(r.note)} | "
            f"{_cell(r.status)} | {err} |{ms} {ref} |"
        )
    return "\n".join(lines)


def write_readme(readme: Path, text: str) -> None:
    from run import write_readme  # benchmarks/run.py: its README block, with our markers

    write_readme(readme, text, BEGIN, END)


# ---- processes -------------------------------------------------------------------------------


def run_worker(spec: Spec, a: argparse.Namespace) -> Row:
    """``evaluate`` in a process of its own; a crash, a hang or no result becomes a failed row."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    result, logfile = WORKDIR / f"{spec.key}.json", WORKDIR / f"{spec.key}.log"
    result.unlink(missing_ok=True)
    argv = [
        sys.executable,
        __file__,
        "--worker",
        spec.key,
        "--runtimes",
        ",".join(a.runtimes),
        "--runs",
        str(a.runs),
        "--warmup",
        str(a.warmup),
        "--threads",
        str(a.threads),
        "--budget",
        str(a.budget),
    ]
    start = time.monotonic()
    row = Row(spec.key, spec.title, spec.framework)
    with logfile.open("w") as out:
        try:
            proc = subprocess.run(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=a.timeout,
                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
            )
        except subprocess.TimeoutExpired:
            row.status = f"failed: no result within {a.timeout} s"
            row.seconds = time.monotonic() - start
            return row
    if proc.returncode == 0 and result.is_file():
        return Row(**json.loads(result.read_text()))
    how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit status {proc.returncode}"
    row.status = f"failed: the worker ended with {how} (build/models-demo/{spec.key}.log)"
    row.seconds = time.monotonic() - start
    return row


def progress(i: int, n: int, r: Row, runtimes: Sequence[str]) -> str:
    err = "" if r.error is None else f", error {r.error:.1e}"
    ms = ", ".join(f"{rt} {_ms(r.halo_ms.get(rt))} ms" for rt in runtimes)
    ref = f", {r.reference} {_ms(r.reference_ms)} ms" if r.reference_ms is not None else ""
    return f"[{i:2}/{n}] {r.key} ({r.framework}): {r.status}{err}; {ms}{ref} ({r.seconds:.0f} s)"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--models", help="comma-separated script names (default: all; see --list)")
    p.add_argument("--runtimes", help="comma-separated ODLA runtimes (default: all)")
    p.add_argument("--runs", type=int, default=10, help="timed calls per engine (default 10)")
    p.add_argument("--warmup", type=int, default=2, help="untimed calls first (default 2)")
    p.add_argument("--threads", type=int, default=2, help="threads of every engine (default 2)")
    p.add_argument(
        "--budget",
        type=float,
        default=30.0,
        help="seconds of timed calls per engine before it stops short of --runs",
    )
    p.add_argument("--timeout", type=int, default=3600, help="seconds per model (default 3600)")
    p.add_argument("--readme", type=Path, help="write the table between the README's markers")
    p.add_argument("--json", type=Path, help="also write the heading and rows as JSON")
    p.add_argument("--list", action="store_true", help="list the model scripts and exit")
    p.add_argument("--worker", help=argparse.SUPPRESS)  # one model, in this process
    a = p.parse_args(argv)
    known = paths.available_runtimes()
    a.runtimes = a.runtimes.split(",") if a.runtimes else known
    unknown = sorted(set(a.runtimes) - set(known))
    if unknown:
        p.error(f"unknown runtime(s) {', '.join(unknown)}; the runtimes: {', '.join(known)}")
    if a.runs < 1 or a.warmup < 0 or a.threads < 1 or a.budget <= 0:
        p.error("--runs and --threads must be at least 1, --warmup at least 0, --budget above 0")
    return a


def main(argv: Sequence[str] | None = None) -> int:
    a = parse(argv)
    every = specs()
    if a.list:
        for s in every.values():
            print(f"{s.key:16} {s.framework:11} {s.title}")
        return 0
    if a.worker:
        row = evaluate(
            every[a.worker], a.runtimes, a.runs, a.warmup, a.threads, WORKDIR / a.worker, a.budget
        )
        (WORKDIR / f"{a.worker}.json").write_text(json.dumps(asdict(row), indent=1))
        return 0
    keys = a.models.split(",") if a.models else list(every)
    missing = [k for k in keys if k not in every]
    if missing:
        raise SystemExit(f"unknown model(s) {', '.join(missing)}; the models: {', '.join(every)}")
    start, load = time.monotonic(), os.getloadavg()[0]
    print(heading(a), flush=True)
    rows = []
    for i, key in enumerate(keys, 1):
        rows.append(run_worker(every[key], a))
        print(progress(i, len(keys), rows[-1], a.runtimes), flush=True)
    head = heading(a, time.monotonic() - start, (load, os.getloadavg()[0]))
    text = table(rows, a.runtimes, head, a.runs)
    print(text)
    if a.readme:
        write_readme(a.readme, text)
    if a.json:
        a.json.write_text(
            json.dumps({"heading": head, "rows": [asdict(r) for r in rows]}, indent=1)
        )
    ok = sum(r.status == "ok" for r in rows)
    print(f"{ok} of {len(rows)} models ok", file=sys.stderr)
    return 0


def script_main(script: str) -> int:
    """``python models/<key>.py [options]``: the demo of that one model."""
    return main(["--models", Path(script).stem, *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
