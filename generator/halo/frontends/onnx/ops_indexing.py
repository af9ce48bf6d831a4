"""ONNX gather/scatter ops beyond Gather: GatherND, Scatter(Elements/ND), TensorScatter, Compress,
ReverseSequence and MaxUnpool (the last three with compile-time index data)."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import extra
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


def _x(n: OnnxNode, i: int = 0) -> Value:
    v = n.input(i)
    if v is None:
        raise n.fail(f"operand {i} is missing")
    return v


def _reduction(n: OnnxNode) -> str:
    r = n.attrs.str("reduction", "none")
    if r not in extra.SCATTER_REDUCTIONS:
        raise n.fail(f"unknown reduction '{r}'", "use none, add, mul, max or min")
    return r


@converter("GatherND")
def _gather_nd(n: OnnxNode) -> None:
    n.emit("GatherND", [_x(n), _x(n, 1)], extra.GatherND(n.attrs.int("batch_dims", 0)))


@converter("Scatter", "ScatterElements")
def _scatter_elements(n: OnnxNode) -> None:
    attrs = extra.Scatter(n.attrs.int("axis", 0), _reduction(n))
    n.emit("ScatterElements", [_x(n), _x(n, 1), _x(n, 2)], attrs)


@converter("ScatterND")
def _scatter_nd(n: OnnxNode) -> None:
    n.emit("ScatterND", [_x(n), _x(n, 1), _x(n, 2)], extra.Scatter(0, _reduction(n)))


@converter("TensorScatter")
def _tensor_scatter(n: OnnxNode) -> None:
    """present = ScatterElements(past, write_indices[b] + j (mod max length), update) on axis."""
    past, update, where = _x(n), _x(n, 1), n.input(2)
    axis = norm_axis(n.attrs.int("axis", -2), past.rank, "TensorScatter")
    mode = n.attrs.str("mode", "linear")
    if mode not in ("linear", "circular"):
        raise n.fail(f"unknown mode '{mode}'")
    steps = [1] * past.rank
    steps[axis] = update.shape[axis]
    idx = n.const_value(np.arange(update.shape[axis], dtype=np.int64).reshape(steps), "steps")
    if where is not None:
        start = where if where.dtype.np == np.int64 else n.tmp("Cast", [where], ew.Cast(idx.dtype))
        lead = (past.shape[0],) + (1,) * (past.rank - 1)
        idx = n.tmp("Add", [n.tmp("Reshape", [start], t.Reshape(lead)), idx])
    if mode == "circular":
        size = n.const_value(np.array(past.shape[axis], np.int64), "length")
        idx = n.tmp("Mod", [idx, size], ew.Mod(False))
    idx = n.tmp("Expand", [idx], t.Expand(update.shape))
    n.emit("ScatterElements", [past, idx, update], extra.Scatter(axis, "none"))


@converter("Compress")
def _compress(n: OnnxNode) -> None:
    """Selection by a compile-time condition: a Gather of the selected positions."""
    x = _x(n)
    keep = np.flatnonzero(np.asarray(n.const(1, "condition")).astype(bool)).astype(np.int64)
    if not n.attrs.has("axis"):
        x = n.tmp("Reshape", [x], t.Reshape((x.size,)))
        axis = 0
    else:
        axis = norm_axis(n.attrs.int("axis"), x.rank, "Compress")
    if keep.size and keep[-1] >= x.shape[axis]:
        raise n.fail(f"the condition selects position {keep[-1]} of an axis of {x.shape[axis]}")
    n.emit("Gather", [x, n.const_value(keep, "keep")], t.Gather(axis))


@converter("ReverseSequence")
def _reverse_sequence(n: OnnxNode) -> None:
    """A GatherElements along the time axis with compile-time source positions."""
    x = _x(n)
    lens = np.asarray(n.const(1, "sequence_lens")).astype(np.int64).reshape(-1)
    b_axis = norm_axis(n.attrs.int("batch_axis", 1), x.rank, "ReverseSequence")
    t_axis = norm_axis(n.attrs.int("time_axis", 0), x.rank, "ReverseSequence")
    if len(lens) != x.shape[b_axis] or b_axis == t_axis:
        raise n.fail("sequence_lens needs one entry per batch element, on distinct axes")
    shape = [1] * x.rank
    shape[t_axis], steps = x.shape[t_axis], np.arange(x.shape[t_axis]).reshape(-1, 1)
    table = np.where(steps < lens, lens - 1 - steps, steps)  # [time, batch]
    if b_axis < t_axis:
        table = table.T
    shape[b_axis] = len(lens)
    idx = np.broadcast_to(table.reshape(shape), x.shape).astype(np.int64)
    n.emit("GatherElements", [x, n.const_value(idx, "src")], t.Gather(t_axis))


@converter("MaxUnpool")
def _max_unpool(n: OnnxNode) -> None:
    """Scatter of X into zeros at the flat positions I (MaxPool's Indices)."""
    x, idx = _x(n), _x(n, 1)
    kernel = n.attrs.ints("kernel_shape")
    k = len(kernel)
    strides = n.attrs.ints("strides", None) or (1,) * k
    pads = n.attrs.ints("pads", None) or (0,) * (2 * k)
    given = n.const(2, "output_shape")
    shape = x.shape[:2] + tuple(
        (x.shape[2 + i] - 1) * strides[i] + kernel[i] - pads[i] - pads[k + i] for i in range(k)
    )
    size = int(np.prod(shape, dtype=np.int64))
    zeros = n.const_value(np.zeros(size, x.dtype.np), "zeros")
    flat_x = n.tmp("Reshape", [x], t.Reshape((x.size,)))
    flat_i = n.tmp("Reshape", [idx], t.Reshape((idx.size,)))
    y = n.tmp("ScatterElements", [zeros, flat_i, flat_x], extra.Scatter(0, "none"))
    if given is None or tuple(int(d) for d in given) == shape:
        n.emit("Reshape", [y], t.Reshape(shape))
        return
    extra_end = tuple(int(g) - d for g, d in zip(given, shape))  # indices keep the default layout
    if len(extra_end) != len(shape) or min(extra_end) < 0:
        raise n.fail(f"output_shape {tuple(given)} is smaller than the unpooled shape {shape}")
    y = n.tmp("Reshape", [y], t.Reshape(shape))
    n.emit("Pad", [y], t.Pad("constant", (0,) * len(shape), extra_end, 0.0))
