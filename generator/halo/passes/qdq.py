"""QDQ fusion: quantize/dequantize pairs around a float Conv or matrix product become one
integer op (what ONNX Runtime's quantize_static writes, and what passes/quantize.py inserts)."""

from __future__ import annotations

import numpy as np

from halo.ir.dtype import DType
from halo.ir.graph import Graph, Node, Value, constant
from halo.ir.ops import get_op
from halo.ir.ops.elementwise import Clip
from halo.ir.ops.quant import QRANGE, QAdd
from halo.ir.ops.registry import NoAttrs
from halo.passes.base import Pass, Uses
from halo.reference.quant import dequantize


def _dq(v: Value | None, uses: Uses, const: bool = False) -> Node | None:
    """The DequantizeLinear producing ``v`` (of a constant when ``const``)."""
    node = uses.made_by(v, "DequantizeLinear")
    if node is None or (const and not node.operand(0).is_const):
        return None
    return node


def _params(node: Node) -> tuple[Value, Value]:
    return node.operand(1), node.operand(2)


def _int_bias(b: Value | None, uses: Uses, scale: np.ndarray, count: int) -> Value | None | bool:
    """The bias as int32 in units of ``scale`` (the accumulator's), None without one, False
    when it is not known at compile time or does not fit."""
    if b is None:
        return None
    if b.is_const:
        real = b.array.astype(np.float64)
    else:
        dq = _dq(b, uses, const=True)
        if dq is None:
            return False
        real = dequantize(dq.attrs, dq.operand(0).array, *(v.array for v in _params(dq)))
    real = real.reshape(-1)
    if real.size != count:
        return False
    q = np.rint(real / scale.astype(np.float64))
    lo, hi = QRANGE[DType.INT32]
    if not np.all((q >= lo) & (q <= hi)):
        return False
    return constant(b.name + "_int32", q.astype(np.int32))


