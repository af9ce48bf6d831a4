"""Execute a model through the real C++ path: generate, build against a runtime, load, call."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from halo.compiler import CompileOptions, compile_graph, import_and_optimize, model_name
from halo.errors import OptionError, RuntimeExecError
from halo.frontends.limits import check_tensor_bytes
from halo.ir.graph import Graph, Value
from halo.reference import evaluate_graph
from halo.runtime import Model
from halo.toolchain import build_model_library

EMULATOR = "emulator"  # the numpy reference interpreter instead of a C++ runtime


def load_array(path: Path, what: str) -> np.ndarray:
    """A .npy file as an array; its header is checked against the file size and the tensor
    budget before anything is allocated (a header may claim any shape)."""
    from numpy.lib import format as npy

    try:
        with path.open("rb") as f:
            version = npy.read_magic(f)
            read_header = (
                npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            )
            shape, _, dtype = read_header(f)
            data_bytes = path.stat().st_size - f.tell()
    except (OSError, ValueError, EOFError) as e:
        raise OptionError(f"cannot read {what} {path}: {e}", hint="pass a .npy file") from None
    if dtype.hasobject:
        raise OptionError(f"{what} {path} holds Python objects", hint="save a numeric array")
    nbytes = check_tensor_bytes(f"{what} {path.name}", shape, itemsize=dtype.itemsize)
    if nbytes > data_bytes:
        raise OptionError(
            f"{what} {path} claims shape {list(shape)} of {dtype} ({nbytes:,} bytes) but holds "
            f"{data_bytes:,} bytes of data",
            hint="the file is truncated or its header is corrupt; save it again with np.save",
        )
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise OptionError(f"cannot read {what} {path}: {e}", hint="pass a .npy file") from None


def _describe(v: Value) -> str:
    return f"'{v.name}' {v.dtype.value}[{'x'.join(map(str, v.shape)) or 'scalar'}]"


def check_inputs(graph: Graph, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    if len(arrays) != len(graph.inputs):
        expected = ", ".join(_describe(v) for v in graph.inputs) or "none"
        raise RuntimeExecError(
            f"the model takes {len(graph.inputs)} input(s), got {len(arrays)}",
            hint=f"pass one --input per model input, in order: {expected}",
        )
    out = []
    for i, (v, a) in enumerate(zip(graph.inputs, arrays)):
        a = np.asarray(a)
        if tuple(a.shape) != v.shape:
            raise RuntimeExecError(
                f"input {i} {_describe(v)} got an array of shape {tuple(a.shape)}",
                hint="reshape the array, or compile with --input-shape "
                f"{v.name}:{'x'.join(map(str, a.shape))}",
            )
        if a.dtype != v.dtype.np and not np.can_cast(a.dtype, v.dtype.np, "same_kind"):
            raise RuntimeExecError(
                f"input {i} {_describe(v)} got {a.dtype} data",
                hint=f"save the array as {v.dtype.value}",
            )
        out.append(np.asarray(a, dtype=v.dtype.np, order="C"))
    return out


def build_library(model: Path, graph: Graph, options: CompileOptions) -> tuple[Path, str]:
    """Generate ``graph`` (imported from ``model``) and build it against ``options.runtime``:
    the shared library (cached) and the C name of its model function."""
    name = model_name(model, options.name)
    return build_model_library(
        compile_graph(graph, model, options).files, name, options.runtime
    ), name


def run_model(
    model: Path, arrays: Sequence[np.ndarray], options: CompileOptions, graph: Graph | None = None
) -> list[np.ndarray]:
    """Run ``model`` on ``arrays`` (in input order) and return its outputs (in output order)."""
    graph = graph or import_and_optimize(model, options)
    feeds = check_inputs(graph, arrays)
    if options.runtime == EMULATOR:
        return evaluate_graph(graph, {v.name: a for v, a in zip(graph.inputs, feeds)})
    so, name = build_library(model, graph, options)
    with Model(so, name) as compiled:
        return compiled(*feeds)
