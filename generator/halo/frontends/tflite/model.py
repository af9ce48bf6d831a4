"""The TFLite model as typed Python objects, validated while it is read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from halo.errors import ModelError
from halo.frontends.limits import MAX_RANK
from halo.frontends.tflite import schema
from halo.frontends.tflite.flatbuf import Table, root_table
from halo.frontends.tflite.quant import QuantParams, read_quant
from halo.ir.dtype import DType

INT64_MAX = (1 << 63) - 1


@dataclass(frozen=True)
class Tensor:
    index: int
    name: str
    type_name: str  # the TFLite TensorType, e.g. FLOAT32, INT8, STRING
    dtype: DType | None  # None: a type the IR has no equivalent for
    shape: tuple[int, ...]
    signature: tuple[int, ...] | None  # shape_signature: -1 marks a dynamic dimension
    data: np.ndarray | None  # constant contents, already shaped
    quant: QuantParams | None
    is_variable: bool

    def describe(self) -> str:
        return f"tensor {self.index} '{self.name}' {self.type_name}{list(self.shape)}"


@dataclass(frozen=True)
class Operator:
    index: int
    op: str  # builtin operator name, or CUSTOM(code)
    version: int
    inputs: tuple[int, ...]  # -1: an omitted optional operand
    outputs: tuple[int, ...]
    options: Table | None
    options_code: int


@dataclass(frozen=True)
class SubGraph:
    name: str
    tensors: list[Tensor]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    operators: list[Operator]


@dataclass(frozen=True)
class TFLiteModel:
    version: int
    description: str
    subgraphs: list[SubGraph]


def _shape(t: Table, slot: int, name: str, allow_unknown: bool) -> tuple[int, ...]:
    dims = t.array(slot, "i4", name)
    dims = () if dims is None else tuple(int(d) for d in dims)
    if len(dims) > MAX_RANK:
        raise t.error(f"{name} has rank {len(dims)}; HALO supports ranks up to {MAX_RANK}")
    if any(d < (-1 if allow_unknown else 0) for d in dims):
        raise t.error(f"{name} {list(dims)} has a negative dimension")
    total = 1
    for d in dims:
        total *= max(d, 1)
        if total > INT64_MAX:
            raise t.error(f"{name} {list(dims)}: the product of the dimensions overflows int64")
    return dims


def _buffers(model: Table, file: bytes) -> list[memoryview]:
    out = []
    for b in model.tables(4, "buffer"):
        offset, size = int(b.scalar(1, "Q", 0)), int(b.scalar(2, "Q", 0))
        if offset > 1:  # data stored after the flatbuffer (models over 2 GiB)
            if offset + size > len(file):
                raise b.error(f"buffer data at byte {offset} (+{size}) lies outside the file")
            out.append(memoryview(file)[offset : offset + size])
        else:
            out.append(b.raw_bytes(0, "data") or memoryview(b""))
    return out


def _tensor(t: Table, index: int, buffers: list[memoryview]) -> Tensor:
    code = int(t.scalar(1, "b", 0))
    if not 0 <= code < len(schema.TENSOR_TYPES):
        raise t.error(f"unknown tensor type code {code}")
    type_name = schema.TENSOR_TYPES[code]
    dtype = schema.IR_DTYPES.get(type_name)
    shape = _shape(t, 0, "shape", allow_unknown=False)
    sig = _shape(t, 7, "shape_signature", allow_unknown=True) if t.slot_pos(7) is not None else None
    name = t.string(3, "name") or f"tensor_{index}"
    buf = int(t.scalar(2, "I", 0))
    if buf >= len(buffers):
        raise t.error(f"tensor '{name}' refers to buffer {buf}, but the model has {len(buffers)}")
    raw = buffers[buf]
    data = None
    if len(raw) and dtype is not None:
        count = int(np.prod(shape, dtype=object))
        if len(raw) != count * dtype.itemsize:
            raise t.error(
                f"tensor '{name}' has shape {list(shape)} of {type_name} ({count} elements, "
                f"{count * dtype.itemsize} bytes) but its buffer {buf} holds {len(raw)} bytes"
            )
        le = dtype.np.newbyteorder("<")
        data = np.frombuffer(raw, le, count).astype(dtype.np).reshape(shape)
    qt = t.table(4, "quantization")
    quant = None if qt is None else read_quant(qt, shape)
    return Tensor(
        index, name, type_name, dtype, shape, sig, data, quant, bool(t.scalar(5, "?", False))
    )


def _indices(t: Table, slot: int, name: str, count: int, optional: bool) -> tuple[int, ...]:
    raw = t.array(slot, "i4", name)
    values = () if raw is None else tuple(int(v) for v in raw)
    for v in values:
        if not (-1 if optional else 0) <= v < count:
            raise t.error(f"{name} lists tensor index {v}, but the subgraph has {count} tensors")
    return values


def _subgraph(sg: Table, buffers: list[memoryview], opcodes: list[tuple[str, int]]) -> SubGraph:
    tensors = [_tensor(t, i, buffers) for i, t in enumerate(sg.tables(0, "tensor"))]
    n = len(tensors)
    ops = []
    for i, o in enumerate(sg.tables(3, "operator")):
        code = int(o.scalar(0, "I", 0))
        if code >= len(opcodes):
            raise o.error(f"opcode index {code} is out of range ({len(opcodes)} operator codes)")
        name, version = opcodes[code]
        ops.append(
            Operator(
                i,
                name,
                version,
                _indices(o, 1, "inputs", n, True),
                _indices(o, 2, "outputs", n, False),
                o.table(4, "builtin_options"),
                int(o.scalar(3, "B", 0)),
            )
        )
    return SubGraph(
        sg.string(4, "name"),
        tensors,
        _indices(sg, 1, "inputs", n, False),
        _indices(sg, 2, "outputs", n, False),
        ops,
    )


def _opcodes(model: Table) -> list[tuple[str, int]]:
    out = []
    for oc in model.tables(1, "operator_code"):
        code = max(int(oc.scalar(0, "b", 0)), int(oc.scalar(3, "i", 0)))
        out.append((schema.op_name(code, oc.string(1, "custom_code")), int(oc.scalar(2, "i", 1))))
    return out


def read_model(path: Path) -> TFLiteModel:
    """Parse and validate a .tflite file (every offset, index and buffer length is checked)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read {path}: {e.strerror}") from None
    if len(data) >= 8 and data[4:8] != b"TFL3":
        raise ModelError(
            f"{path.name} is not a TFLite model (file identifier {bytes(data[4:8])!r}, "
            "expected b'TFL3')",
            hint="pass a .tflite file written by TFLiteConverter",
        )
    root = root_table(data, path.name)
    buffers = _buffers(root, data)
    opcodes = _opcodes(root)
    subgraphs = [_subgraph(sg, buffers, opcodes) for sg in root.tables(2, "subgraph")]
    if not subgraphs:
        raise ModelError(f"{path.name} has no subgraph", hint="convert the model again")
    return TFLiteModel(int(root.scalar(0, "I", 0)), root.string(3, "description"), subgraphs)
