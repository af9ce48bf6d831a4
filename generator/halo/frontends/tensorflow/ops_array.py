"""TensorFlow reshaping, concatenation, transposition, padding and tiling."""

from __future__ import annotations

import numpy as np

from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import broadcast_shapes
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


def resolve_shape(n: TfNode, x: Value, spec: list[int]) -> tuple[int, ...]:
    """A Reshape target with its one -1 filled in."""
    if spec.count(-1) > 1 or any(d < -1 for d in spec):
        raise n.fail(f"invalid shape {spec}")
    if -1 in spec:
        known = int(np.prod([d for d in spec if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise n.fail(f"cannot reshape {x.shape} to {spec}")
        spec = [x.size // known if d == -1 else d for d in spec]
    return tuple(spec)


@converter("Reshape")
def _reshape(n: TfNode) -> None:
    x = n.input(0)
    n.emit("Reshape", [x], t.Reshape(resolve_shape(n, x, n.const_ints(1, "shape"))))


@converter("Squeeze")
def _squeeze(n: TfNode) -> None:
    x = n.input(0)
    axes = {norm_axis(a, x.rank, n.op) for a in n.attrs.ints("squeeze_dims", ())}
    axes = axes or {i for i, d in enumerate(x.shape) if d == 1}
    if any(x.shape[a] != 1 for a in axes):
        raise n.fail(f"cannot squeeze axes {sorted(axes)} of shape {x.shape}")
    n.emit("Reshape", [x], t.Reshape(tuple(d for i, d in enumerate(x.shape) if i not in axes)))


@converter("ExpandDims")
def _expand_dims(n: TfNode) -> None:
    x = n.input(0)
    axis = n.const_int(1, "dim")
    dims = list(x.shape)
    dims.insert(norm_axis(axis, x.rank + 1, n.op), 1)
    n.emit("Reshape", [x], t.Reshape(tuple(dims)))


@converter("ConcatV2", "Concat")
def _concat(n: TfNode) -> None:
    k = len(n.need_inputs(2)) - 1
    axis_index, first = (k, 0) if n.op == "ConcatV2" else (0, 1)
    axis = n.const_int(axis_index, "axis")
    values = [n.input(first + i) for i in range(k)]
    if len(values) == 1:
        n.bind(values[0])
        return
    n.emit("Concat", values, t.Concat(norm_axis(axis, values[0].rank, n.op)))


@converter("Pack")
def _pack(n: TfNode) -> None:
    values = n.need_inputs(1)
    axis = norm_axis(n.attrs.int("axis", 0), values[0].rank + 1, n.op)
    parts = []
    for i, v in enumerate(values):
        dims = list(v.shape)
        dims.insert(axis, 1)
        parts.append(n.tmp("Reshape", [v], t.Reshape(tuple(dims)), f"item{i}"))
    if len(parts) == 1:
        n.bind(parts[0])
        return
    n.emit("Concat", parts, t.Concat(axis))


@converter("Unpack")
def _unpack(n: TfNode) -> None:
    x = n.input(0)
    axis = norm_axis(n.attrs.int("axis", 0), x.rank, n.op)
    if n.attrs.int("num") != x.shape[axis]:
        raise n.fail(f"num={n.attrs.int('num')} does not match axis length {x.shape[axis]}")
    rest = x.shape[:axis] + x.shape[axis + 1 :]
    outs = []
    for i in range(x.shape[axis]):
        starts, stops = [0] * x.rank, list(x.shape)
        starts[axis], stops[axis] = i, i + 1
        part = n.tmp("Slice", [x], t.Slice(tuple(starts), tuple(stops), (1,) * x.rank), f"slice{i}")
        outs.append(
            n.b.emit1(
                "Reshape",
                [part],
                t.Reshape(rest),
                name=f"{n.name}:{i}",
                outputs=[n.name if i == 0 else f"{n.name}:{i}"],
            )
        )
    n.bind(*outs)


@converter("Transpose")
def _transpose(n: TfNode) -> None:
    n.emit("Transpose", [n.input(0)], t.Transpose(tuple(n.const_ints(1, "perm"))))


@converter("Tile")
def _tile(n: TfNode) -> None:
    n.emit("Tile", [n.input(0)], t.Tile(tuple(n.const_ints(1, "multiples"))))


@converter("BroadcastTo")
def _broadcast_to(n: TfNode) -> None:
    x = n.input(0)
    shape = broadcast_shapes(n.op, x.shape, tuple(n.const_ints(1, "shape")))
    n.emit("Expand", [x], t.Expand(shape))


def _paddings(n: TfNode, x: Value) -> tuple[list[int], list[int]]:
    p = np.asarray(n.const(1, "paddings"))
    if p.shape != (x.rank, 2) or p.dtype.kind not in "iu" or (p < 0).any():
        raise n.fail(
            f"paddings {p.tolist()} do not fit rank {x.rank} (one non-negative pair per axis)"
        )
    return [int(v) for v in p[:, 0]], [int(v) for v in p[:, 1]]


@converter("Pad", "PadV2")
def _pad(n: TfNode) -> None:
    x = n.input(0)
    begin, end = _paddings(n, x)
    value = float(n.const(2, "constant_values").reshape(-1)[0]) if n.op == "PadV2" else 0.0
    n.emit("Pad", [x], t.Pad("constant", tuple(begin), tuple(end), value))


@converter("MirrorPad")
def _mirror_pad(n: TfNode) -> None:
    x = n.input(0)
    begin, end = _paddings(n, x)
    mode = n.attrs.str("mode")
    if mode == "REFLECT":
        n.emit("Pad", [x], t.Pad("reflect", tuple(begin), tuple(end), 0.0))
    elif mode == "SYMMETRIC":  # the edge repeats: concat mirrored slices, axis by axis
        axes = [a for a in range(x.rank) if begin[a] or end[a]]
        for a in axes:
            x = _symmetric(n, x, a, begin[a], end[a], final=a == axes[-1])
        n.bind(x)
    else:
        raise n.fail(f"unknown mode '{mode}'", "use REFLECT or SYMMETRIC")


def _symmetric(n: TfNode, x: Value, axis: int, b: int, e: int, final: bool) -> Value:
    d = x.shape[axis]
    if b > d or e > d:
        raise n.fail(f"SYMMETRIC pads ({b}, {e}) exceed axis length {d}")

    def mirrored(start: int, stop: int) -> Value:
        starts, stops, steps = [0] * x.rank, list(x.shape), [1] * x.rank
        starts[axis], stops[axis], steps[axis] = start, stop, -1
        return n.tmp(
            "Slice", [x], t.Slice(tuple(starts), tuple(stops), tuple(steps)), f"mirror{axis}"
        )

    parts = ([mirrored(b - 1, -1)] if b else []) + [x] + ([mirrored(d - 1, d - 1 - e)] if e else [])
    if final:
        return n.emit("Concat", parts, t.Concat(axis))[0]
    return n.tmp("Concat", parts, t.Concat(axis), f"pad{axis}")
