"""ONNX control flow with static structure: If on a compile-time condition (the taken branch is
inlined), Scan unrolled over its static sequence length, Loop unrolled when its trip count and
condition are known at compile time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import numpy_helper

from halo.frontends.onnx.context import ImportState, OnnxNode
from halo.frontends.onnx.loader import convert_node
from halo.frontends.onnx.registry import converter
from halo.ir.graph import Value, constant
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis

MAX_UNROLL = 4096  # Loop iterations unrolled at most


def _graph(n: OnnxNode, name: str) -> onnx.GraphProto:
    if not n.attrs.has(name):
        raise n.fail(f"lacks the subgraph attribute '{name}'")
    return next(a.g for a in n.proto.attribute if a.name == name)


def run_body(n: OnnxNode, body: onnx.GraphProto, inputs: Sequence[Value]) -> list[Value]:
    """Convert ``body`` once, its inputs bound to ``inputs``; outer-scope names stay visible."""
    scope = ImportState(n.b, n.state.opset)
    scope.values = dict(n.state.values)
    for init in body.initializer:
        scope.values[init.name] = constant(n.b.unique(init.name), numpy_helper.to_array(init))
    if len(inputs) != len(body.input):
        raise n.fail(f"the body takes {len(body.input)} inputs, {len(inputs)} given")
    for vi, v in zip(body.input, inputs):
        scope.values[vi.name] = v
    for node in body.node:
        convert_node(scope, node, n.opset)
    return [scope.lookup(o.name, n.proto) for o in body.output]


def _bind_all(n: OnnxNode, values: Sequence[Value]) -> None:
    for name, v in zip(n.proto.output, values):
        if name:
            n.state.values[name] = v


@converter("If")
def _if(n: OnnxNode) -> None:
    cond = n.const(0, "cond")
    branch = _graph(n, "then_branch"), _graph(n, "else_branch")
    _bind_all(n, run_body(n, branch[0] if bool(np.asarray(cond).reshape(-1)[0]) else branch[1], []))


def _take(n: OnnxNode, x: Value, axis: int, i: int) -> Value:
    """x[..., i, ...] on ``axis``, the axis removed."""
    starts, stops = [0] * x.rank, list(x.shape)
    starts[axis], stops[axis] = i, i + 1
    s = n.tmp("Slice", [x], t.Slice(tuple(starts), tuple(stops), (1,) * x.rank))
    return n.tmp("Reshape", [s], t.Reshape(x.shape[:axis] + x.shape[axis + 1 :]))


def _stack(n: OnnxNode, parts: Sequence[Value], axis: int) -> Value:
    """Concatenate ``parts`` along a new ``axis``."""
    first = parts[0]
    axis = norm_axis(axis, first.rank + 1, n.proto.op_type)
    shape = first.shape[:axis] + (1,) + first.shape[axis:]
    pieces = [n.tmp("Reshape", [p], t.Reshape(shape)) for p in parts]
    return pieces[0] if len(pieces) == 1 else n.tmp("Concat", pieces, t.Concat(axis))


def _scan_once(
    n: OnnxNode, body: onnx.GraphProto, states: list[Value], scans: list[Value], num_out: int
) -> tuple[list[Value], list[Value]]:
    """One Scan over inputs whose scan axis is 0; returns final states and stacked outputs."""
    a = n.attrs
    m = len(scans)
    in_axes = list(a.ints("scan_input_axes", None) or [0] * m)
    in_dirs = list(a.ints("scan_input_directions", None) or [0] * m)
    out_axes = list(a.ints("scan_output_axes", None) or [0] * num_out)
    out_dirs = list(a.ints("scan_output_directions", None) or [0] * num_out)
    axes = [norm_axis(ax, v.rank, "Scan") for ax, v in zip(in_axes, scans)]
    lengths = {v.shape[ax] for v, ax in zip(scans, axes)}
    if len(lengths) != 1:
        raise n.fail(f"scan inputs have different sequence lengths {sorted(lengths)}")
    steps = lengths.pop()
    outs: list[list[Value]] = [[] for _ in range(num_out)]
    for i in range(steps):
        sliced = [
            _take(n, v, ax, steps - 1 - i if d else i) for v, ax, d in zip(scans, axes, in_dirs)
        ]
        results = run_body(n, body, [*states, *sliced])
        states = results[: len(states)]
        for k, v in enumerate(results[len(states) :]):
            outs[k].append(v)
    stacked = [
        _stack(n, list(reversed(o)) if d else o, ax) for o, ax, d in zip(outs, out_axes, out_dirs)
    ]
    return states, stacked


@converter("Scan", since=9)
def _scan(n: OnnxNode) -> None:
    body = _graph(n, "body")
    m = n.attrs.int("num_scan_inputs")
    ins = [v for v in n.inputs() if v is not None]
    states, stacked = _scan_once(
        n, body, ins[: len(ins) - m], ins[len(ins) - m :], len(body.output) - len(ins) + m
    )
    _bind_all(n, [*states, *stacked])


@converter("Scan", since=8)
def _scan8(n: OnnxNode) -> None:
    """Opset 8: a leading batch axis on every input, the scan axis next; scanned per batch entry."""
    body = _graph(n, "body")
    m = n.attrs.int("num_scan_inputs")
    ins = [v for v in n.inputs()[1:] if v is not None]
    lens = n.const(0, "sequence_lens")
    if lens is not None and np.any(np.asarray(lens) != ins[-1].shape[1]):
        raise n.fail("sequence_lens shorter than the scan axis are not supported")
    if any(n.attrs.ints("directions", None) or ()):
        raise n.fail("reverse scan directions of opset-8 Scan are not supported")
    num_states, num_out = len(ins) - m, len(body.output) - len(ins) + m
    per_batch = []
    for b in range(ins[0].shape[0]):
        vals = [_take(n, v, 0, b) for v in ins]
        states, stacked = _scan_once(n, body, vals[:num_states], vals[num_states:], num_out)
        per_batch.append([*states, *stacked])
    _bind_all(n, [_stack(n, list(vs), 0) for vs in zip(*per_batch)])


@converter("Loop")
def _loop(n: OnnxNode) -> None:
    body = _graph(n, "body")
    trips = n.scalar(0, "M")
    cond = n.scalar(1, "cond")
    carried = [v for v in n.inputs()[2:] if v is not None]
    limit = MAX_UNROLL if trips is None else int(trips)
    if limit > MAX_UNROLL:
        raise n.fail(f"trip count {limit} exceeds the unrolling limit {MAX_UNROLL}")
    scans: list[list[Value]] = [[] for _ in range(len(body.output) - 1 - len(carried))]
    i, go = 0, True if cond is None else bool(cond)
    while go and i < limit:
        it = n.const_value(np.array(i, np.int64), "iter")
        flag = n.const_value(np.array(go), "cond")
        results = run_body(n, body, [it, flag, *carried])
        carried = results[1 : 1 + len(carried)]
        for k, v in enumerate(results[1 + len(carried) :]):
            scans[k].append(v)
        if not results[0].is_const:
            raise n.fail(
                "the loop condition is computed at run time", "HALO unrolls loops at compile time"
            )
        go, i = bool(np.asarray(results[0].data).reshape(-1)[0]), i + 1
    if go and trips is None:
        raise n.fail(f"the loop did not end within {MAX_UNROLL} iterations")
    if any(not s for s in scans):
        raise n.fail("a loop with scan outputs ran zero iterations")
    _bind_all(n, [*carried, *(_stack(n, s, 0) for s in scans)])
