"""TFLite data-movement operators: concat, reshape, squeeze, transpose, pad, gather, split."""

from __future__ import annotations

import numpy as np

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.layout import emit_fused
from halo.frontends.tflite.registry import converter
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


@converter("CONCATENATION")
def _concat(n: TfliteNode) -> None:
    ins = [n.x(i) for i in range(len(n.op.inputs))]
    emit_fused(n, "Concat", ins, t.Concat(int(n.opts["axis"])))


@converter("RESHAPE")
def _reshape(n: TfliteNode) -> None:
    x = n.x(0)
    if n.input(1) is not None:
        spec = n.const_ints(1, "shape")
        n.opts.ignore("new_shape")
    else:
        spec = list(n.opts["new_shape"] or ())
    if spec.count(-1) > 1 or any(d < -1 for d in spec):
        raise n.fail(f"invalid target shape {spec}")
    if -1 in spec:
        known = int(np.prod([d for d in spec if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise n.fail(f"cannot reshape {x.shape} to {spec}")
        spec[spec.index(-1)] = x.size // known
    n.emit("Reshape", [x], t.Reshape(tuple(spec)))


@converter("SQUEEZE")
def _squeeze(n: TfliteNode) -> None:
    x = n.x(0)
    dims = n.opts["squeeze_dims"]
    axes = (
        {norm_axis(a, x.rank, "SQUEEZE") for a in dims}
        if dims
        else {i for i, d in enumerate(x.shape) if d == 1}
    )
    if any(x.shape[a] != 1 for a in axes):
        raise n.fail(f"cannot squeeze axes {sorted(axes)} of shape {x.shape}")
    n.emit("Reshape", [x], t.Reshape(tuple(d for i, d in enumerate(x.shape) if i not in axes)))


@converter("EXPAND_DIMS")
def _expand_dims(n: TfliteNode) -> None:
    x = n.x(0)
    axis = n.const_ints(1, "axis")
    if len(axis) != 1:
        raise n.fail(f"expects one axis, got {axis}")
    dims = list(x.shape)
    dims.insert(norm_axis(axis[0], x.rank + 1, "EXPAND_DIMS"), 1)
    n.emit("Reshape", [x], t.Reshape(tuple(dims)))


@converter("TRANSPOSE")
def _transpose(n: TfliteNode) -> None:
    n.emit("Transpose", [n.x(0)], t.Transpose(tuple(n.const_ints(1, "perm"))))


@converter("PAD", "PADV2")
def _pad(n: TfliteNode) -> None:
    x = n.x(0)
    pads = np.asarray(n.const(1, "paddings"))
    if pads.shape != (x.rank, 2) or pads.min(initial=0) < 0:
        raise n.fail(f"paddings of shape {pads.shape} do not fit an input of rank {x.rank}")
    value = 0.0
    if n.op.op == "PADV2" and n.input(2) is not None:
        fill = n.const(2, "constant_values").reshape(-1)
        if fill.size != 1:
            raise n.fail("constant_values must hold one value")
        value = float(fill[0])
    attrs = t.Pad(
        "constant", tuple(int(p) for p in pads[:, 0]), tuple(int(p) for p in pads[:, 1]), value
    )
    n.emit("Pad", [x], attrs)


@converter("GATHER")
def _gather(n: TfliteNode) -> None:
    if int(n.opts["batch_dims"]) != 0:
        raise n.fail("batch_dims other than 0 is not supported")
    n.emit("Gather", [n.x(0), n.x(1)], t.Gather(int(n.opts["axis"])))


def _split(n: TfliteNode, x_index: int, axis: int, sizes: list[int]) -> None:
    x = n.x(x_index)
    axis = norm_axis(axis, x.rank, n.op.op)
    if len(sizes) != len(n.op.outputs) or sum(sizes) != x.shape[axis] or min(sizes) < 0:
        raise n.fail(
            f"cannot split axis {axis} of {x.shape} into {sizes} ({len(n.op.outputs)} outputs)"
        )
    outs, start = [], 0
    for size, idx in zip(sizes, n.op.outputs):
        starts, stops = [0] * x.rank, list(x.shape)
        starts[axis], stops[axis] = start, start + size
        name = n.state.sg.tensors[idx].name
        outs.append(
            n.b.emit1(
                "Slice",
                [x],
                t.Slice(tuple(starts), tuple(stops), (1,) * x.rank),
                name=name,
                outputs=[name],
            )
        )
        start += size
    n.bind(*outs)


@converter("SPLIT")
def _split_equal(n: TfliteNode) -> None:
    axis = n.const_ints(0, "axis")
    x = n.x(1)
    count = int(n.opts["num_splits"])
    ax = norm_axis(axis[0], x.rank, "SPLIT") if len(axis) == 1 else -1
    if count < 1 or ax < 0 or x.shape[ax] % count:
        raise n.fail(f"cannot split {x.shape} into {count} equal parts along {axis}")
    _split(n, 1, ax, [x.shape[ax] // count] * count)


@converter("SPLIT_V")
def _split_v(n: TfliteNode) -> None:
    x, sizes, axis = n.x(0), n.const_ints(1, "size_splits"), n.const_ints(2, "axis")
    n.opts.ignore("num_splits")
    if len(axis) != 1:
        raise n.fail(f"expects one axis, got {axis}")
    ax = norm_axis(axis[0], x.rank, "SPLIT_V")
    if sizes.count(-1) == 1:
        sizes[sizes.index(-1)] = x.shape[ax] - (sum(sizes) + 1)
    _split(n, 0, ax, sizes)