class QdqFusion(Pass):
    """Q(act(F(DQ(x), DQ(w), b))) = QLinear<F>(x, w, int32 bias), for F = Conv (w per tensor or per
    output channel) or Gemm/MatMul (w a 2-D constant, per tensor or per column, no transpose of
    A, alpha 1); act is nothing, a Relu or a Clip that the requantization's saturation performs
    (its bounds quantize outside the output type's range: a Relu when the output zero point is
    the type's lowest value, a Relu6 when also 6 maps to the highest or beyond), or else one
    that becomes an integer Clip to [Q(lo), Q(hi)] after the QLinear op (Q is non-decreasing for
    a positive scale, so Q(clip(v, lo, hi)) = clip(Q(v), Q(lo), Q(hi))). The bias becomes
    int32 in units of x_scale * w_scale. Also M(DQ(q)) = DQ(M(q)) for data-movement ops M
    (``moves_data``) and for monotone ops (``monotone``: MaxPool) when the scale is positive,
    and Q(DQ(q)) = q when both use the same parameters.

    Must not fire when x, the output or the Q are per axis, when an intermediate has another
    reader or is a graph output, when the weights or bias are not constants, or for an act that
    clips inside the output range of a non-positive or non-finite output scale.
    """

    def run(self, graph: Graph) -> bool:
        changed = False
        for dq in [n for n in graph.nodes if n.op == "DequantizeLinear"]:
            changed = self._sink(graph, dq, Uses(graph)) or changed
        for q in [n for n in graph.nodes if n.op == "QuantizeLinear"]:
            uses = Uses(graph)
            fused = (
                self._cancel(graph, q, uses)
                or self._fuse(graph, q, uses)
                or self._fuse_add(graph, q, uses)
            )
            changed = changed or fused
        return changed

    def _sink(self, graph: Graph, dq: Node, uses: Uses) -> bool:
        """M(DQ(q)) -> DQ(M(q)) for a per-tensor DQ and an op M that commutes with it
        (repeatedly)."""
        changed = False
        while True:
            mover = uses.sole_reader(dq.outputs[0])
            if mover is None or dq.operand(1).size != 1 or not _commutes(mover, dq):
                return changed
            if len(mover.inputs) != 1 or dq not in graph.nodes:
                return changed
            out = mover.outputs[0]
            [(dtype, shape)] = get_op(mover.op).infer(mover.attrs, [dq.operand(0)])
            moved = Value(out.name + "_q", dtype, shape)
            mover.inputs, mover.outputs, moved.producer = [dq.operand(0)], [moved], mover
            dq.inputs[0], dq.outputs, out.producer = moved, [out], dq
            graph.nodes.remove(dq)
            graph.nodes.insert(graph.nodes.index(mover) + 1, dq)
            changed, uses = True, Uses(graph)

    def _cancel(self, graph: Graph, q: Node, uses: Uses) -> bool:
        dq = _dq(q.operand(0), uses)
        if dq is None or dq.operand(0).dtype is not q.outputs[0].dtype or dq.attrs != q.attrs:
            return False
        if not all(_same(a, b) for a, b in zip(_params(dq), _params(q))):
            return False
        graph.replace_uses(q.outputs[0], dq.operand(0))
        graph.nodes.remove(q)
        return True

    def _fuse(self, graph: Graph, q: Node, uses: Uses) -> bool:
        ys, yz = _params(q)
        if ys.size != 1:
            return False
        y = q.operand(0)
        act = uses.made_by(y, "Relu", "Clip")
        clamp: tuple[float, float] | None = None
        if act is not None:
            if uses.sole_reader(y) is not q:
                return False
            if not _saturates(act, ys, yz):
                clamp = _quantized_bounds(act, ys, yz)
                if clamp is None:
                    return False
            y = act.operand(0)
        core = uses.made_by(y, "Conv", "Gemm")
        if core is None or uses.sole_reader(y) is not (act or q):
            return False
        dx, dw = _dq(core.input(0), uses), _dq(core.input(1), uses, const=True)
        if dx is None or dw is None or dx.operand(1).size != 1:
            return False
        made = self._integer_node(core, dx, dw, uses, [ys, yz])
        if made is None:
            return False
        op, inputs, attrs = made
        out = q.outputs[0]
        if get_op(op).infer(attrs, inputs) != [(out.dtype, out.shape)]:
            return False
        at = graph.nodes.index(q)
        if clamp is None:
            node = Node(q.name, op, inputs, [out], attrs)
            out.producer = node
            graph.nodes[at] = node
        else:  # the activation as a clamp of the integers
            raw = Value(out.name + "_unclamped", out.dtype, out.shape)
            node = Node(q.name, op, inputs, [raw], attrs)
            raw.producer = node
            clip = Node(q.name + "_clamp", "Clip", [raw], [out], Clip(*clamp))
            out.producer = clip
            graph.nodes[at : at + 1] = [node, clip]
        for dead in (core, act):
            if dead is not None:
                graph.nodes.remove(dead)
        return True

    def _fuse_add(self, graph: Graph, q: Node, uses: Uses) -> bool:
        """Q([Relu](Add(DQ(a), DQ(b)))) = QLinearAdd(a, b), everything per tensor: the same float
        arithmetic per element, in one pass over the integers."""
        ys, yz = _params(q)
        y = q.operand(0)
        act = uses.made_by(y, "Relu")
        if act is not None:
            if uses.sole_reader(y) is not q:
                return False
            y = act.operand(0)
        add = uses.made_by(y, "Add")
        if add is None or uses.sole_reader(y) is not (act or q) or ys.size != 1:
            return False
        da, db = _dq(add.input(0), uses), _dq(add.input(1), uses)
        if da is None or db is None or da.operand(1).size != 1 or db.operand(1).size != 1:
            return False
        inputs: list[Value | None] = [da.operand(0), *_params(da), db.operand(0), *_params(db)]
        attrs = QAdd(relu=act is not None)
        out = q.outputs[0]
        inputs += [ys, yz]
        if da.operand(0).shape != db.operand(0).shape:
            return False
        if get_op("QLinearAdd").infer(attrs, inputs) != [(out.dtype, out.shape)]:
            return False
        node = Node(q.name, "QLinearAdd", inputs, [out], attrs)
        out.producer = node
        graph.nodes[graph.nodes.index(q)] = node
        for dead in (add, act):
            if dead is not None:
                graph.nodes.remove(dead)
        return True

    def _integer_node(
        self, core: Node, dx: Node, dw: Node, uses: Uses, out: list[Value]
    ) -> tuple[str, list[Value | None], object] | None:
        xs, xz = _params(dx)
        w, (ws, wz) = dw.operand(0), _params(dw)
        if core.op == "Conv":
            count, axis, attrs, op = w.shape[0], 0, core.attrs, "QLinearConv"
        else:
            g = core.attrs
            if g.trans_a or g.alpha != 1.0 or w.rank != 2 or core.operand(0).rank < 2:
                return None
            if g.trans_b:  # the IR's b is [K, N]: transpose the constant, its scale axis with it
                w = constant(w.name + "_t", np.ascontiguousarray(w.array.T))
                axis = 0
            else:
                axis = 1
            count, attrs, op = w.shape[1], NoAttrs(), "QLinearMatMul"
            if core.input(2) is not None and g.beta != 1.0:
                return None
        if w.dtype not in (DType.INT8, DType.UINT8) or (ws.size > 1 and dw.attrs.axis != axis):
            return None
        scale = xs.array.astype(np.float32).reshape(()) * ws.array.astype(np.float32).reshape(-1)
        bias = _int_bias(core.input(2), uses, np.broadcast_to(scale, (count,)), count)
        if bias is False:
            return None
        inputs: list[Value | None] = [dx.operand(0), xs, xz, w, ws, wz, *out]
        if bias is not None:
            inputs.append(bias)  # type: ignore[arg-type]
        return op, inputs, attrs


