"""The `halo` command line: thin argument parsing over the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from halo import __version__, paths
from halo.analysis import machine_memory_bytes, summary
from halo.codegen.capabilities import PORTABLE, load_capabilities
from halo.codegen.emit import placement
from halo.compiler import (
    CompileOptions,
    compile_model,
    import_and_optimize,
    model_name,
    parse_input_shape,
)
from halo.errors import HaloError, OptionError
from halo.frontends.limits import parse_bytes, tensor_budget
from halo.ir.graph import Graph
from halo.passes.precision import PRECISIONS


def _add_compile_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", type=Path, help="model file (.onnx, .pb, .tflite, .prototxt)")
    p.add_argument("--name", help="C name of the model function (default: the file's stem)")
    p.add_argument("--target", help="target triple, e.g. aarch64-linux-gnu (default: host)")
    p.add_argument("--runtime", default="reference", help="ODLA runtime (default: reference)")
    p.add_argument(
        "--max-tensor-bytes",
        metavar="BYTES",
        help="largest tensor the model may declare, e.g. 8G (default: 4G; a larger declared "
        "tensor is an error before anything is allocated)",
    )
    p.add_argument(
        "--input-shape",
        action="append",
        default=[],
        metavar="NAME:DIMS",
        help="override an input's shape, e.g. input:1x3x224x224 (repeatable)",
    )
    p.add_argument(
        "--inputs",
        action="append",
        default=[],
        metavar="NAME",
        help="compile the subgraph starting at these tensors (repeatable)",
    )
    p.add_argument(
        "--outputs",
        action="append",
        default=[],
        metavar="NAME",
        help="compile the subgraph ending at these tensors (repeatable)",
    )
    p.add_argument("--weights", type=Path, help="Caffe .caffemodel next to the .prototxt")
    p.add_argument(
        "--layout",
        choices=["nchw", "nhwc"],
        help="the layout of image inputs and outputs: nchw (channels first: an NHWC model's "
        "transposes vanish) or nhwc (channels last: an NCHW model takes interleaved pixels); "
        "default: the model's own",
    )
    p.add_argument(
        "--keep-input-layout",
        action="store_true",
        help="with --layout: inputs keep the model's own layout",
    )
    p.add_argument(
        "--keep-output-layout",
        action="store_true",
        help="with --layout: outputs keep the model's own layout",
    )
    p.add_argument(
        "--freeze-input",
        action="append",
        default=[],
        metavar="NAME=FILE.npy",
        help="make a model input a constant with this value (repeatable)",
    )
    p.add_argument(
        "--quantize",
        choices=["int8"],
        help="post-training quantization: Conv/Gemm layers to int8 (needs --calibration)",
    )
    p.add_argument(
        "--precision",
        default="fp32",
        choices=list(PRECISIONS),
        help="element type of the Conv/ConvTranspose/Gemm weights: fp32 (default), fp16 or "
        "bf16 (half the weights' size; computed in bf16 with float32 accumulation where the "
        "runtime can, e.g. dnnl on AVX512_BF16 CPUs, else in float32)",
    )
    p.add_argument(
        "--calibration",
        type=Path,
        metavar="DIR|FILE.npz",
        help="calibration inputs: a folder of .npy (one per sample) or .npz (arrays named after "
        "the inputs) files, or one .npz of stacked samples",
    )
    p.add_argument(
        "--calibration-method",
        default="minmax",
        choices=["minmax", "percentile"],
        help="activation ranges: minmax (default) or percentile (99.99%% of the values)",
    )
    p.add_argument(
        "--quantize-tolerance",
        type=float,
        default=0.1,
        metavar="ERR",
        help="a layer whose int8 result differs from float32 by more than this relative RMS "
        "error stays float (default 0.1)",
    )
    p.add_argument(
        "--quantize-report",
        type=Path,
        metavar="FILE",
        help="write the per-layer quantization report (scale, zero point, error) here",
    )


def _load_npy(path: Path, what: str) -> np.ndarray:
    from halo.run import load_array

    return load_array(path, what)


def _frozen(specs: Sequence[str]) -> dict[str, np.ndarray]:
    out = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise OptionError(f"malformed --freeze-input '{spec}'", hint="write NAME=FILE.npy")
        out[name] = _load_npy(Path(file), "--freeze-input array")
    return out


def _options(a: argparse.Namespace, **extra: object) -> CompileOptions:
    shapes = dict(parse_input_shape(s) for s in a.input_shape)
    return CompileOptions(
        name=a.name,
        target=a.target,
        runtime=a.runtime,
        input_shapes=shapes,
        inputs=tuple(a.inputs),
        outputs=tuple(a.outputs),
        weights=a.weights,
        frozen_inputs=_frozen(a.freeze_input),
        layout=a.layout,
        keep_input_layout=a.keep_input_layout,
        keep_output_layout=a.keep_output_layout,
        quantize=a.quantize,
        calibration=a.calibration,
        calibration_method=a.calibration_method,
        quantize_tolerance=a.quantize_tolerance,
        quantize_report=a.quantize_report,
        precision=a.precision,
        **extra,  # type: ignore[arg-type]
    )


def cmd_compile(a: argparse.Namespace) -> int:
    opts = _options(a, data_as_c=a.emit_data_as_c)
    outdir, library = a.output, None
    if a.output.suffix == ".so":  # -o NAME.so: the library, the generated files beside it
        outdir, library = a.output.parent, a.output
    elif a.emit_lib or a.emit_triton_config:
        library = a.output / f"lib{model_name(a.model, a.name)}.so"
    _, files = compile_model(
        a.model, outdir, opts, a.depfile, library=library, triton=a.emit_triton_config
    )
    for f in files:
        print(f)
    return 0


def cmd_run(a: argparse.Namespace) -> int:
    from halo.run import run_model

    arrays = [_load_npy(f, "input array") for f in a.input]
    opts = _options(a)
    outs = run_model(a.model, arrays, opts)
    a.out.mkdir(parents=True, exist_ok=True)
    for i, arr in enumerate(outs):
        path = a.out / f"output_{i}.npy"
        np.save(path, arr)
        print(f"{path}: {arr.dtype}{list(arr.shape)}")
    return 0


def cmd_profile(a: argparse.Namespace) -> int:
    from halo.profile import format_profile, profile_model

    arrays = [_load_npy(f, "input array") for f in a.input]
    print(format_profile(profile_model(a.model, arrays, _options(a), a.repeat), a.top))
    return 0


def cmd_bench(a: argparse.Namespace) -> int:
    import json

    from halo.bench import bench_model, format_result

    r = bench_model(a.model, _options(a), a.threads, a.runs, a.warmup)
    print(json.dumps(r.to_json()) if a.json else format_result(r))
    return 0


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def cmd_info(a: argparse.Namespace) -> int:
    graph = import_and_optimize(a.model, _options(a))
    s: dict[str, Any] = summary(graph)
    print(f"model: {a.model.name}")
    for kind in ("inputs", "outputs"):
        print(f"{kind}:")
        for name, dt, shape in s[kind]:
            print(f"  {name}: {dt}[{'x'.join(map(str, shape)) or 'scalar'}]")
    print("ops:")
    for op, count in s["ops"].items():
        print(f"  {op}: {count}")
    print(f"parameters: {s['parameters']:,} ({_fmt_bytes(s['parameter_bytes'])})")
    print(f"FLOPs: {s['flops']:,} ({s['flops'] / 1e9:.3f} GFLOP)")
    print(
        f"activation arena (reference runtime's plan): {_fmt_bytes(s['activation_bytes'])} "
        f"(+ {_fmt_bytes(s['io_bytes'])} inputs/outputs)"
    )
    print(f"liveness lower bound: {_fmt_bytes(s['activation_lower_bound'])}")
    _print_placement(graph, a.runtime)
    _warn_if_too_big(s)
    return 0


def _warn_if_too_big(s: dict[str, Any]) -> None:
    """A warning on stderr when running the model needs more memory than this machine has."""
    need = s["activation_bytes"] + s["io_bytes"] + s["parameter_bytes"]
    have = machine_memory_bytes()
    if have is not None and need > have:
        print(
            f"halo: warning: one run needs {_fmt_bytes(need)} (activations "
            f"{_fmt_bytes(s['activation_bytes'])}, inputs/outputs {_fmt_bytes(s['io_bytes'])}, "
            f"weights {_fmt_bytes(s['parameter_bytes'])}), more than this machine's "
            f"{_fmt_bytes(have)} of memory; run it on a larger machine or with smaller "
            "--input-shape dimensions",
            file=sys.stderr,
        )


def _print_placement(graph: Graph, runtime: str) -> None:
    """Which runtime's kernels run which nodes (own kernels, or the portable fallback)."""
    rows = placement(graph, load_capabilities(runtime))
    by_kernel = Counter(k for _, _, k in rows)
    print(
        f"runtime {runtime}: "
        + ", ".join(
            f"{n} node(s) on {k}" + (" (portable fallback)" if k != runtime else "")
            for k, n in sorted(by_kernel.items(), key=lambda kv: kv[0] != runtime)
        )
    )
    if runtime != PORTABLE:
        for name, fn, kernel in rows:
            print(f"  {name}: {fn} -> {kernel}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="halo", description="Ahead-of-time compiler for trained networks"
    )
    p.add_argument("--version", action="version", version=f"halo {__version__}")
    p.add_argument("--cmake-dir", action="store_true", help="print the folder of HaloConfig.cmake")
    p.add_argument("--odla-dir", action="store_true", help="print the folder of the ODLA sources")
    p.add_argument(
        "--scons-dir",
        action="store_true",
        help="print the folder of the SCons tool (env.Tool('halo', toolpath=[...]))",
    )
    sub = p.add_subparsers(dest="command")
    c = sub.add_parser("compile", help="generate NAME.h, NAME.cc and the weights object")
    _add_compile_options(c)
    c.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="output folder, or NAME.so for a shared library (implies --emit-lib)",
    )
    c.add_argument("--emit-data-as-c", action="store_true", help="weights as C arrays, not ELF")
    c.add_argument(
        "--emit-lib",
        action="store_true",
        help="also link the code, the weights and the runtime into OUTPUT/libNAME.so "
        "(for the --target; load it with halo.runtime.Model or dlopen)",
    )
    c.add_argument(
        "--emit-triton-config",
        action="store_true",
        help="write a Triton Inference Server config.pbtxt next to the library "
        "(implies --emit-lib)",
    )
    c.add_argument("--depfile", type=Path, help="write a make-style depfile")
    c.set_defaults(fn=cmd_compile)
    r = sub.add_parser("run", help="compile, build against a runtime and execute")
    _add_compile_options(r)
    r.add_argument("--input", action="append", default=[], type=Path, help=".npy per model input")
    r.add_argument("--out", type=Path, required=True, help="folder for output_<i>.npy")
    r.set_defaults(fn=cmd_run)
    pr = sub.add_parser("profile", help="run repeatedly with per-node timing")
    _add_compile_options(pr)
    pr.add_argument("--input", action="append", default=[], type=Path, help=".npy per model input")
    pr.add_argument("--repeat", type=int, default=10, help="timed calls (default 10)")
    pr.add_argument("--top", type=int, default=15, help="slowest nodes to list (default 15)")
    pr.set_defaults(fn=cmd_profile)
    b = sub.add_parser("bench", help="latency and memory of the compiled model on a runtime")
    _add_compile_options(b)
    b.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="ODLA_NUM_THREADS for the runtime (default: all cores)",
    )
    b.add_argument("--runs", type=int, default=20, help="timed calls (default 20)")
    b.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.set_defaults(fn=cmd_bench)
    i = sub.add_parser("info", help="inputs, outputs, op histogram, parameters, FLOPs, memory")
    _add_compile_options(i)
    i.set_defaults(fn=cmd_info)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    if a.cmake_dir or a.odla_dir or a.scons_dir:
        print(
            paths.cmake_dir()
            if a.cmake_dir
            else paths.scons_dir()
            if a.scons_dir
            else paths.odla_dir()
        )
        return 0
    if not getattr(a, "fn", None):
        parser.print_help()
        return 2
    try:
        limit = getattr(a, "max_tensor_bytes", None)
        with tensor_budget(parse_bytes(limit) if limit else None):
            return int(a.fn(a))
    except HaloError as e:
        print(f"halo: error: {e}", file=sys.stderr)
        return 2
