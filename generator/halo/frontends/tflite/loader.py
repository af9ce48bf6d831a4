"""Read a .tflite file into the IR (NHWC at the graph boundary, channels-first inside)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends.base import GraphBuilder, ImportOptions
from halo.frontends.tflite.context import ImportState, TfliteNode
from halo.frontends.tflite.model import SubGraph, Tensor, TFLiteModel, read_model
from halo.frontends.tflite.registry import CONVERTERS
from halo.ir.dtype import DType
from halo.ir.graph import Graph


def inspect(path: str | Path) -> TFLiteModel:
    """Parse and validate a .tflite file without importing it: tensors, quantization, operators."""
    return read_model(Path(path))


def _check_quantized_types(sg: SubGraph) -> None:
    """int8/uint8 tensors (int32 biases) import as integers and their DequantizeLinear; the
    16x8 scheme (int16 activations, int64 biases) has no integer kernels here."""
    wide = [t for t in sg.tensors if t.quant is not None and t.dtype in (DType.INT16, DType.INT64)]
    if wide:
        examples = ", ".join(f"'{t.name}' {t.type_name}" for t in wide[:3])
        raise UnsupportedError(
            f"{len(wide)} tensor(s) are quantized to 16 or 64 bits "
            f"({examples}{' ...' if len(wide) > 3 else ''}): the 16x8 quantization scheme is "
            "not supported",
            hint="convert with int8 activations (the TFLite converter's default full-integer "
            "mode), dynamic-range or float weights",
        )


def _check_supported(sg: SubGraph) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for o in sg.operators:
        if CONVERTERS.find(o.op) is None:
            missing[o.op].append(f"#{o.index}")
    if missing:
        lines = [
            f"  {op} x{len(ids)}: operators {', '.join(ids[:5])}{' ...' if len(ids) > 5 else ''}"
            for op, ids in sorted(missing.items())
        ]
        raise UnsupportedError(
            f"the model uses {len(missing)} unsupported TFLite op type(s):\n" + "\n".join(lines),
            hint="supported TFLite ops: " + ", ".join(CONVERTERS.names()),
        )


def _add_inputs(state: ImportState, options: ImportOptions) -> None:
    sg = state.sg
    names = [sg.tensors[i].name for i in sg.inputs]
    unknown = set(options.input_shapes) - set(names)
    if unknown:
        raise OptionError(
            f"--input-shape names unknown input(s): {', '.join(sorted(unknown))}",
            hint="model inputs: " + ", ".join(names),
        )
    for i in sg.inputs:
        t = sg.tensors[i]
        if t.dtype is None:
            raise UnsupportedError(f"input {t.describe()} has a type HALO does not support")
        shape = options.input_shapes.get(t.name, t.shape)
        if len(shape) != len(t.shape):
            raise OptionError(
                f"--input-shape {t.name}: rank {len(shape)} does not match the "
                f"model's rank {len(t.shape)} {list(t.shape)}"
            )
        state.values[i] = state.b.add_input(t.name, t.dtype, tuple(shape))


def _matches(t: Tensor, shape: tuple[int, ...]) -> bool:
    """Whether ``shape`` fits the declared one; a dynamic (-1) signature dimension fits anything."""
    if not t.shape and t.signature is None:
        return True  # rank unknown
    sig = t.signature if t.signature is not None and len(t.signature) == len(t.shape) else t.shape
    return len(shape) == len(t.shape) and all(s in (-1, d) for s, d in zip(sig, shape))


def _check_outputs(n: TfliteNode) -> None:
    """Each output must match the tensor the file declares (when no input shape was overridden)."""
    for idx in n.op.outputs:
        t, v = n.state.sg.tensors[idx], n.state.values[idx]
        if not _matches(t, v.shape) or v.dtype != t.dtype:
            raise ModelError(
                f"{n.where}: the file declares {t.describe()}, but the operator computes "
                f"{v.dtype.value}{list(v.shape)}",
                hint="the model is inconsistent; convert it again",
            )


def load(path: Path, options: ImportOptions) -> Graph:
    model = read_model(path)
    sg = model.subgraphs[0]
    _check_quantized_types(sg)
    _check_supported(sg)
    state = ImportState(GraphBuilder(path.stem), sg)
    _add_inputs(state, options)
    for op in sg.operators:
        node = TfliteNode(state, op)
        converter = CONVERTERS.find(op.op)
        assert converter is not None
        converter(node)
        node.opts.check_all_read()
        if not options.input_shapes:
            _check_outputs(node)
    graph = state.b.graph
    graph.outputs = [state.lookup(i, "the graph outputs", raw=True) for i in sg.outputs]
    graph.source_files = [path]
    return graph
