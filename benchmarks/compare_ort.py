"""Latency and memory of HALO's compiled models next to ONNX Runtime, in one run, as ratios.

    .venv/bin/python benchmarks/compare_ort.py [--threads 2] [--repeat 20] [--models resnet18,mobilenet_v2]

Both engines run the same ONNX file (built in code, fixed seeds) on the same input, with the same
thread count, in this process. Latency is the median of ``--repeat`` runs after warm-up. Memory is
HALO's planned activation arena (``halo info``) next to ORT's peak RSS growth while loading + running.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import models  # noqa: E402
from halo.analysis import summary  # noqa: E402
from halo.compiler import CompileOptions, import_and_optimize  # noqa: E402
from halo.run import build_library, execute_library  # noqa: E402

BUILDERS = {"resnet18": models.resnet18, "mobilenet_v2": models.mobilenet_v2,
            "mnist_cnn": models.mnist_cnn}


def _median_ms(fn, repeat: int) -> float:
    fn()
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def bench(name: str, threads: int, repeat: int, tmp: Path) -> dict[str, float]:
    import onnxruntime as ort

    model = BUILDERS[name]()
    path = tmp / f"{name}.onnx"
    onnx.save(model, path)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)

    os.environ["ODLA_NUM_THREADS"] = str(threads)
    options = CompileOptions()
    graph = import_and_optimize(path, options)
    so, fn = build_library(path, graph, options)
    halo_ms = _median_ms(lambda: execute_library(so, fn, graph, [x]), repeat)
    halo_out = execute_library(so, fn, graph, [x])[0]

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    feed = {model.graph.input[0].name: x}
    ort_ms = _median_ms(lambda: sess.run(None, feed), repeat)
    ort_out = sess.run(None, feed)[0]
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) * 1024
    s = summary(graph)
    return {"halo_ms": halo_ms, "ort_ms": ort_ms, "ratio": halo_ms / ort_ms,
            "gflops": s["flops"] / 1e9, "halo_arena_mib": s["activation_bytes"] / 2**20,  # type: ignore[operator]
            "ort_rss_growth_mib": rss_growth / 2**20,
            "max_abs_diff": float(np.abs(halo_out - ort_out).max())}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--models", default="mnist_cnn,resnet18,mobilenet_v2")
    a = p.parse_args()
    print(f"| model | GFLOP | HALO ms | ORT ms | HALO/ORT | HALO arena MiB | ORT RSS growth MiB | max |diff| |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for name in a.models.split(","):
            r = bench(name, a.threads, a.repeat, Path(d))
            print(f"| {name} | {r['gflops']:.2f} | {r['halo_ms']:.2f} | {r['ort_ms']:.2f} | "
                  f"{r['ratio']:.2f} | {r['halo_arena_mib']:.1f} | {r['ort_rss_growth_mib']:.1f} | "
                  f"{r['max_abs_diff']:.1e} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
