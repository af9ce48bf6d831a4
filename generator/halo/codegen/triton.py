"""Triton Inference Server model configuration (config.pbtxt) for a model library.

The fields are those of Triton's ``ModelConfig`` message (model_config.proto), written in protobuf
text format: the model's name, the backend that loads the library, the batch, and one entry per
input and output with its name, ``TYPE_*`` data type and dims. When every input and output has the
same leading dimension N, that is the batch: ``max_batch_size: N`` and the dims leave it out (a
backend pads a smaller batch to N); otherwise ``max_batch_size: 0`` and the dims are the full
shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from halo.codegen import cpp
from halo.codegen.emit import render
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Value

BACKEND = "halo"

_TRITON_TYPES = {
    DType.BOOL: "TYPE_BOOL",
    DType.UINT8: "TYPE_UINT8",
    DType.UINT16: "TYPE_UINT16",
    DType.UINT32: "TYPE_UINT32",
    DType.UINT64: "TYPE_UINT64",
    DType.INT8: "TYPE_INT8",
    DType.INT16: "TYPE_INT16",
    DType.INT32: "TYPE_INT32",
    DType.INT64: "TYPE_INT64",
    DType.FLOAT16: "TYPE_FP16",
    DType.FLOAT32: "TYPE_FP32",
    DType.FLOAT64: "TYPE_FP64",
}


@dataclass(frozen=True)
class TensorView:
    name: str  # a protobuf string literal
    data_type: str
    dims: str  # "[1, 28, 28]"


def batch_size(values: Sequence[Value]) -> int:
    """The leading dimension every value shares, or 0 when they do not share one."""
    leading = {v.shape[0] if v.shape else 0 for v in values}
    return leading.pop() if len(leading) == 1 else 0


def _tensor(v: Value, batch: int) -> TensorView:
    dims = v.shape[1:] if batch else v.shape
    # A scalar is [1] to Triton (dims may not be empty).
    shown = ", ".join(map(str, dims or (1,)))
    return TensorView(cpp.string(v.name), _TRITON_TYPES[v.dtype], f"[{shown}]")


def triton_config(graph: Graph, name: str, library: str) -> str:
    """config.pbtxt for the model ``name`` compiled from ``graph`` into the file ``library``."""
    batch = batch_size([*graph.inputs, *graph.outputs])
    return render(
        "triton_config.pbtxt.j2",
        model=name,
        library_file=library,
        name=cpp.string(name),
        backend=cpp.string(BACKEND),
        library=cpp.string(library),
        max_batch_size=batch,
        inputs=[_tensor(v, batch) for v in graph.inputs],
        outputs=[_tensor(v, batch) for v in graph.outputs],
    )
