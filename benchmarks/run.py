"""Latency and memory of HALO's runtimes next to ONNX Runtime and the TFLite interpreter.

    .venv/bin/python benchmarks/run.py [--runs 10] [--rounds 5] [--threads 2] [--models a,b]
                                       [--readme README.md] [--chart docs/benchmarks.png]

Every model (benchmarks/bench_models.py, built in code with fixed seeds, batch 1) runs on every
HALO runtime (``halo.paths.available_runtimes()``) through the code path of ``halo bench``, and on
its peers: ONNX Runtime for ONNX files (sequential, ``--threads`` intra-op threads), the TFLite
interpreter for .tflite files (``num_threads=--threads``). Each engine is a process of its own
(so peak RSS is its own), all of a model's engines are loaded at once, and the timed calls
alternate between them in ``--rounds`` round-robin rounds, so machine noise hits all equally.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_models  # noqa: E402
from halo import paths  # noqa: E402
from halo.bench import PreparedModel, Session, cpu_info, prepare, quantiles  # noqa: E402
from halo.compiler import CompileOptions  # noqa: E402
from halo.errors import HaloError  # noqa: E402

BEGIN, END = "<!-- bench-results -->", "<!-- /bench-results -->"
PEERS = ("ONNX Runtime", "TFLite")
SETTLE_S = 0.05  # pause between engines: a peer's spinning worker threads wind down


@dataclass
class Engine:
    name: str
    session: Session
    prepared: PreparedModel | None = None
    times: list[float] = field(default_factory=list)
    arena_mb: float | None = None
    peak_mb: float = 0.0


@dataclass(frozen=True)
class Row:
    model: str
    engine: str
    median_ms: float
    p90_ms: float
    ratio: float | None  # median / the faster peer's median
    peak_rss_mb: float
    rss_growth_mb: float  # peak RSS over the engine's process before it loaded the model
    arena_mb: float | None
    note: str = ""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def open_engines(path: Path, threads: int, workdir: Path) -> tuple[list[Engine], list[Row]]:
    engines, failed = [], []
    for rt in paths.available_runtimes():
        name = f"HALO {rt}"
        (workdir / rt).mkdir(parents=True, exist_ok=True)
        try:
            prepared = prepare(path, CompileOptions(runtime=rt), workdir / rt)
            arena, source = prepared.arena(threads)
            engine = Engine(name, prepared.open_session(threads), prepared)
            engine.arena_mb = arena / 2**20
            if source != "runtime":
                log(f"{path.stem} on {rt}: arena from {source}")
            engines.append(engine)
        except HaloError as e:
            log(f"{path.stem} on {rt} failed: {str(e).splitlines()[0]}")
            failed.append(
                Row(
                    path.stem,
                    name,
                    math.nan,
                    math.nan,
                    None,
                    math.nan,
                    math.nan,
                    None,
                    f"failed: {str(e).splitlines()[0][:80]}",
                )
            )
    peer, kind = ("ONNX Runtime", "ort") if path.suffix == ".onnx" else ("TFLite", "tflite")
    argv = [sys.executable, str(ROOT / "benchmarks" / "worker.py"), kind, str(path), str(threads)]
    engines.append(
        Engine(peer, Session(argv, {**os.environ, "OMP_NUM_THREADS": str(threads)}, peer))
    )
    return engines, failed


def measure(engines: list[Engine], runs: int, rounds: int, warmup: int) -> None:
    per_round = max(1, math.ceil(runs / rounds))
    for e in engines:
        e.session.measure(warmup, 0)
    for r in range(rounds):
        for e in engines[r % len(engines) :] + engines[: r % len(engines)]:
            time.sleep(SETTLE_S)
            e.times += e.session.measure(0, per_round)
    for e in engines:
        e.peak_mb = e.session.close()


def bench_one(name: str, a: argparse.Namespace, models_dir: Path, workdir: Path) -> list[Row]:
    path = bench_models.build(name, models_dir)
    log(f"{name}: loading engines")
    engines, rows = open_engines(path, a.threads, workdir / name)
    log(f"{name}: {a.runs} runs per engine in {a.rounds} alternating rounds")
    measure(engines, a.runs, a.rounds, a.warmup)
    peers = [quantiles(e.times)[0] for e in engines if e.name in PEERS]
    best = min(peers) if peers else None
    for e in engines:
        median, p90 = quantiles(e.times)
        rows.append(
            Row(
                name,
                e.name,
                median,
                p90,
                median / best if best else None,
                e.peak_mb,
                e.peak_mb - e.session.baseline_mb,
                e.arena_mb,
            )
        )
    return rows


def heading(a: argparse.Namespace, load: tuple[float, float] | None = None) -> str:
    cpu = cpu_info()
    load_text = f", load average {load[0]:.1f} before / {load[1]:.1f} after" if load else ""
    return (
        f"{cpu['cpu']} ({cpu['isa'] or 'no notable ISA extensions'}), {os.cpu_count()} cores, "
        f"{a.threads} threads, batch 1, {a.runs} timed runs per engine in {a.rounds} "
        f"alternating rounds{load_text}"
    )


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "" if x is None or math.isnan(x) else format(x, fmt)


def table(rows: list[Row], head: str) -> str:
    lines = [
        f"Measured on {head}. Ratio: median over the faster of ONNX Runtime / TFLite "
        "on the same model. Peak RSS is the engine's whole process (HALO: a small C++ driver; "
        "peers: Python with the engine imported); growth is over that process before it "
        "loaded the model. Arena: the runtime's planned activation memory.",
        "",
        "| model | engine | median ms | p90 ms | ratio | peak RSS MB | RSS growth MB | arena MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.model} | {r.engine}{' (' + r.note + ')' if r.note else ''} | "
            f"{_num(r.median_ms)} | {_num(r.p90_ms)} | {_num(r.ratio)} | "
            f"{_num(r.peak_rss_mb, '.1f')} | {_num(r.rss_growth_mb, '.1f')} | "
            f"{_num(r.arena_mb, '.1f')} |"
        )
    return "\n".join(lines)


def write_readme(readme: Path, text: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace what stands between the ``begin`` and ``end`` markers of ``readme`` by ``text``."""
    content = readme.read_text()
    if begin not in content or end not in content:
        raise SystemExit(f"{readme} has no {begin} ... {end} markers")
    head, rest = content.split(begin, 1)
    readme.write_text(f"{head}{begin}\n{text}\n{end}{rest.split(end, 1)[1]}")