def _commutes(mover: Node, dq: Node) -> bool:
    """Whether ``mover`` commutes with the per-tensor ``dq``: it moves data, or it is monotone
    (MaxPool) and the scale is a positive constant."""
    op = get_op(mover.op)
    if op.moves_data:
        return True
    if not op.monotone or op.dtypes is None or dq.operand(0).dtype not in op.dtypes:
        return False
    scale = dq.operand(1)
    return scale.data is not None and bool(np.all(scale.data > 0))


def _saturates(act: Node, scale: Value, zero: Value) -> bool:
    """Whether quantizing with (scale, zero) clips at least as much as the Relu / Clip ``act``:
    Q(clip(v, lo, hi)) = clamp(Q(v), Q(lo), Q(hi)), which is Q(v) when Q(lo) <= the type's lowest
    and Q(hi) >= its highest value."""
    lo, hi = (0.0, np.inf) if act.op == "Relu" else (act.attrs.lo, act.attrs.hi)
    s, z = float(scale.array.reshape(())), int(zero.array.reshape(()))
    qmin, qmax = QRANGE[zero.dtype]
    with np.errstate(over="ignore"):
        return np.rint(np.float32(lo) / np.float32(s)) + z <= qmin and (
            hi == np.inf or np.rint(np.float32(hi) / np.float32(s)) + z >= qmax
        )


def _quantized_bounds(act: Node, scale: Value, zero: Value) -> tuple[float, float] | None:
    """The Relu / Clip ``act`` moved past the quantization: Q(clip(v, lo, hi)) =
    clamp(Q(v), Q(lo), Q(hi)), as Q is non-decreasing for a positive scale (None for another
    scale)."""
    lo, hi = (0.0, np.inf) if act.op == "Relu" else (act.attrs.lo, act.attrs.hi)
    s, z = np.float32(scale.array.reshape(())), int(zero.array.reshape(()))
    if not (np.isfinite(s) and s > 0):
        return None
    qmin, qmax = QRANGE[zero.dtype]

    def q(v: float) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            r = np.rint(np.float32(v) / s)
        return (
            float(np.clip(r + z, qmin, qmax)) if np.isfinite(r) else float(qmax if v > 0 else qmin)
        )

    return q(lo), q(hi)


def _same(a: Value, b: Value) -> bool:
    return a.dtype is b.dtype and np.array_equal(a.array.reshape(-1), b.array.reshape(-1))
