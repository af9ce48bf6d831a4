"""A peer engine (ONNX Runtime or the TFLite interpreter) behind the protocol of `halo bench`'s
driver (generator/halo/bench_main.cc), so that benchmarks/run.py can interleave all engines.

    python benchmarks/worker.py ort|tflite MODEL THREADS

ONNX Runtime runs sequentially with THREADS intra-op threads; the TFLite interpreter with
num_threads=THREADS. Inputs are random with a fixed seed (integers 0/1, valid as indices).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable

import numpy as np


def vm_hwm_kb() -> int:
    """Peak resident memory of this process image (VmHWM; ru_maxrss survives execve)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _random(shape: tuple[int, ...], dtype: np.dtype, rng: np.random.Generator) -> np.ndarray:
    if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
        return rng.integers(0, 2, shape).astype(dtype)
    return rng.uniform(-1, 1, shape).astype(dtype)


def ort_runner(model: str, threads: int) -> Callable[[], object]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    types = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(int32)": np.int32}
    feed = {
        i.name: _random(tuple(i.shape), np.dtype(types[i.type]), rng) for i in sess.get_inputs()
    }
    return lambda: sess.run(None, feed)


def tflite_runner(model: str, threads: int) -> Callable[[], object]:
    import tensorflow as tf

    interp = tf.lite.Interpreter(model_path=model, num_threads=threads)
    interp.allocate_tensors()
    rng = np.random.default_rng(0)
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], _random(tuple(d["shape"]), np.dtype(d["dtype"]), rng))
    return interp.invoke


def main(argv: list[str]) -> int:
    engine, model, threads = argv[0], argv[1], int(argv[2])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    importlib.import_module("onnxruntime" if engine == "ort" else "tensorflow")
    baseline = vm_hwm_kb()  # after importing the engine, before loading the model
    start = time.perf_counter()
    call = (ort_runner if engine == "ort" else tflite_runner)(model, threads)
    print(
        f"ready init_ms {(time.perf_counter() - start) * 1e3:.3f} baseline_kb {baseline}",
        flush=True,
    )
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["quit"]:
            break
        warmup, runs = int(words[1]), int(words[2])
        for _ in range(warmup):
            call()
        times = []
        for _ in range(runs):
            t = time.perf_counter_ns()
            call()
            times.append(time.perf_counter_ns() - t)
        print("times_ns " + " ".join(map(str, times)), flush=True)
    print(f"done maxrss_kb {vm_hwm_kb()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