def chart(rows: list[Row], head: str, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(r.model for r in rows))
    slot = lambda e: " / ".join(PEERS) if e in PEERS else e  # noqa: E731  (one slot for the peer)
    engines = list(dict.fromkeys(slot(r.engine) for r in rows))
    width = 0.8 / len(engines)
    fig, ax = plt.subplots(figsize=(11, 5))
    for i, engine in enumerate(engines):
        mine = {r.model: r for r in rows if slot(r.engine) == engine and r.ratio}
        xs = [m for m in range(len(models)) if models[m] in mine]
        bars = ax.bar(
            [x + (i - (len(engines) - 1) / 2) * width for x in xs],
            [mine[models[x]].ratio or 0.0 for x in xs],
            width,
            label=engine,
        )
        ms = [mine[models[x]].median_ms for x in xs]
        labels = [f"{t:.0f}" if t >= 100 else f"{t:.3g}" for t in ms]
        ax.bar_label(bars, labels, fontsize=6, rotation=90, padding=2)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(models)), models)
    ax.set_ylabel("median latency / faster peer (log scale, lower is better)")
    ax.set_yscale("log")
    ax.margins(y=0.15)
    ax.set_title("\n".join(textwrap.wrap(head + ". Bar labels: median ms.", 130)), fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--models", default=",".join([*bench_models.ONNX_MODELS, *bench_models.TFLITE_MODELS])
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=10, help="timed calls per engine (default 10)")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    p.add_argument("--warmup", type=int, default=2, help="untimed calls per engine first")
    p.add_argument("--models-dir", type=Path, default=ROOT / "build" / "benchmarks")
    p.add_argument("--readme", type=Path, help="write the table between the README's markers")
    p.add_argument("--chart", type=Path, help="write a bar chart of the ratios (matplotlib)")
    p.add_argument("--json", type=Path, help="write the heading and rows as JSON")
    p.add_argument("--from-json", type=Path, help="measure nothing: render a --json file")
    a = p.parse_args()
    if a.from_json:
        saved = json.loads(a.from_json.read_text())
        head, rows = saved["heading"], [Row(**r) for r in saved["rows"]]
    else:
        head, rows = measure_all(a)
    text = table(rows, head)
    print(text)
    if a.readme:
        write_readme(a.readme, text)
    if a.chart:
        chart(rows, head, a.chart)
    if a.json:
        a.json.write_text(
            json.dumps({"heading": head, "rows": [r.__dict__ for r in rows]}, indent=1)
        )
    return 0


def measure_all(a: argparse.Namespace) -> tuple[str, list[Row]]:
    start_load = os.getloadavg()[0]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="halo-benchmarks-") as d:
        for name in a.models.split(","):
            rows += bench_one(name, a, a.models_dir, Path(d))
            part = table([r for r in rows if r.model == name], heading(a))
            print(part.split("\n", 2)[2], flush=True)
    return heading(a, (start_load, os.getloadavg()[0])), rows  # load: other work on the machine


if __name__ == "__main__":
    raise SystemExit(main())
