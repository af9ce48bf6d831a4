"""The generator as a library: import, optimize, emit."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from halo import calibration
from halo.codegen import cpp
from halo.codegen.capabilities import load_capabilities
from halo.codegen.emit import Generated, banner_lines, generate, write
from halo.codegen.targets import resolve
from halo.codegen.triton import triton_config
from halo.errors import OptionError
from halo.frontends import ImportOptions, load_model
from halo.ir.graph import Graph, Shape
from halo.passes.dce import DeadCodeElimination
from halo.passes.fold import ConstantFolding
from halo.passes.pipeline import default_pipeline, run_pipeline
from halo.passes.precision import PRECISIONS, ReducedPrecision, precision_dtype
from halo.passes.qdq import QdqFusion
from halo.passes.quantize import METHODS, LayerReport, Quantization


@dataclass(frozen=True)
class CompileOptions:
    name: str | None = None
    target: str | None = None
    runtime: str = "reference"
    input_shapes: dict[str, Shape] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    data_as_c: bool = False
    weights: Path | None = None
    frozen_inputs: dict[str, np.ndarray] = field(default_factory=dict)
    # the layout of the compiled function's images: "nchw" (channels first), "nhwc" (channels
    # last), None (the model's own)
    layout: str | None = None
    keep_input_layout: bool = False  # with a layout: inputs keep the model's layout
    keep_output_layout: bool = False  # with a layout: outputs keep the model's layout
    max_tensor_bytes: int | None = None  # per-tensor size budget (None: limits.max_tensor_bytes())
    # post-training quantization (passes/quantize.py): "int8" or None, and its calibration data
    quantize: str | None = None
    calibration: Path | None = None
    calibration_method: str = "minmax"
    quantize_tolerance: float = 0.1  # largest relative RMS error of a layer kept in int8
    quantize_report: Path | None = None  # where to write the per-layer report
    # the element type of Conv/ConvTranspose/Gemm weights (passes/precision.py): fp32, fp16, bf16
    precision: str = "fp32"

    def __post_init__(self) -> None:
        precision_dtype(self.precision)  # an unknown name is an OptionError
        if self.quantize and self.precision != "fp32":
            raise OptionError(
                f"--precision {self.precision} and --quantize {self.quantize} both set the "
                "weights' type",
                hint="choose one: int8 weights (--quantize) or " + "/".join(PRECISIONS),
            )
        if self.layout not in (None, "nchw", "nhwc"):
            raise OptionError(f"unknown --layout '{self.layout}'", hint="use nchw or nhwc")
        if self.quantize not in (None, "int8"):
            raise OptionError(f"unknown --quantize '{self.quantize}'", hint="use int8")
        if self.quantize and self.calibration is None:
            raise OptionError(
                "--quantize int8 needs calibration inputs",
                hint="add --calibration DIR (a folder of .npy/.npz samples) or FILE.npz",
            )
        if self.calibration is not None and not self.quantize:
            raise OptionError("--calibration is only used with --quantize int8")
        if self.calibration_method not in METHODS:
            raise OptionError(
                f"unknown --calibration-method '{self.calibration_method}'",
                hint="use " + " or ".join(METHODS),
            )
        if not self.quantize_tolerance > 0:
            raise OptionError("--quantize-tolerance must be a positive number, e.g. 0.1")

    def describe(self) -> list[str]:
        """The options as they affect the output (for the banner): no paths, stable order."""
        out = [f"--runtime {self.runtime}"]
        if self.target:
            out.append(f"--target {resolve(self.target).triple}")
        out += [
            f"--input-shape {k}:{'x'.join(map(str, v))}"
            for k, v in sorted(self.input_shapes.items())
        ]
        out += [f"--inputs {n}" for n in self.inputs] + [f"--outputs {n}" for n in self.outputs]
        out += [
            f"--freeze-input {k}=<sha256:{hashlib.sha256(v.tobytes()).hexdigest()[:12]}>"
            for k, v in sorted(self.frozen_inputs.items())
        ]
        if self.layout:
            out.append(f"--layout {self.layout}")
        out += ["--keep-input-layout"] * self.keep_input_layout
        out += ["--keep-output-layout"] * self.keep_output_layout
        if self.quantize and self.calibration is not None:
            out += [
                f"--quantize {self.quantize}",
                f"--calibration <sha256:{calibration.digest(self.calibration)}>",
                f"--calibration-method {self.calibration_method}",
                f"--quantize-tolerance {self.quantize_tolerance:g}",
            ]
        if self.precision != "fp32":
            out.append(f"--precision {self.precision}")
        if self.data_as_c:
            out.append("--emit-data-as-c")
        return out


def parse_input_shape(text: str) -> tuple[str, Shape]:
    """``NAME:1x3x224x224`` -> (NAME, (1, 3, 224, 224)). ``NAME:`` (no dims) is a scalar."""
    m = re.fullmatch(r"(.+):((?:\d+(?:x\d+)*)?)", text.strip())
    if not m or any(d == "0" for d in m.group(2).split("x") if d):
        raise OptionError(
            f"malformed --input-shape '{text}'",
            hint="write NAME:DIMxDIMx... with positive integers, e.g. input:1x3x224x224",
        )
    dims = tuple(int(d) for d in m.group(2).split("x")) if m.group(2) else ()
    return m.group(1), dims


def model_name(path: Path, name: str | None) -> str:
    """The C name of the model: ``--name`` as given, else the file's stem as an identifier."""
    raw = name or path.stem
    if raw in cpp.RESERVED:
        if name:
            raise OptionError(f"--name '{name}' is a C/C++ keyword", hint="choose another name")
        raw = f"{raw}_model"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw):
        if name:
            raise OptionError(
                f"--name '{name}' is not a C identifier",
                hint="use letters, digits and underscores, not starting with a digit",
            )
        raw = re.sub(r"\W", "_", raw)
        raw = raw if raw[:1].isalpha() or raw[:1] == "_" else f"m_{raw}"
    return raw


