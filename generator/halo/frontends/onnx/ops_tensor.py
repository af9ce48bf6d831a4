"""ONNX shape and data-movement ops."""

from __future__ import annotations

import numpy as np

from halo.frontends.limits import check_range, check_tensor_bytes
from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import broadcast_shapes as _bshape
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


def _x(n: OnnxNode) -> Value:
    x = n.need(0, "input")
    return x


def _axes(n: OnnxNode, x_rank: int, index: int = 1, attr: str = "axes", since: int = 13):
    raw = n.attrs.ints(attr, None) if n.opset < since else n.ints(index, attr)
    if raw is None:
        return None
    return sorted({norm_axis(int(a), x_rank, n.proto.op_type) for a in np.atleast_1d(raw)})


@converter("Identity")
def _identity(n: OnnxNode) -> None:
    n.bind(_x(n))


@converter("Constant")
def _constant(n: OnnxNode) -> None:
    a = n.attrs
    if a.has("value_float"):
        value = np.array(a.float("value_float"), np.float32)
    elif a.has("value_floats"):
        value = np.array(a.floats("value_floats"), np.float32)
    elif a.has("value_int"):
        value = np.array(a.int("value_int"), np.int64)
    elif a.has("value_ints"):
        value = np.array(a.ints("value_ints"), np.int64)
    else:
        value = a.tensor("value")
    n.bind(n.const_value(value, "value"))


@converter("ConstantOfShape")
def _constant_of_shape(n: OnnxNode) -> None:
    shape = n.need_ints(0, "shape")
    fill = n.attrs.tensor("value") if n.attrs.has("value") else np.zeros(1, np.float32)
    if fill.size != 1:
        raise n.fail(f"the value attribute must hold one element, it has shape {fill.shape}")
    check_tensor_bytes(f"ConstantOfShape node '{n.name}'", shape, itemsize=fill.itemsize)
    n.bind(n.const_value(np.full(shape, fill.reshape(-1)[0], dtype=fill.dtype), "fill"))


@converter("Shape")
def _shape(n: OnnxNode) -> None:
    x = _x(n)
    start, end = n.attrs.int("start", 0), n.attrs.int("end", x.rank)
    n.bind(n.const_value(np.array(x.shape[slice(start, end)], dtype=np.int64), "shape"))


@converter("Size")
def _size(n: OnnxNode) -> None:
    n.bind(n.const_value(np.array(_x(n).size, dtype=np.int64), "size"))


@converter("Reshape")
def _reshape_v1(n: OnnxNode) -> None:
    _do_reshape(n, n.attrs.ints("shape"), allowzero=False)


@converter("Reshape", since=5)
def _reshape(n: OnnxNode) -> None:
    _do_reshape(n, n.need_ints(1, "shape"), bool(n.attrs.int("allowzero", 0)))


def _do_reshape(n: OnnxNode, spec: tuple[int, ...], allowzero: bool) -> None:
    x = _x(n)
    if any(d < -1 for d in spec) or (
        not allowzero and any(d == 0 and i >= x.rank for i, d in enumerate(spec))
    ):
        raise n.fail(f"shape {list(spec)} is invalid for an input of shape {list(x.shape)}")
    dims = [x.shape[i] if d == 0 and not allowzero else d for i, d in enumerate(spec)]
    if dims.count(-1) > 1:
        raise n.fail(f"shape {spec} has more than one -1")
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
        dims[dims.index(-1)] = x.size // known if known else 0
    n.emit("Reshape", [x], t.Reshape(tuple(dims)))


@converter("Flatten")
def _flatten(n: OnnxNode) -> None:
    x = _x(n)
    axis = n.attrs.int("axis", 1)
    axis = axis + x.rank if axis < 0 else axis
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    n.emit("Reshape", [x], t.Reshape((outer, int(np.prod(x.shape[axis:], dtype=np.int64)))))


@converter("Squeeze")
def _squeeze(n: OnnxNode) -> None:
    x = _x(n)
    axes = _axes(n, x.rank)
    axes = [i for i, d in enumerate(x.shape) if d == 1] if axes is None else axes
    if any(x.shape[a] != 1 for a in axes):
        raise n.fail(f"cannot squeeze axes {axes} of shape {x.shape}")
    n.emit("Reshape", [x], t.Reshape(tuple(d for i, d in enumerate(x.shape) if i not in axes)))


