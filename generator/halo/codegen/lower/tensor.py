"""Data movement, reductions, TopK, CumSum -> odla_<Op>."""

from __future__ import annotations

from halo.codegen import cpp
from halo.codegen.lower.registry import Call, LowerContext, lower
from halo.ir.dtype import DType
from halo.ir.graph import Node
from halo.ir.ops.reduce import REDUCE_OPS

_PAD_MODES = {
    "constant": "ODLA_PAD_CONSTANT",
    "reflect": "ODLA_PAD_REFLECT",
    "edge": "ODLA_PAD_EDGE",
    "wrap": "ODLA_PAD_WRAP",
}


@lower("Reshape")
def _reshape(n: Node, c: LowerContext) -> Call:
    return c.finish(Call("odla_Reshape", [c.val(n.inputs[0]), c.out_shape(), c.out_id()]))


@lower("Expand")
def _expand(n: Node, c: LowerContext) -> Call:
    return c.finish(Call("odla_ExpandDims", [c.val(n.inputs[0]), c.out_shape(), c.out_id()]))


@lower("Transpose")
def _transpose(n: Node, c: LowerContext) -> Call:
    args = [c.val(n.inputs[0]), cpp.shape(n.attrs.perm), c.out_shape(), c.out_id()]
    return c.finish(Call("odla_Transpose", args))


@lower("Concat")
def _concat(n: Node, c: LowerContext) -> Call:
    values = "{" + f"{len(n.inputs)}, " + "{" + ", ".join(c.val(v) for v in n.inputs) + "}}"
    return c.finish(
        Call("odla_Concat", [values, cpp.integer(n.attrs.axis), c.out_shape(), c.out_id()])
    )


@lower("Slice")
def _slice(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        c.i32s("start", a.starts),
        c.i32s("end", a.stops),
        c.i32s("stride", a.steps),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_Slice", args))


@lower("Pad")
def _pad(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        c.u32s("pads_front", a.pads_begin),
        c.u32s("pads_back", a.pads_end),
        _PAD_MODES[a.mode],
        cpp.f32(a.value),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call("odla_Pad", args))


@lower("Gather", "GatherElements")
def _gather(n: Node, c: LowerContext) -> Call:
    args = [
        c.val(n.inputs[0]),
        c.val(n.inputs[1]),
        cpp.integer(n.attrs.axis),
        c.out_shape(),
        c.out_id(),
    ]
    return c.finish(Call(f"odla_{n.op}", args))


@lower("Tile")
def _tile(n: Node, c: LowerContext) -> Call:
    args = [c.val(n.inputs[0]), c.u32s("repeat", n.attrs.repeats), c.out_shape(), c.out_id()]
    return c.finish(Call("odla_Tile", args))


@lower(*REDUCE_OPS)
def _reduce(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    args = [
        c.val(n.inputs[0]),
        cpp.integer(len(a.axes)),
        c.u32s("axes", a.axes or (0,)),
        cpp.boolean(a.keepdims),
    ]
    if n.op in ("ReduceL1", "ReduceL2"):
        args.append(cpp.f32(0.0))
    args += [c.out_shape(), c.out_id()]
    return c.finish(Call(f"odla_{n.op}", args))


@lower("ArgMax", "ArgMin")
def _arg(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    out = n.outputs[0]
    args = [
        c.val(n.inputs[0]),
        cpp.integer(a.axis),
        cpp.boolean(a.keepdims),
        cpp.boolean(a.select_last),
        cpp.value_type(out.dtype, out.shape),
        c.out_id(),
    ]
    return c.finish(Call(f"odla_{n.op}", args))


@lower("TopK")
def _topk(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    vals, idx = n.outputs
    ids = "{2, {" + f"{c.out_id(0)}, {c.out_id(1)}" + "}}"
    axis = a.axis % n.operand(0).rank
    args = [
        c.val(n.inputs[0]),
        cpp.integer(a.k),
        cpp.boolean(a.largest),
        cpp.boolean(a.sorted),
        cpp.integer(axis),
        cpp.value_type(vals.dtype, vals.shape),
        cpp.value_type(idx.dtype, idx.shape),
        ids,
    ]
    return c.finish(Call("odla_TopK", args, multi=True))


@lower("CumSum")
def _cumsum(n: Node, c: LowerContext) -> Call:
    a = n.attrs
    axis = c.scalar_const("axis", DType.INT64, a.axis)
    args = [c.val(n.inputs[0]), axis, cpp.boolean(a.exclusive), cpp.boolean(a.reverse), c.out_id()]
    return c.finish(Call("odla_CumSum", args))
