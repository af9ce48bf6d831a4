"""TFLite SHAPE, PACK, UNPACK, TILE, MIRROR_PAD, DEPTH_TO_SPACE and SPACE_TO_DEPTH."""

from __future__ import annotations

import numpy as np

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


@converter("SHAPE")
def _shape(n: TfliteNode) -> None:
    """Shapes are static here: SHAPE is a constant, and the arithmetic on it folds."""
    out = n.output_tensor()
    n.opts.ignore("out_type")  # the output tensor's own type rules
    if out.dtype is None or not out.dtype.is_int:
        raise n.fail(f"output type {out.type_name} is not an integer type")
    n.bind(n.const_value(np.array(n.x(0).shape, out.dtype.np), "shape"))


@converter("PACK")
def _pack(n: TfliteNode) -> None:
    ins = [n.x(i) for i in range(len(n.op.inputs))]
    n.opts.ignore("values_count")
    axis = norm_axis(int(n.opts["axis"]), ins[0].rank + 1, "PACK")
    parts = [n.tmp("Reshape", [v], t.Reshape((*v.shape[:axis], 1, *v.shape[axis:]))) for v in ins]
    n.emit("Concat", parts, t.Concat(axis))


@converter("UNPACK")
def _unpack(n: TfliteNode) -> None:
    x = n.x(0)
    axis = norm_axis(int(n.opts["axis"]), x.rank, "UNPACK")
    n.opts.ignore("num")
    if x.shape[axis] != len(n.op.outputs):
        raise n.fail(f"axis {axis} of {x.shape} does not have {len(n.op.outputs)} entries")
    outs = []
    for i, idx in enumerate(n.op.outputs):
        starts, stops = [0] * x.rank, list(x.shape)
        starts[axis], stops[axis] = i, i + 1
        part = n.tmp("Slice", [x], t.Slice(tuple(starts), tuple(stops), (1,) * x.rank))
        name = n.state.sg.tensors[idx].name
        shape = x.shape[:axis] + x.shape[axis + 1 :]
        outs.append(n.b.emit1("Reshape", [part], t.Reshape(shape), name=name, outputs=[name]))
    n.bind(*outs)


@converter("TILE")
def _tile(n: TfliteNode) -> None:
    n.emit("Tile", [n.x(0)], t.Tile(tuple(n.const_ints(1, "multiples"))))


@converter("MIRROR_PAD")
def _mirror_pad(n: TfliteNode) -> None:
    x, pads = n.x(0), n.const_ints(1, "paddings")
    if int(n.opts["mode"]) != 0:
        raise n.fail("SYMMETRIC mirror padding is not supported", "use REFLECT")
    if len(pads) != 2 * x.rank:
        raise n.fail(f"paddings {pads} do not fit an input of rank {x.rank}")
    n.emit("Pad", [x], t.Pad("reflect", tuple(pads[0::2]), tuple(pads[1::2]), 0.0))


def _block(n: TfliteNode) -> int:
    bs = int(n.opts["block_size"])
    if bs < 1:
        raise n.fail(f"block_size {bs} must be positive")
    return bs


def _nhwc(n: TfliteNode, shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(shape) != 4:
        raise n.fail(f"expects a 4-D NHWC input, got {shape}")
    return shape


@converter("DEPTH_TO_SPACE")
def _depth_to_space(n: TfliteNode) -> None:
    """out[b, h*bs + i, w*bs + j, c] = in[b, h, w, (i*bs + j)*C + c]."""
    x, bs = n.x(0), _block(n)
    nb, h, w, c = _nhwc(n, x.shape)
    if c % (bs * bs):
        raise n.fail(f"{c} channels are not divisible by block_size^2 = {bs * bs}")
    y = n.tmp("Reshape", [x], t.Reshape((nb, h, w, bs, bs, c // (bs * bs))))
    y = n.tmp("Transpose", [y], t.Transpose((0, 1, 3, 2, 4, 5)))
    n.emit("Reshape", [y], t.Reshape((nb, h * bs, w * bs, c // (bs * bs))))


@converter("SPACE_TO_DEPTH")
def _space_to_depth(n: TfliteNode) -> None:
    x, bs = n.x(0), _block(n)
    nb, h, w, c = _nhwc(n, x.shape)
    if h % bs or w % bs:
        raise n.fail(f"spatial size {h}x{w} is not divisible by block_size {bs}")
    y = n.tmp("Reshape", [x], t.Reshape((nb, h // bs, bs, w // bs, bs, c)))
    y = n.tmp("Transpose", [y], t.Transpose((0, 1, 3, 2, 4, 5)))
    n.emit("Reshape", [y], t.Reshape((nb, h // bs, w // bs, bs * bs * c)))
