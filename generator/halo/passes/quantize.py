"""Post-training int8 quantization from calibration inputs.

The calibration samples run through the numpy reference; the observed range of every tensor a
Conv or Gemm reads or writes gives its per-tensor uint8 parameters (asymmetric, the range widened
to contain 0); weights become int8, symmetric, per output channel. Each such layer gets
QuantizeLinear / DequantizeLinear around it, the way ONNX Runtime writes QDQ models, and
QdqFusion then turns every pattern into one integer op. A layer whose quantized result differs
from its float result by more than ``tolerance`` (relative RMS on the calibration inputs) stays
float; the report says, per layer, what was chosen and why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from halo.errors import OptionError
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Node, Value, constant
from halo.ir.ops import get_op
from halo.ir.ops.quant import Quant
from halo.passes.base import Pass, Uses
from halo.reference import evaluate
from halo.reference import quant as rq

METHODS = ("minmax", "percentile")
PERCENTILE = 99.99  # of |values| kept by the percentile method
_SUBSAMPLE = 1 << 14  # values per tensor and sample the percentile method keeps
_ERROR_SAMPLES = 8  # calibration samples the per-layer error is measured on


@dataclass(frozen=True)
class QParams:
    scale: float
    zero: int

    @classmethod
    def of_range(cls, lo: float, hi: float) -> QParams:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = float(np.float32((hi - lo) / 255.0)) if hi > lo else 1.0
        return cls(scale, int(np.clip(np.rint(-lo / scale), 0, 255)))

    def values(self, name: str) -> tuple[Value, Value]:
        return (
            constant(f"{name}_scale", np.array(self.scale, np.float32)),
            constant(f"{name}_zero_point", np.array(self.zero, np.uint8)),
        )


@dataclass(frozen=True)
class LayerReport:
    name: str
    op: str
    quantized: bool
    input: QParams | None
    output: QParams | None
    error: float  # relative RMS error of the layer's result vs float32 (nan: not measured)
    reason: str = ""

    def line(self) -> str:
        def p(q: QParams | None) -> str:
            return f"scale {q.scale:.4g} zero {q.zero}" if q else "-"

        kind = "int8" if self.quantized else "float"
        why = f" ({self.reason})" if self.reason else ""
        return (
            f"{self.name:<28} {self.op:<5} {kind:<5} in: {p(self.input):<26} "
            f"out: {p(self.output):<26} error {self.error:.2e}{why}"
        )


def weight_params(w: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per channel along ``axis``: (int8 weights, float32 scales)."""
    other = tuple(i for i in range(w.ndim) if i != axis)
    peak = np.max(np.abs(w), axis=other).astype(np.float32)
    scale = np.where(peak > 0, peak / np.float32(127), np.float32(1)).astype(np.float32)
    shape = [-1 if i == axis else 1 for i in range(w.ndim)]
    q = np.clip(np.rint(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


@dataclass
class _Layer:
    node: Node
    x: Value  # the activation read
    out: Value  # what is quantized after it: the result, or that of a Relu reading it
    axis: int  # the weights' channel axis


def _layers(graph: Graph) -> list[_Layer]:
    uses = Uses(graph)
    found = []
    for n in graph.nodes:
        w = n.input(1)
        if n.op not in ("Conv", "Gemm") or w is None or not w.is_const:
            continue
        if w.dtype is not DType.FLOAT32 or n.operand(0).dtype is not DType.FLOAT32:
            continue
        if n.op == "Gemm":
            g = n.attrs
            if g.trans_a or g.alpha != 1.0 or w.rank != 2 or n.operand(0).rank < 2:
                continue
            b = n.input(2)
            if b is not None and (g.beta != 1.0 or b.size != n.outputs[0].shape[-1]):
                continue
            axis = 0 if g.trans_b else 1
        else:
            axis = 0
        out = n.outputs[0]
        relu = uses.sole_reader(out)
        if relu is not None and relu.op in ("Relu", "Clip"):
            out = relu.outputs[0]
        found.append(_Layer(n, n.operand(0), out, axis))
    return found


def _root(v: Value, uses: Uses) -> Value:
    """The tensor whose range bounds ``v``'s: through data movement, the moved operand's."""
    while True:
        p = v.producer
        if p is None or uses.made_by(v, p.op) is None or not get_op(p.op).moves_data:
            return v
        v = p.operand(0)


def _interpret(
    graph: Graph, sample: dict[str, np.ndarray], watch: Callable[[Value, np.ndarray], None]
) -> None:
    """Run ``graph`` on one sample with the reference, calling ``watch`` on every value produced
    (inputs included); values are dropped after their last reader."""
    last: dict[int, int] = {}
    for i, n in enumerate(graph.nodes):
        for v in n.inputs:
            if v is not None:
                last[id(v)] = i
    env: dict[int, np.ndarray] = {}
    for v in graph.inputs:
        env[id(v)] = sample[v.name]
        watch(v, env[id(v)])
    for i, n in enumerate(graph.nodes):
        args = [None if v is None else (v.data if v.is_const else env[id(v)]) for v in n.inputs]
        for v, r in zip(n.outputs, evaluate(n, args)):
            env[id(v)] = r
            watch(v, r)
        for v in n.inputs:
            if v is not None and last.get(id(v)) == i:
                env.pop(id(v), None)


class _Ranges:
    def __init__(self, method: str) -> None:
        self.method = method
        self.lo: dict[int, float] = {}
        self.hi: dict[int, float] = {}
        self.kept: dict[int, list[np.ndarray]] = {}
        self.rng = np.random.default_rng(0)

    def add(self, key: int, a: np.ndarray) -> None:
        if a.size == 0:
            return
        flat = a.reshape(-1).astype(np.float32)
        self.lo[key] = min(self.lo.get(key, np.inf), float(flat.min()))
        self.hi[key] = max(self.hi.get(key, -np.inf), float(flat.max()))
        if self.method == "percentile":
            if flat.size > _SUBSAMPLE:
                flat = flat[self.rng.choice(flat.size, _SUBSAMPLE, replace=False)]
            self.kept.setdefault(key, []).append(flat)

    def params(self, key: int) -> QParams:
        if key not in self.lo:
            return QParams.of_range(0.0, 0.0)
        if self.method == "percentile":
            kept = np.concatenate(self.kept[key])
            lo, hi = np.percentile(kept, [100 - PERCENTILE, PERCENTILE])
            return QParams.of_range(float(lo), float(hi))
        return QParams.of_range(self.lo[key], self.hi[key])


class Quantization(Pass):
    """Insert QDQ around every Conv / Gemm with constant float weights whose int8 version stays
    within ``tolerance`` of float32 on the calibration samples (see the module docstring); the
    pipeline runs QdqFusion after it. Must not touch layers with run-time weights, transposed-A
    or scaled Gemms, or non-float32 operands."""

    def __init__(
        self,
        samples: Sequence[dict[str, np.ndarray]],
        method: str = "minmax",
        tolerance: float = 0.1,
    ) -> None:
        if method not in METHODS:
            raise OptionError(
                f"unknown --calibration-method '{method}'", hint="use " + " or ".join(METHODS)
            )
        self.samples, self.method, self.tolerance = list(samples), method, tolerance
        self.report: list[LayerReport] = []

    def run(self, graph: Graph) -> bool:
        layers = _layers(graph)
        if not layers:
            return False
        uses = Uses(graph)
        roots = {id(v): _root(v, uses) for layer in layers for v in (layer.x, layer.out)}
        watched = {id(r) for r in roots.values()}
        ranges = _Ranges(self.method)
        for s in self.samples:
            _interpret(graph, s, lambda v, a: ranges.add(id(v), a) if id(v) in watched else None)
        params = {k: ranges.params(id(r)) for k, r in roots.items()}
        errors = self._errors(graph, layers, params)
        changed, done = False, set[int]()
        for layer in layers:
            xp, op = params[id(layer.x)], params[id(layer.out)]
            err = errors[id(layer.node)]
            keep = err <= self.tolerance
            reason = "" if keep else f"error above --quantize-tolerance {self.tolerance:g}"
            self.report.append(
                LayerReport(layer.node.name, layer.node.op, keep, xp, op, err, reason)
            )
            if keep:
                self._rewrite(graph, layer, xp, op, done)
                changed = True
        return changed

    def _errors(
        self, graph: Graph, layers: list[_Layer], params: dict[int, QParams]
    ) -> dict[int, float]:
        """Relative RMS error per layer of its integer version against float32, each layer fed
        the float input (so errors do not accumulate across layers)."""
        by_x: dict[int, list[_Layer]] = {}
        by_out: dict[int, list[_Layer]] = {}
        for layer in layers:
            by_x.setdefault(id(layer.x), []).append(layer)
            by_out.setdefault(id(layer.out), []).append(layer)
        sums = {id(layer.node): [0.0, 0.0] for layer in layers}
        inputs: dict[int, np.ndarray] = {}

        def watch(v: Value, a: np.ndarray) -> None:
            if id(v) in by_x:
                inputs[id(v)] = a
            for layer in by_out.get(id(v), []):
                x = inputs[id(layer.x)]
                got = self._simulate(layer, x, params[id(layer.x)], params[id(layer.out)])
                acc = sums[id(layer.node)]
                acc[0] += float(np.sum((got.astype(np.float64) - a) ** 2))
                acc[1] += float(np.sum(a.astype(np.float64) ** 2))

        for s in self.samples[:_ERROR_SAMPLES]:
            inputs.clear()
            _interpret(graph, s, watch)
        return {
            k: float(np.sqrt(n / d)) if d > 0 else (0.0 if n == 0 else np.inf)
            for k, (n, d) in sums.items()
        }

    def _simulate(self, layer: _Layer, x: np.ndarray, xp: QParams, op: QParams) -> np.ndarray:
        n = layer.node
        w = n.operand(1).array
        wq, ws = weight_params(w, layer.axis)
        xs, xz = np.float32(xp.scale), np.uint8(xp.zero)
        ys, yz = np.float32(op.scale), np.uint8(op.zero)
        qx = rq.quantize(Quant(0), x, np.array(xs), np.array(xz))
        acc_scale = xs * ws
        b = n.input(2)
        bias = None if b is None else np.rint(b.array.reshape(-1) / acc_scale).astype(np.int32)
        zero_w = np.zeros(ws.shape, np.int8)
        if n.op == "Conv":
            q = rq.qlinear_conv(n.attrs, qx, xs, xz, wq, ws, zero_w, ys, yz, bias)
        else:
            wk = wq.T if n.attrs.trans_b else wq
            q = rq.qlinear_matmul(None, qx, xs, xz, wk, ws, zero_w, ys, yz, bias)
        return rq.dequantize(Quant(0), q, np.array(ys), np.array(yz))

    def _rewrite(
        self, graph: Graph, layer: _Layer, xp: QParams, op: QParams, done: set[int]
    ) -> None:
        n = layer.node
        _fake_quant(graph, layer.x, xp, done)
        w = n.operand(1)
        wq, ws = weight_params(w.array, layer.axis)
        scale = constant(f"{w.name}_scale", ws)
        zero = constant(f"{w.name}_zero_point", np.zeros(ws.shape, np.int8))
        dq = _node(
            graph,
            "DequantizeLinear",
            [constant(f"{w.name}_int8", wq), scale, zero],
            Quant(layer.axis),
            f"{w.name}_dequantized",
        )
        graph.nodes.insert(graph.nodes.index(n), dq)
        n.inputs[1] = dq.outputs[0]
        _fake_quant(graph, layer.out, op, done)


def _node(graph: Graph, op: str, inputs: list[Value | None], attrs: object, name: str) -> Node:
    [(dtype, shape)] = get_op(op).infer(attrs, inputs)
    out = Value(name, dtype, shape)
    node = Node(name, op, inputs, [out], attrs)
    out.producer = node
    return node


def _fake_quant(graph: Graph, v: Value, p: QParams, done: set[int]) -> None:
    """Readers of ``v`` read DQ(Q(v)) instead (once per value: ``done``); a graph output keeps
    its name on the dequantized value."""
    if id(v) in done:
        return
    done.add(id(v))
    scale, zero = p.values(v.name)
    q = _node(graph, "QuantizeLinear", [v, scale, zero], Quant(0), f"{v.name}_quantized")
    dq = _node(graph, "DequantizeLinear", [q.outputs[0], scale, zero], Quant(0), f"{v.name}_dq")
    readers = [n for n in graph.nodes if any(i is v for i in n.inputs)]
    at = graph.nodes.index(v.producer) + 1 if v.producer in graph.nodes else 0
    graph.nodes[at:at] = [q, dq]
    was_output = any(o is v for o in graph.outputs)
    graph.replace_uses(v, dq.outputs[0], readers)
    if was_output:
        v.name, dq.outputs[0].name = f"{v.name}_float", v.name
