"""Top-1 agreement of int8 ResNet-50 with float32, in HALO and in ONNX Runtime (issue 9).

    .venv/bin/python benchmarks/int8_agreement.py [--count 200] [--seed 1000] [--threads 2]
        [--runtimes reference[,dnnl]] [--model resnet50|small] [--json out.json]
        [--calibration-method minmax|percentile|entropy] [--halo-ptq]

Models (benchmarks/bench_models.py, reused from --models-dir when there): ``resnet50``, float32
with the seeded weights of ``Net(0)``, and ``resnet50_int8``, ONNX Runtime's quantize_static of it
(QDQ, uint8 activations, per-channel int8 weights, min-max calibration on 8 images drawn as
``np.random.default_rng(1).standard_normal((1, 3, 224, 224))``, float32). Another
--calibration-method quantizes the same way with that ONNX Runtime calibrator into
``resnet50_int8_<method>.onnx``. ``--model small`` is a ResNet-18 at 32x32 with 100 classes,
quantized the same way (for tests). ``--halo-ptq`` adds HALO's own post-training quantization
(``--quantize int8``) of the float model on the same 8 calibration images.

Each model is compiled once per HALO runtime into one shared library (``compile_model(...,
library=...)``, as ``halo compile --emit-lib`` does; the C++ build is cached by content) and
loaded with ``halo.runtime.Model``; ONNX Runtime runs both files sequentially with ``--threads``
intra-op threads. The test inputs are ``--count`` images from the calibration's distribution
(i.i.d. standard normal float32, the model's input shape) but from ``default_rng(--seed)``, a seed
other than the calibration's 1: calibration-independent.

Reported per pair "a vs b" (int8 vs fp32 within an engine, engine vs engine at one precision):
top-1 agreement, top-5 agreement (a's top-1 class is among b's top 5) and the relative logit error
||a - b|| / ||b|| (mean and max over the inputs). Random weights make the logits of every input
nearly the same vector, so one class can win on every input and top-1 agreement says little; the
script reports how many distinct fp32 top-1 classes the inputs have, the fp32 margin (top-1 minus
top-2 logit) next to the int8 error, and the same figures for a "debiased head": the logits minus
their fp32 mean over the 8 calibration images (the model with its last bias lowered by that mean),
whose top-1 class depends on the input. The row "ORT int8 (x + 1e-6 noise) vs ORT int8" is
int8's noise floor: how far ONNX Runtime's own int8 logits move when each input is perturbed by
1e-6 * N(0, 1) (a few input elements round the other way); two int8 engines whose rounding differs
in a few elements of one layer differ by about that much.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import onnx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_models  # noqa: E402  (also puts tests/ on sys.path)
from halo import paths  # noqa: E402
from halo.bench import cpu_info  # noqa: E402
from halo.compiler import CompileOptions, compile_model  # noqa: E402
from halo.runtime import Model  # noqa: E402
from onnx_util import ort_quantize  # noqa: E402  (tests/onnx_util.py)

from models import resnet18  # noqa: E402  (tests/models.py)

CALIBRATION_SEED = 1  # bench_models.resnet50_int8: default_rng(1), 8 standard normal images
CALIBRATION_SAMPLES = 8
NOISE = 1e-6  # the input perturbation of the noise-floor row
NOISY = "ORT int8 (x + 1e-6 noise)"
METHODS = {"minmax": "MinMax", "percentile": "Percentile", "entropy": "Entropy"}

Logits = Callable[[np.ndarray], np.ndarray]


def log(message: str) -> None:
    print(f"[int8] {message}", file=sys.stderr, flush=True)


def calibration_samples(shape: tuple[int, ...]) -> list[np.ndarray]:
    """The calibration images of bench_models.resnet50_int8 (for the input ``shape``)."""
    rng = np.random.default_rng(CALIBRATION_SEED)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(CALIBRATION_SAMPLES)]


def input_shape(model: Path) -> tuple[int, ...]:
    dims = onnx.load(model, load_external_data=False).graph.input[0].type.tensor_type.shape.dim
    return tuple(d.dim_value for d in dims)


def _quantize(model: onnx.ModelProto, method: str) -> onnx.ModelProto:
    """tests/onnx_util.ort_quantize (QUInt8 activations) with another ONNX Runtime calibrator."""
    from onnxruntime import quantization
    from onnxruntime.quantization.shape_inference import quant_pre_process

    name = model.graph.input[0].name
    dims = tuple(d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim)
    feeds = iter({name: s} for s in calibration_samples(dims))

    class Reader(quantization.CalibrationDataReader):
        def get_next(self):
            return next(feeds, None)

    with tempfile.TemporaryDirectory() as tmp:
        src, pre, out = (Path(tmp) / f for f in ("float.onnx", "pre.onnx", "qdq.onnx"))
        onnx.save(model, src)
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        quantization.quantize_static(
            str(pre),
            str(out),
            Reader(),
            quant_format=quantization.QuantFormat.QDQ,
            per_channel=True,
            activation_type=quantization.QuantType.QUInt8,
            weight_type=quantization.QuantType.QInt8,
            calibrate_method=getattr(quantization.CalibrationMethod, METHODS[method]),
        )
        return onnx.load(out)


def _small_fp32() -> onnx.ModelProto:
    return resnet18(seed=0, size=32, classes=100)


def _small_int8() -> onnx.ModelProto:
    with tempfile.TemporaryDirectory() as tmp:
        return ort_quantize(_small_fp32(), Path(tmp), calibration_samples((1, 3, 32, 32)), "QUInt8")


def _saved(path: Path, make: Callable[[], onnx.ModelProto]) -> Path:
    if not path.is_file():
        log(f"building {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(make(), f"{path}.tmp")
        os.replace(f"{path}.tmp", path)
    return path


def model_files(which: str, method: str, folder: Path) -> tuple[Path, Path]:
    """The fp32 and int8 model files, built unless they are in ``folder`` already."""
    if which == "resnet50":
        fp32 = bench_models.build("resnet50", folder)
        if method == "minmax":
            return fp32, bench_models.build("resnet50_int8", folder)
        name, make = "resnet50", bench_models.resnet50
    else:
        fp32 = _saved(folder / "resnet18_small.onnx", _small_fp32)
        if method == "minmax":
            return fp32, _saved(folder / "resnet18_small_int8.onnx", _small_int8)
        name, make = "resnet18_small", _small_fp32
    return fp32, _saved(folder / f"{name}_int8_{method}.onnx", lambda: _quantize(make(), method))


def halo_runner(model: Path, options: CompileOptions, out: Path, name: str) -> Logits:
    library = out / options.runtime / f"lib{name}.so"
    start = time.perf_counter()
    compile_model(model, library.parent / name, replace(options, name=name), library=library)
    log(f"compiled {name} for {options.runtime} in {time.perf_counter() - start:.1f} s")
    m = Model(library)
    return lambda x: m(x)[0].reshape(-1)


def ort_runner(model: Path, threads: int) -> Logits:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return lambda x: sess.run(None, {name: x})[0].reshape(-1)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str  # the reference side of the comparison
    count: int
    top1: float  # argmax a == argmax b
    top5: float  # argmax a among the 5 largest of b
    mean_rel_err: float  # mean over inputs of ||a - b|| / ||b||
    max_rel_err: float
    debiased_top1: float  # the same three with the fp32 calibration mean subtracted from a and b
    debiased_top5: float
    debiased_rel_err: float


def _top(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    top1a = a.argmax(1)
    top5b = np.argsort(-b, axis=1)[:, :5]
    return float((top1a == b.argmax(1)).mean()), float((top5b == top1a[:, None]).any(1).mean())


def compare(a: str, b: str, la: np.ndarray, lb: np.ndarray, bias: np.ndarray) -> Pair:
    rel = np.linalg.norm(la - lb, axis=1) / np.linalg.norm(lb, axis=1)
    debiased = np.linalg.norm(la - lb, axis=1) / np.linalg.norm(lb - bias, axis=1)
    return Pair(
        a,
        b,
        len(la),
        *_top(la, lb),
        float(rel.mean()),
        float(rel.max()),
        *_top(la - bias, lb - bias),
        float(debiased.mean()),
    )


def _quantiles(x: np.ndarray) -> dict[str, float]:
    q = np.quantile(x, [0.0, 0.1, 0.5, 0.9, 1.0])
    return dict(zip(("min", "p10", "median", "p90", "max"), map(float, q)))


def margins(fp32: np.ndarray, int8: np.ndarray) -> dict[str, object]:
    """The fp32 top-1 minus top-2 logit, the int8 error's largest |logit difference| on each
    input, how often the margin is below twice that error, and the margins of the inputs whose
    top-1 changes."""
    top2 = np.sort(fp32, axis=1)[:, -2:]
    margin = top2[:, 1] - top2[:, 0]
    err = np.abs(int8 - fp32).max(1)
    flipped = int8.argmax(1) != fp32.argmax(1)
    return {
        "distinct_fp32_top1": int(len(np.unique(fp32.argmax(1)))),
        "margin": _quantiles(margin),
        "margin_over_logit_std": _quantiles(margin / fp32.std(1)),
        "int8_max_abs_logit_err": _quantiles(err),
        "margin_below_2x_err": float((margin < 2 * err).mean()),
        "flipped": int(flipped.sum()),
        "flipped_margins": [float(m) for m in margin[flipped]],
    }


def table(pairs: list[Pair]) -> str:
    lines = [
        "| a vs b | inputs | top-1 | top-5 | mean rel. logit err | max | debiased top-1 | "
        "debiased top-5 | debiased rel. err |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in pairs:
        lines.append(
            f"| {p.a} vs {p.b} | {p.count} | {100 * p.top1:.1f}% | {100 * p.top5:.1f}% | "
            f"{p.mean_rel_err:.2e} | {p.max_rel_err:.2e} | {100 * p.debiased_top1:.1f}% | "
            f"{100 * p.debiased_top5:.1f}% | {p.debiased_rel_err:.2e} |"
        )
    return "\n".join(lines)


def margin_table(margins: dict[str, dict]) -> str:
    lines = [
        "| int8 vs fp32 | logits | distinct fp32 top-1 | top-1 changed | margin < 2x int8 err | "
        "fp32 margin min / p10 / median / p90 | margin / logit std (median) | "
        "int8 max abs logit err (median) |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for key, m in margins.items():
        engine, kind = key.rsplit(" ", 1)
        q = m["margin"]
        lines.append(
            f"| {engine} | {kind} | {m['distinct_fp32_top1']} | {m['flipped']} | "
            f"{100 * m['margin_below_2x_err']:.1f}% | "
            f"{q['min']:.3g} / {q['p10']:.3g} / {q['median']:.3g} / {q['p90']:.3g} | "
            f"{m['margin_over_logit_std']['median']:.3g} | "
            f"{m['int8_max_abs_logit_err']['median']:.3g} |"
        )
    return "\n".join(lines)


def open_engines(a: argparse.Namespace, fp32: Path, int8: Path) -> dict[str, Logits]:
    engines = {"ORT fp32": ort_runner(fp32, a.threads), "ORT int8": ort_runner(int8, a.threads)}
    for rt in a.runtimes.split(","):
        opts = CompileOptions(runtime=rt)
        engines[f"HALO {rt} fp32"] = halo_runner(fp32, opts, a.out, fp32.stem)
        engines[f"HALO {rt} int8"] = halo_runner(int8, opts, a.out, int8.stem)
        if a.halo_ptq:
            calibration = a.out / f"calibration-{fp32.stem}.npz"
            np.savez(calibration, input=np.stack(calibration_samples(input_shape(fp32))))
            opts = CompileOptions(
                runtime=rt,
                quantize="int8",
                calibration=calibration,
                calibration_method=a.calibration_method,
            )
            name = f"{fp32.stem}_halo_int8_{a.calibration_method}"
            engines[f"HALO {rt} PTQ int8"] = halo_runner(fp32, opts, a.out, name)
    return engines


def pairs_and_margins(
    a: argparse.Namespace, out: dict[str, np.ndarray], bias: np.ndarray
) -> tuple[list[Pair], dict[str, dict]]:
    pairs = [
        compare("ORT int8", "ORT fp32", out["ORT int8"], out["ORT fp32"], bias),
        compare(NOISY, "ORT int8", out[NOISY], out["ORT int8"], bias),
    ]
    margin = {
        "ORT raw": margins(out["ORT fp32"], out["ORT int8"]),
        "ORT debiased": margins(out["ORT fp32"] - bias, out["ORT int8"] - bias),
    }
    for rt in a.runtimes.split(","):
        h8, h32, ptq = f"HALO {rt} int8", f"HALO {rt} fp32", f"HALO {rt} PTQ int8"
        pairs += [
            compare(h8, h32, out[h8], out[h32], bias),
            compare(h8, "ORT int8", out[h8], out["ORT int8"], bias),
            compare(h32, "ORT fp32", out[h32], out["ORT fp32"], bias),
            compare(h8, "ORT fp32", out[h8], out["ORT fp32"], bias),
        ]
        margin[f"HALO {rt} raw"] = margins(out[h32], out[h8])
        margin[f"HALO {rt} debiased"] = margins(out[h32] - bias, out[h8] - bias)
        if ptq in out:
            pairs.append(compare(ptq, h32, out[ptq], out[h32], bias))
            margin[f"{ptq} debiased"] = margins(out[h32] - bias, out[ptq] - bias)
    return pairs, margin


def run(a: argparse.Namespace) -> dict[str, object]:
    load_before = os.getloadavg()[0]
    fp32_path, int8_path = model_files(a.model, a.calibration_method, a.models_dir)
    missing = sorted(set(a.runtimes.split(",")) - set(paths.available_runtimes()))
    if missing:
        raise SystemExit(f"unknown runtime(s) {missing}; have {paths.available_runtimes()}")
    engines = open_engines(a, fp32_path, int8_path)
    shape = input_shape(fp32_path)
    bias = np.mean([engines["ORT fp32"](x) for x in calibration_samples(shape)], axis=0)
    rng = np.random.default_rng(a.seed)
    noise = np.random.default_rng(a.seed + 1)
    logits: dict[str, list[np.ndarray]] = {name: [] for name in [*engines, NOISY]}
    start = time.perf_counter()
    for i in range(a.count):
        x = rng.standard_normal(shape).astype(np.float32)
        for name, fn in engines.items():
            logits[name].append(fn(x))
        x += (NOISE * noise.standard_normal(shape)).astype(np.float32)
        logits[NOISY].append(engines["ORT int8"](x))
        if (i + 1) % 50 == 0:
            log(f"{i + 1}/{a.count} inputs ({time.perf_counter() - start:.0f} s)")
    out = {k: np.stack(v).astype(np.float64) for k, v in logits.items()}
    pairs, margin = pairs_and_margins(a, out, bias.astype(np.float64))
    if a.save_logits:
        np.savez(a.save_logits, calibration_mean=bias, **out)
    cpu = cpu_info()
    return {
        "heading": (
            f"{a.model} ({fp32_path.name} vs {int8_path.name}), {a.count} test inputs "
            f"(standard normal, seed {a.seed}; calibration: {CALIBRATION_SAMPLES} from seed "
            f"{CALIBRATION_SEED}, {a.calibration_method}), {cpu['cpu']} ({cpu['isa']}), "
            f"{os.cpu_count()} cores, {a.threads} threads, load average {load_before:.1f} "
            f"before / {os.getloadavg()[0]:.1f} after, {time.perf_counter() - start:.0f} s "
            "of inference"
        ),
        "pairs": [asdict(p) for p in pairs],
        "margins": margin,
    }


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--count", type=int, default=200, help="test inputs (default 200)")
    p.add_argument("--seed", type=int, default=1000, help="of the test inputs (default 1000)")
    p.add_argument("--threads", type=int, default=2, help="ONNX Runtime and ODLA threads")
    p.add_argument("--runtimes", default="reference", help="HALO runtimes, comma-separated")
    p.add_argument("--model", choices=("resnet50", "small"), default="resnet50")
    p.add_argument("--calibration-method", choices=tuple(METHODS), default="minmax")
    p.add_argument("--halo-ptq", action="store_true", help="add HALO's own --quantize int8")
    p.add_argument("--models-dir", type=Path, default=ROOT / "build" / "benchmarks")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "int8-agreement")
    p.add_argument("--json", type=Path, help="write the figures as JSON")
    p.add_argument("--save-logits", type=Path, help="write every engine's logits (.npz)")
    a = p.parse_args()
    if a.seed == CALIBRATION_SEED:
        raise SystemExit(f"--seed {a.seed} is the calibration's seed: pick another")
    if a.halo_ptq and a.calibration_method == "entropy":
        raise SystemExit("HALO's --quantize int8 calibrates with minmax or percentile")
    a.out.mkdir(parents=True, exist_ok=True)
    os.environ["ODLA_NUM_THREADS"] = str(a.threads)  # read when a model library initializes
    result = run(a)
    print(result["heading"], "\n", sep="")
    print(table([Pair(**p) for p in result["pairs"]]), "\n", sep="")
    print(margin_table(result["margins"]))
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
