"""fp32, bf16 and fp16 weights (``--precision``) of one model side by side with ONNX Runtime.

    .venv/bin/python benchmarks/precision.py [--models resnet50] [--runtimes dnnl]
                                             [--precisions fp32,bf16,fp16] [--runs 12 --rounds 3]

Every (runtime, precision) build of a benchmark model (benchmarks/bench_models.py) is an engine
next to ONNX Runtime in float32, timed the way benchmarks/run.py times engines (a process each,
alternating rounds). Per build also: the weights object's size, and the outputs' largest and RMS
difference from ONNX Runtime's on one seeded input, relative to the RMS of ONNX Runtime's output.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_models  # noqa: E402
from halo.bench import Session, cpu_info, prepare, quantiles  # noqa: E402
from halo.compiler import CompileOptions, compile_graph  # noqa: E402
from halo.runtime import Model  # noqa: E402
from run import Engine, measure  # noqa: E402


def weights_bytes(model: Path, engine: Engine, options: CompileOptions) -> int:
    assert engine.prepared is not None
    files = compile_graph(engine.prepared.graph, model, options).files
    return len(files[f"{engine.prepared.name}.o"])


def accuracy(engine: Engine, x: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(largest, RMS) difference from ``ref`` over the RMS of ``ref``."""
    assert engine.prepared is not None
    with Model(engine.prepared.library, engine.prepared.name) as m:
        y = m(x)[0].astype(np.float64)
    scale = float(np.sqrt(np.mean(ref.astype(np.float64) ** 2)))
    d = y - ref
    return float(np.abs(d).max()) / scale, float(np.sqrt(np.mean(d**2))) / scale


def bench(name: str, a: argparse.Namespace, workdir: Path) -> list[str]:
    path = bench_models.build(name, a.models_dir)
    engines, options = [], {}
    for rt in a.runtimes.split(","):
        for p in a.precisions.split(","):
            opts = CompileOptions(runtime=rt, precision=p)
            (workdir / f"{rt}-{p}").mkdir(parents=True)
            prepared = prepare(path, opts, workdir / f"{rt}-{p}")
            e = Engine(f"HALO {rt} {p}", prepared.open_session(a.threads), prepared)
            engines.append(e)
            options[e.name] = opts
    worker = str(ROOT / "benchmarks" / "worker.py")
    argv = [sys.executable, worker, "ort", str(path), str(a.threads)]
    ort_env = {**os.environ, "OMP_NUM_THREADS": str(a.threads)}
    engines.append(Engine("ONNX Runtime fp32", Session(argv, ort_env, "ONNX Runtime")))
    measure(engines, a.runs, a.rounds, a.warmup)

    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feed = sess.get_inputs()[0]
    assert engines[0].prepared is not None
    shape = engines[0].prepared.graph.inputs[0].shape
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    ref = sess.run(None, {feed.name: x})[0]
    peer = quantiles(engines[-1].times)[0]
    fp32_bytes = {}
    rows = []
    for e in engines:
        median, p90 = quantiles(e.times)
        if e.prepared is None:
            rows.append(f"| {name} | {e.name} | {median:.2f} | {p90:.2f} | 1.00 | | | |")
            continue
        size = weights_bytes(path, e, options[e.name])
        rt = e.prepared.runtime
        fp32_bytes.setdefault(rt, size)
        worst, rms = accuracy(e, x, ref)
        rows.append(
            f"| {name} | {e.name} | {median:.2f} | {p90:.2f} | {median / peer:.2f} | "
            f"{size / 2**20:.1f} ({size / fp32_bytes[rt]:.2f}x) | {worst:.1e} | {rms:.1e} |"
        )
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="resnet50")
    p.add_argument("--runtimes", default="dnnl")
    p.add_argument("--precisions", default="fp32,bf16,fp16")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=12)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--models-dir", type=Path, default=ROOT / "build" / "benchmarks")
    a = p.parse_args()
    cpu = cpu_info()
    load0 = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory(prefix="halo-precision-") as d:
        for name in a.models.split(","):
            rows += bench(name, a, Path(d) / name)
    print(
        f"{cpu['cpu']} ({cpu['isa']}), {os.cpu_count()} cores, {a.threads} threads, batch 1, "
        f"{a.runs} timed runs per engine in {a.rounds} alternating rounds, load average "
        f"{load0:.1f} before / {os.getloadavg()[0]:.1f} after. Ratio: median over ONNX Runtime's "
        "(float32). Error: outputs vs ONNX Runtime's on one seeded input, over their RMS.\n"
    )
    print("| model | engine | median ms | p90 ms | ratio | weights MiB | max error | RMS error |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
