"""ONNX RNN, GRU and LSTM unrolled over the static sequence length into Gemm and elementwise ops.

The input projection X·Wᵀ + biases is one Gemm over all time steps; each step then adds H·Rᵀ and
applies the cell. Compile-time ``sequence_lens`` become constant masks: a batch entry past its
length keeps its state and outputs zeros, which is also right for the reverse direction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import overload

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg
from halo.ir.ops import tensor as t

Act = Callable[[Value], Value]
_PARAMS = {
    "LeakyRelu": (0.01,),
    "ThresholdedRelu": (1.0,),
    "Elu": (1.0,),
    "HardSigmoid": (0.2, 0.5),
    "Affine": (1.0, 0.0),
    "ScaledTanh": (1.0, 1.0),
}
_DEFAULTS = {"RNN": ["Tanh"], "GRU": ["Sigmoid", "Tanh"], "LSTM": ["Sigmoid", "Tanh", "Tanh"]}


@dataclass
class Cell:
    """What one direction of one layer works with."""

    n: OnnxNode
    hidden: int
    w: Value  # [gates*hidden, input]
    r: Value  # [gates*hidden, hidden]
    wb: Value | None  # [gates*hidden] or None
    rb: Value | None
    acts: list[Act]
    clip: float | None

    def const(self, array: np.ndarray, hint: str) -> Value:
        return self.n.const_value(np.asarray(array).astype(self.w.dtype.np), hint)

    def op(self, op: str, *ins: Value | None, attrs: object = None) -> Value:
        return self.n.tmp(op, list(ins), attrs)

    def gate(self, v: Value, k: int) -> Value:
        """Columns [k*hidden, (k+1)*hidden) of a [batch, gates*hidden] value."""
        h = self.hidden
        return self.op("Slice", v, attrs=t.Slice((0, k * h), (v.shape[0], (k + 1) * h), (1, 1)))

    def clipped(self, v: Value) -> Value:
        return v if self.clip is None else self.op("Clip", v, attrs=ew.Clip(-self.clip, self.clip))

    def matmul_r(self, h: Value, rows: tuple[int, int] | None = None) -> Value:
        r = (
            self.r
            if rows is None
            else self.op(
                "Slice", self.r, attrs=t.Slice((rows[0], 0), (rows[1], self.hidden), (1, 1))
            )
        )
        return self.op("Gemm", h, r, attrs=linalg.Gemm(trans_b=True))


def _activation(n: OnnxNode, name: str, alphas: list[float], betas: list[float]) -> Act:
    """``name`` with its parameters, in order from the attribute lists (defaults otherwise)."""
    defaults = _PARAMS.get(name, ())
    a = [
        (alphas if i == 0 else betas).pop(0) if (alphas if i == 0 else betas) else d
        for i, d in enumerate(defaults)
    ]

    def apply(x: Value) -> Value:
        def c(v: float) -> Value:
            return n.const_value(np.array(v, x.dtype.np), "act")

        if name in ("Sigmoid", "Tanh", "Relu", "Softsign", "Softplus"):
            return n.tmp(name, [x])
        if name in ("LeakyRelu", "ThresholdedRelu", "Elu"):
            return n.tmp(name, [x], ew.Alpha(a[0]))
        if name == "HardSigmoid":
            return n.tmp(name, [x], ew.HardSigmoid(a[0], a[1]))
        if name == "Affine":
            return n.tmp("Add", [n.tmp("Mul", [x, c(a[0])]), c(a[1])])
        return n.tmp("Mul", [n.tmp("Tanh", [n.tmp("Mul", [x, c(a[1])])]), c(a[0])])  # ScaledTanh

    if name not in ("Sigmoid", "Tanh", "Relu", "Softsign", "Softplus", *_PARAMS):
        raise n.fail(f"activation '{name}' is not supported")
    return apply


@overload
def _pick(n: OnnxNode, v: Value, d: int) -> Value: ...
@overload
def _pick(n: OnnxNode, v: Value | None, d: int) -> Value | None: ...
def _pick(n: OnnxNode, v: Value | None, d: int) -> Value | None:
    """Entry ``d`` of the leading (direction) axis."""
    if v is None:
        return None
    s = n.tmp(
        "Slice", [v], t.Slice((d,) + (0,) * (v.rank - 1), (d + 1, *v.shape[1:]), (1,) * v.rank)
    )
    return n.tmp("Reshape", [s], t.Reshape(v.shape[1:]))


def _split_bias(n: OnnxNode, b: Value | None, size: int) -> tuple[Value | None, Value | None]:
    if b is None:
        return None, None
    wb = n.tmp("Slice", [b], t.Slice((0,), (size,), (1,)))
    return wb, n.tmp("Slice", [b], t.Slice((size,), (2 * size,), (1,)))


def _masks(n: OnnxNode, seq: int, batch: int, hidden: int) -> list[Value | None]:
    lens = n.const(4, "sequence_lens")
    if lens is None or np.all(np.asarray(lens) >= seq):
        return [None] * seq
    lens = np.asarray(lens).reshape(-1)
    return [
        n.const_value(np.broadcast_to((step < lens)[:, None], (batch, hidden)).copy(), "mask")
        for step in range(seq)
    ]


def _unroll(n: OnnxNode, kind: str, step_fn: Callable) -> None:
    a = n.attrs
    x, w, r, b = n.input(0), n.input(1), n.input(2), n.input(3)
    if x is None or w is None or r is None:
        raise n.fail("X, W and R are required")
    if x.rank != 3 or w.rank != 3 or r.rank != 3:
        raise n.fail(f"X, W and R must be 3-D, they have shapes {x.shape}, {w.shape}, {r.shape}")
    hidden = a.int("hidden_size", r.shape[-1])
    layout = a.int("layout", 0)
    direction = a.str("direction", "forward")
    dirs = {"forward": [False], "reverse": [True], "bidirectional": [False, True]}.get(direction)
    if dirs is None or len(dirs) != w.shape[0]:
        raise n.fail(f"direction '{direction}' does not match W's {w.shape[0]} direction(s)")
    if kind == "LSTM" and a.int("input_forget", 0):
        raise n.fail("input_forget=1 is not supported")
    given = [
        s.decode()
        for attr in n.proto.attribute
        if attr.name == "activations" and a.has(attr.name)
        for s in attr.strings
    ]
    alphas, betas = (
        list(a.floats("activation_alpha", None) or ()),
        list(a.floats("activation_beta", None) or ()),
    )
    acts = [_activation(n, name, alphas, betas) for name in given or _DEFAULTS[kind] * len(dirs)]
    clip = a.float("clip", None) if a.has("clip") else None
    if layout:
        x = n.tmp("Transpose", [x], t.Transpose((1, 0, 2)))
    seq, batch = x.shape[0], x.shape[1]
    x2 = n.tmp("Reshape", [x], t.Reshape((seq * batch, x.shape[2])))
    masks = _masks(n, seq, batch, hidden)
    per = len(_DEFAULTS[kind])
    states = [n.input(5), n.input(6) if kind == "LSTM" else None]
    if layout:
        states = [
            None if s is None else n.tmp("Transpose", [s], t.Transpose((1, 0, 2))) for s in states
        ]
    ys, finals = [], []
    for d, reverse in enumerate(dirs):
        wb, rb = _split_bias(n, _pick(n, b, d), w.shape[1])
        cell = Cell(
            n, hidden, _pick(n, w, d), _pick(n, r, d), wb, rb, acts[d * per : (d + 1) * per], clip
        )
        init = [_pick(n, s, d) for s in states]
        outs, last = step_fn(cell, x2, seq, batch, init, masks, reverse, _pick(n, n.input(7), d))
        ys.append(outs)
        finals.append(last)
    _bind_outputs(n, ys, finals, layout, (seq, batch, hidden))


def _bind_outputs(
    n: OnnxNode,
    ys: list[list[Value]],
    finals: list[list[Value]],
    layout: int,
    dims: tuple[int, int, int],
) -> None:
    seq, batch, hidden = dims
    outs = n.proto.output

    def shaped(v: Value, shape: tuple[int, ...]) -> Value:
        return n.tmp("Reshape", [v], t.Reshape(shape))

    results: list[Value | None] = [None] * len(outs)
    if len(outs) > 0 and outs[0]:
        steps = [
            n.tmp("Concat", [shaped(h, (1, 1, batch, hidden)) for h in hs], t.Concat(1))
            if len(hs) > 1
            else shaped(hs[0], (1, 1, batch, hidden))
            for hs in zip(*ys)
        ]
        y = n.tmp("Concat", steps, t.Concat(0)) if seq > 1 else steps[0]
        results[0] = n.tmp("Transpose", [y], t.Transpose((2, 0, 1, 3))) if layout else y
    for k in (1, 2):
        if len(outs) > k and outs[k]:
            parts = [shaped(f[k - 1], (1, batch, hidden)) for f in finals]
            v = n.tmp("Concat", parts, t.Concat(0)) if len(parts) > 1 else parts[0]
            results[k] = n.tmp("Transpose", [v], t.Transpose((1, 0, 2))) if layout else v
    for name, res in zip(outs, results):
        if name and res is not None:
            n.state.values[name] = res


def projection(
    cell: Cell, x2: Value, seq: int, batch: int, extra_bias: Value | None = None
) -> list[Value]:
    """X·Wᵀ + biases for every time step, as ``seq`` values of shape [batch, gates*hidden]."""
    bias = [v for v in (cell.wb, extra_bias) if v is not None]
    xw = cell.op("Gemm", x2, cell.w, bias[0] if bias else None, attrs=linalg.Gemm(trans_b=True))
    for v in bias[1:]:
        xw = cell.op("Add", xw, v)
    g = xw.shape[1]
    return [
        cell.op("Slice", xw, attrs=t.Slice((s * batch, 0), ((s + 1) * batch, g), (1, 1)))
        for s in range(seq)
    ]


def masked(cell: Cell, mask: Value | None, new: Value, old: Value) -> Value:
    return new if mask is None else cell.op("Where", mask, new, old)


def zeros(cell: Cell, batch: int) -> Value:
    return cell.const(np.zeros((batch, cell.hidden)), "zeros")


@converter("RNN")
def _rnn(n: OnnxNode) -> None:
    def step(cell: Cell, x2, seq, batch, init, masks, reverse, _p):
        xs = projection(cell, x2, seq, batch, cell.rb)
        h = init[0] if init[0] is not None else zeros(cell, batch)
        outs: list[Value] = [h] * seq
        for s in reversed(range(seq)) if reverse else range(seq):
            new = cell.acts[0](cell.clipped(cell.op("Add", xs[s], cell.matmul_r(h))))
            h = masked(cell, masks[s], new, h)
            outs[s] = masked(cell, masks[s], new, zeros(cell, batch))
        return outs, [h]

    _unroll(n, "RNN", step)


@converter("GRU")
def _gru(n: OnnxNode) -> None:
    lbr = bool(n.attrs.int("linear_before_reset", 0))

    def step(cell: Cell, x2, seq, batch, init, masks, reverse, _p):
        hsz = cell.hidden
        rb_zr = rb_h = None
        if cell.rb is not None:
            rb_zr = cell.op(
                "Concat",
                cell.op("Slice", cell.rb, attrs=t.Slice((0,), (2 * hsz,), (1,))),
                cell.const(np.zeros(hsz), "zeros"),
                attrs=t.Concat(0),
            )
            rb_h = cell.op("Slice", cell.rb, attrs=t.Slice((2 * hsz,), (3 * hsz,), (1,)))
        xs = projection(cell, x2, seq, batch, rb_zr)
        h = init[0] if init[0] is not None else zeros(cell, batch)
        one = cell.const(np.array(1.0), "one")
        outs: list[Value] = [h] * seq
        for s in reversed(range(seq)) if reverse else range(seq):
            hr = cell.matmul_r(h, None if lbr else (0, 2 * hsz))
            z = cell.acts[0](cell.clipped(cell.op("Add", cell.gate(xs[s], 0), cell.gate(hr, 0))))
            r = cell.acts[0](cell.clipped(cell.op("Add", cell.gate(xs[s], 1), cell.gate(hr, 1))))
            if lbr:
                rec = cell.gate(hr, 2) if rb_h is None else cell.op("Add", cell.gate(hr, 2), rb_h)
                rec = cell.op("Mul", r, rec)
            else:
                rec = cell.matmul_r(cell.op("Mul", r, h), (2 * hsz, 3 * hsz))
                rec = rec if rb_h is None else cell.op("Add", rec, rb_h)
            cand = cell.acts[1](cell.clipped(cell.op("Add", cell.gate(xs[s], 2), rec)))
            new = cell.op("Add", cell.op("Mul", cell.op("Sub", one, z), cand), cell.op("Mul", z, h))
            h = masked(cell, masks[s], new, h)
            outs[s] = masked(cell, masks[s], new, zeros(cell, batch))
        return outs, [h]

    _unroll(n, "GRU", step)


@converter("LSTM")
def _lstm(n: OnnxNode) -> None:
    def step(cell: Cell, x2, seq, batch, init, masks, reverse, peep):
        f, g, act_h = cell.acts
        xs = projection(cell, x2, seq, batch, cell.rb)
        h = init[0] if init[0] is not None else zeros(cell, batch)
        c = init[1] if init[1] is not None else zeros(cell, batch)
        p = (
            [None] * 3
            if peep is None
            else [
                cell.op(
                    "Slice", peep, attrs=t.Slice((k * cell.hidden,), ((k + 1) * cell.hidden,), (1,))
                )
                for k in range(3)
            ]
        )

        def peeped(pre: Value, k: int, state: Value) -> Value:
            return pre if p[k] is None else cell.op("Add", pre, cell.op("Mul", p[k], state))

        outs: list[Value] = [h] * seq
        for s in reversed(range(seq)) if reverse else range(seq):
            pre = cell.op("Add", xs[s], cell.matmul_r(h))
            i = f(cell.clipped(peeped(cell.gate(pre, 0), 0, c)))
            fg = f(cell.clipped(peeped(cell.gate(pre, 2), 2, c)))
            cand = g(cell.clipped(cell.gate(pre, 3)))
            c_new = cell.op("Add", cell.op("Mul", fg, c), cell.op("Mul", i, cand))
            o = f(cell.clipped(peeped(cell.gate(pre, 1), 1, c_new)))
            new = cell.op("Mul", o, act_h(c_new))
            h, c = masked(cell, masks[s], new, h), masked(cell, masks[s], c_new, c)
            outs[s] = masked(cell, masks[s], new, zeros(cell, batch))
        return outs, [h, c]

    _unroll(n, "LSTM", step)