@converter("Unsqueeze")
def _unsqueeze(n: OnnxNode) -> None:
    x = _x(n)
    raw = n.attrs.ints("axes") if n.opset < 13 else n.need_ints(1, "axes")
    rank = x.rank + len(np.atleast_1d(raw))
    axes = sorted(norm_axis(int(a), rank, "Unsqueeze") for a in np.atleast_1d(raw))
    dims = list(x.shape)
    for a in axes:
        dims.insert(a, 1)
    n.emit("Reshape", [x], t.Reshape(tuple(dims)))


@converter("Transpose")
def _transpose(n: OnnxNode) -> None:
    x = _x(n)
    perm = n.attrs.ints("perm", None) or tuple(reversed(range(x.rank)))
    n.emit("Transpose", [x], t.Transpose(tuple(perm)))


@converter("Concat")
def _concat(n: OnnxNode) -> None:
    ins = [v for v in n.inputs() if v is not None and (v.size > 0 or v.rank > 1)]
    n.emit("Concat", ins, t.Concat(n.attrs.int("axis", 0)))


@converter("Split")
def _split(n: OnnxNode) -> None:
    x = _x(n)
    axis = norm_axis(n.attrs.int("axis", 0), x.rank, "Split")
    raw = n.ints(1, "split") if n.opset >= 13 else n.attrs.ints("split", None)
    sizes = None if raw is None else [int(s) for s in raw]
    count = len(n.proto.output)
    if sizes is None:
        parts = n.attrs.int("num_outputs", count) if n.opset >= 18 else count
        chunk = -(-x.shape[axis] // parts)
        sizes = [min(chunk, x.shape[axis] - i * chunk) for i in range(parts)]
    start, outs = 0, []
    for name, size in zip(n.proto.output, sizes):
        starts = [0] * x.rank
        stops = list(x.shape)
        starts[axis], stops[axis] = start, start + size
        outs.append(
            n.b.emit1(
                "Slice",
                [x],
                t.Slice(tuple(starts), tuple(stops), (1,) * x.rank),
                name=f"{n.name}_{name}",
                outputs=[name],
            )
        )
        start += size
    n.bind(*outs)


@converter("Slice")
def _slice_v1(n: OnnxNode) -> None:
    x = _x(n)
    starts, ends = n.attrs.ints("starts"), n.attrs.ints("ends")
    axes = n.attrs.ints("axes", None) or tuple(range(len(starts)))
    _do_slice(n, x, starts, ends, axes, (1,) * len(starts))


@converter("Slice", since=10)
def _slice(n: OnnxNode) -> None:
    x = _x(n)
    starts, ends = n.need_ints(1, "starts"), n.need_ints(2, "ends")
    given_axes, given_steps = n.ints(3, "axes"), n.ints(4, "steps")
    axes = range(len(starts)) if given_axes is None else given_axes
    steps = [1] * len(starts) if given_steps is None else given_steps
    _do_slice(n, x, starts, ends, axes, steps)


def _do_slice(n: OnnxNode, x: Value, starts, ends, axes, steps) -> None:
    begin, stop, step = [0] * x.rank, list(x.shape), [1] * x.rank
    for s, e, a, st in zip(starts, ends, axes, steps):
        a, s, e, st = norm_axis(int(a), x.rank, "Slice"), int(s), int(e), int(st)
        if st == 0:
            raise n.fail("a step of 0 is invalid")
        dim = x.shape[a]
        s = s + dim if s < 0 else s
        e = e + dim if e < 0 else e
        if st > 0:
            s, e = min(max(s, 0), dim), min(max(e, 0), dim)
        else:
            s, e = min(max(s, -1), dim - 1), min(max(e, -1), dim - 1)
        begin[a], stop[a], step[a] = s, e, st
    n.emit("Slice", [x], t.Slice(tuple(begin), tuple(stop), tuple(step)))


@converter("Pad")
def _pad_v2(n: OnnxNode) -> None:
    pads = n.attrs.ints("pads" if n.opset >= 2 else "paddings")
    _do_pad(n, pads, n.attrs.float("value", 0.0), None)


@converter("Pad", since=11)
def _pad(n: OnnxNode) -> None:
    value = n.scalar(2, "constant_value")
    axes = n.ints(3, "axes")
    _do_pad(n, list(n.need_ints(1, "pads")), 0.0 if value is None else float(value), axes)


def _do_pad(n: OnnxNode, pads, value: float, axes) -> None:
    x = _x(n)
    mode = n.attrs.str("mode", "constant")
    if mode not in ("constant", "reflect", "edge", "wrap"):
        raise n.fail(f"unknown pad mode '{mode}'")
    axes = list(range(x.rank)) if axes is None else [norm_axis(int(a), x.rank, "Pad") for a in axes]
    k = len(axes)
    if len(pads) != 2 * k:
        raise n.fail(f"{len(pads)} pads for {k} axes of rank-{x.rank} input; expected {2 * k}")
    begin, end = [0] * x.rank, [0] * x.rank
    for i, a in enumerate(axes):
        begin[a], end[a] = int(pads[i]), int(pads[k + i])
    if min(begin + end, default=0) < 0:  # negative pads crop: a slice first
        starts = [max(0, -b) for b in begin]
        stops = [d - max(0, -e) for d, e in zip(x.shape, end)]
        x = n.tmp("Slice", [x], t.Slice(tuple(starts), tuple(stops), (1,) * x.rank))
        begin, end = [max(0, b) for b in begin], [max(0, e) for e in end]
    n.emit("Pad", [x], t.Pad(mode, tuple(begin), tuple(end), value))


@converter("Gather")
def _gather(n: OnnxNode) -> None:
    n.emit("Gather", n.inputs(), t.Gather(n.attrs.int("axis", 0)))


@converter("GatherElements")
def _gather_elements(n: OnnxNode) -> None:
    n.emit("GatherElements", n.inputs(), t.Gather(n.attrs.int("axis", 0)))


@converter("Tile")
def _tile(n: OnnxNode) -> None:
    n.emit("Tile", [_x(n)], t.Tile(n.need_ints(1, "repeats")))


@converter("Expand")
def _expand(n: OnnxNode) -> None:
    x = _x(n)
    shape = _bshape("Expand", x.shape, n.need_ints(1, "shape"))
    n.emit("Expand", [x], t.Expand(shape))


@converter("Range")
def _range(n: OnnxNode) -> None:
    x = n.need(0, "input")
    start, limit, delta = (
        n.need_scalar(0, "start"),
        n.need_scalar(1, "limit"),
        n.need_scalar(2, "delta"),
    )
    check_range(f"Range node '{n.name}'", start, limit, delta)
    n.bind(n.const_value(np.arange(start, limit, delta).astype(x.dtype.np), "range"))


@converter("DepthToSpace", "SpaceToDepth")
def _depth_space(n: OnnxNode) -> None:
    x = _x(n)
    b = n.attrs.int("blocksize")
    nb, c, h, w = x.shape
    if n.proto.op_type == "DepthToSpace":
        crd = n.attrs.str("mode", "DCR") == "CRD"
        first = (nb, c // (b * b), b, b, h, w) if crd else (nb, b, b, c // (b * b), h, w)
        perm = (0, 1, 4, 2, 5, 3) if crd else (0, 3, 4, 1, 5, 2)
        final = (nb, c // (b * b), h * b, w * b)
    else:  # SpaceToDepth: DCR (opset < 28 only had DCR) or CRD
        crd = n.attrs.str("mode", "DCR") == "CRD"
        first, final = (nb, c, h // b, b, w // b, b), (nb, c * b * b, h // b, w // b)
        perm = (0, 1, 3, 5, 2, 4) if crd else (0, 3, 5, 1, 2, 4)
    y = n.tmp("Reshape", [x], t.Reshape(first))
    y = n.tmp("Transpose", [y], t.Transpose(perm))
    n.emit("Reshape", [y], t.Reshape(final))