def import_and_optimize(model: Path, options: CompileOptions, check: bool = False) -> Graph:
    graph = load_model(
        model,
        ImportOptions(
            dict(options.input_shapes),
            options.weights,
            dict(options.frozen_inputs),
            options.max_tensor_bytes,
        ),
    )
    passes = default_pipeline(
        options.inputs,
        options.outputs,
        None if options.keep_input_layout else options.layout,
        None if options.keep_output_layout else options.layout,
    )
    run_pipeline(graph, passes, check=check)
    if options.quantize and options.calibration is not None:
        quantize(graph, options, check)
    if options.precision != "fp32":
        # after the pipeline: constant folding would widen the narrowed weights back
        run_pipeline(graph, [ReducedPrecision(precision_dtype(options.precision))], check=check)
    return graph


def quantize(graph: Graph, options: CompileOptions, check: bool = False) -> list[LayerReport]:
    """Quantize the optimized ``graph`` with the options' calibration data; writes the per-layer
    report to ``options.quantize_report`` when set."""
    assert options.calibration is not None
    samples = calibration.load(options.calibration, graph)
    q = Quantization(samples, options.calibration_method, options.quantize_tolerance)
    run_pipeline(graph, [q, QdqFusion(), ConstantFolding(), DeadCodeElimination()], check=check)
    graph.source_files.extend(calibration.files(options.calibration))
    if options.quantize_report is not None:
        kept = sum(r.quantized for r in q.report)
        lines = [
            f"# {kept} of {len(q.report)} layers in int8 ({len(samples)} samples, "
            f"{options.calibration_method})"
        ] + [r.line() for r in q.report]
        options.quantize_report.parent.mkdir(parents=True, exist_ok=True)
        options.quantize_report.write_text("\n".join(lines) + "\n")
    return q.report


def compile_graph(graph: Graph, model: Path, options: CompileOptions) -> Generated:
    name = model_name(model, options.name)
    banner = banner_lines(model.name, options.describe())
    caps = load_capabilities(options.runtime)
    return generate(graph, name, banner, caps, resolve(options.target), options.data_as_c)


def write_depfile(depfile: Path, outputs: list[Path], sources: list[Path]) -> None:
    def esc(p: Path) -> str:
        return str(p).replace(" ", "\\ ")

    text = (
        " ".join(esc(p.resolve()) for p in outputs)
        + ": "
        + " ".join(esc(p.resolve()) for p in sources)
    )
    depfile.parent.mkdir(parents=True, exist_ok=True)
    depfile.write_text(text + "\n")


def compile_model(
    model: Path,
    outdir: Path,
    options: CompileOptions,
    depfile: Path | None = None,
    library: Path | None = None,
    triton: bool = False,
) -> tuple[Graph, list[Path]]:
    """Write NAME.h, NAME.cc and the weights into ``outdir``. With ``library``, also link them
    with the runtime into that shared library (built for the target), and with ``triton``, write
    Triton's config.pbtxt for it next to the library."""
    from halo.toolchain import build_model_library  # only what links needs a compiler

    graph = import_and_optimize(model, options)
    generated = compile_graph(graph, model, options)
    files = write(generated, outdir)
    if library is not None:
        name = model_name(model, options.name)
        target = resolve(options.target)
        built = build_model_library(generated.files, name, options.runtime, target)
        library.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, f"{library}.tmp")
        os.replace(f"{library}.tmp", library)
        files.append(library)
        if triton:
            config = library.parent / "config.pbtxt"
            config.write_text(triton_config(graph, name, library.name))
            files.append(config)
    if depfile is not None:
        write_depfile(depfile, files, graph.source_files)
    return graph, files
