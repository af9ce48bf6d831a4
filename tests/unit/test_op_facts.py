"""The facts ops declare next to their definitions (ir/ops), checked against the reference
semantics: a permute rule restates an op on T(x, p) for x, an identity rule only claims nodes
that return their operand, and the verifier and code generation reject foreign attributes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from halo.ir.dtype import DType
from halo.ir.graph import Node, Value, constant
from halo.ir.ops import OPS, get_op, nn, quant, reduce
from halo.ir.ops import elementwise as ew
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import Layout, NoAttrs
from halo.ir.verify import VerifyError, check_attrs
from halo.reference.registry import evaluate

pytestmark = pytest.mark.unit

R = np.random.default_rng(3)
X = R.standard_normal((2, 3, 4, 5)).astype(np.float32)
Y = R.standard_normal((2, 3, 4, 5)).astype(np.float32)
PERMS = [(0, 2, 3, 1), (0, 3, 1, 2), (3, 2, 1, 0), (1, 0, 3, 2)]


def run(op: str, attrs: Any, *arrays: np.ndarray) -> np.ndarray:
    ins = [constant(f"in{k}", a) for k, a in enumerate(arrays)]
    dtype, shape = get_op(op).infer(attrs, ins)[0]
    node = Node("n", op, list(ins), [Value("out", dtype, shape)], attrs)
    return evaluate(node, list(arrays))[0]


# op, attributes, operands (the attributes are those of the op on the transposed operands)
PERMUTED: list[tuple[str, Any, tuple[np.ndarray, ...]]] = [
    ("Softmax", nn.Axis(1), (X,)),
    ("LogSoftmax", nn.Axis(-1), (X,)),
    ("Hardmax", nn.Axis(2), (X,)),
    ("Pad", t.Pad("constant", (0, 1, 2, 0), (1, 0, 0, 2), 0.5), (X,)),
    ("Pad", t.Pad("edge", (1, 0, 0, 1), (0, 2, 1, 0), 0.0), (X,)),
    ("Slice", t.Slice((0, 1, 0, 1), (2, 3, 3, 5), (1, 1, 2, 2)), (X,)),
    ("Slice", t.Slice((1, 2, 3, 4), (-1, 0, -1, 0), (-1, -1, -2, -3)), (X,)),
    ("Concat", t.Concat(1), (X, Y)),
    ("Concat", t.Concat(-1), (X, Y, X)),
    ("ArgMax", reduce.ArgReduce(2, False, False), (X,)),
    ("ArgMin", reduce.ArgReduce(1, True, True), (X,)),
    *[
        (op, reduce.Reduce(axes, keep), (np.abs(X) + 0.5,))
        for op in reduce.REDUCE_OPS
        for axes, keep in (((1, 3), True), ((0, 2), False), ((3,), False))
    ],
    ("Clip", ew.Clip(-0.5, 0.5), (X,)),
    *[(op, ew.Alpha(0.3), (X,)) for op in ("LeakyRelu", "Elu", "Celu", "ThresholdedRelu")],
    ("Selu", ew.Selu(1.6, 1.05), (X,)),
    ("HardSigmoid", ew.HardSigmoid(0.2, 0.5), (X,)),
    ("Gelu", ew.Gelu(True), (X,)),
    ("IsInf", ew.IsInf(True, False), (np.where(X > 0, np.inf, X).astype(np.float32),)),
    ("Mod", ew.Mod(True), (X, Y + 3)),
    ("BitShift", ew.BitShift(True), ((X * 9).astype(np.uint32) % 7, (Y * 3).astype(np.uint32) % 3)),
    ("Cast", ew.Cast(DType.INT32), (X * 4,)),
    ("Where", NoAttrs(), (X > 0, X, Y)),
    ("Add", NoAttrs(), (X, Y)),
    ("Less", NoAttrs(), (X, Y)),
    # per-axis scales follow their axis; per tensor the axis is unused
    ("QuantizeLinear", quant.Quant(1), (X, np.float32([0.1, 0.2, 0.05]), np.int8([0, 3, -7]))),
    ("QuantizeLinear", quant.Quant(0), (X, np.float32(0.02), np.uint8(128))),
    (
        "DequantizeLinear",
        quant.Quant(2),
        ((X * 40).astype(np.int8), np.float32([0.1, 0.3, 0.2, 0.7]), np.int8([1, 0, -2, 5])),
    ),
]


@pytest.mark.parametrize(("op", "attrs", "operands"), PERMUTED, ids=[c[0] for c in PERMUTED])
def test_permute_rule_restates_the_op_for_the_untransposed_operand(
    op: str, attrs: Any, operands: tuple[np.ndarray, ...]
) -> None:
    opdef = get_op(op)
    assert opdef.layout is not Layout.FIXED
    for p in PERMS:
        # the layout pass rewrites op(T(x, p), ...) as T(op'(x, ...), q)
        inverse = tuple(int(i) for i in np.argsort(p))
        moved = [
            a.transpose(inverse) if opdef.layout is Layout.ALL or k == 0 else a
            for k, a in enumerate(operands)
        ]
        expected = run(
            op,
            attrs,
            *[
                a.transpose(p) if opdef.layout is Layout.ALL or k == 0 else a
                for k, a in enumerate(moved)
            ],
        )
        new_attrs, q = opdef.permute(attrs, p) if opdef.permute else (attrs, p)
        got = run(op, new_attrs, *moved).transpose(q)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=f"{op} {attrs} p={p}")


def test_every_permute_rule_and_every_agnostic_op_with_attributes_is_sampled() -> None:
    sampled = {op for op, _, _ in PERMUTED}
    with_rules = {name for name, d in OPS.items() if d.permute is not None}
    assert with_rules <= sampled, sorted(with_rules - sampled)
    agnostic = {
        n for n, d in OPS.items() if d.layout is not Layout.FIXED and d.attrs is not NoAttrs
    }
    assert agnostic <= sampled, sorted(agnostic - sampled)  # the others are sampled below


@pytest.mark.parametrize(
    "op",
    sorted(n for n, d in OPS.items() if d.layout is not Layout.FIXED and d.attrs is NoAttrs),
)
def test_agnostic_ops_without_attributes_commute_with_a_transpose(op: str) -> None:
    d = get_op(op)
    count = d.num_inputs[0]
    dtype = next(iter(d.dtypes or (DType.FLOAT32,)))
    if DType.FLOAT32 in (d.dtypes or (DType.FLOAT32,)):
        dtype = DType.FLOAT32
    operands = [(np.abs(a) + 0.25 if op in ("Pow", "Log", "Sqrt", "Rsqrt") else a) for a in (X, Y)]
    if op == "Where":
        arrays = [X > 0, X, Y]
    else:
        arrays = [
            np.clip(a, -0.9, 0.9).astype(dtype.np) if dtype.np != np.bool_ else a > 0
            for a in operands * 2
        ][:count]
    with np.errstate(all="ignore"):
        for p in PERMS:
            y1 = run(op, NoAttrs(), *[a.transpose(p) for a in arrays])
            y2 = run(op, NoAttrs(), *arrays).transpose(p)
            np.testing.assert_array_equal(y1, y2)


IDENTITIES: list[tuple[str, Any, np.ndarray]] = [
    ("Reshape", t.Reshape(X.shape), X),
    ("Transpose", t.Transpose((0, 1, 2, 3)), X),
    ("Slice", t.Slice((0, 0, 0, 0), X.shape, (1, 1, 1, 1)), X),
    ("Concat", t.Concat(2), X),
    ("Pad", t.Pad("constant", (0,) * 4, (0,) * 4, 0.0), X),
    ("Tile", t.Tile((1, 1, 1, 1)), X),
    ("Expand", t.Expand(X.shape), X),
    ("Cast", ew.Cast(DType.FLOAT32), X),
    (
        "Resize",
        nn.Resize(
            X.shape, (1.0,) * 4, "linear", "half_pixel", "round_prefer_floor", -0.75, False, 0.0
        ),
        X,
    ),
]


@pytest.mark.parametrize(("op", "attrs", "x"), IDENTITIES, ids=[c[0] for c in IDENTITIES])
def test_identity_rule_claims_only_nodes_that_return_their_operand(
    op: str, attrs: Any, x: np.ndarray
) -> None:
    ins = [constant("x", x)]
    dtype, shape = get_op(op).infer(attrs, ins)[0]
    node = Node("n", op, list(ins), [Value("y", dtype, shape)], attrs)
    assert get_op(op).identity(node)
    np.testing.assert_array_equal(evaluate(node, [x])[0], x)


def test_every_identity_rule_is_sampled() -> None:
    with_rules = {name for name, d in OPS.items() if d.identity is not None}
    assert with_rules == {op for op, _, _ in IDENTITIES}


def test_foreign_attributes_are_a_verifier_error() -> None:
    x = Value("x", DType.FLOAT32, (2, 3))
    node = Node("n", "Softmax", [x], [Value("y", DType.FLOAT32, (2, 3))], reduce.Reduce((1,), True))
    with pytest.raises(VerifyError, match="carries Reduce attributes, Softmax takes Axis"):
        check_attrs(node)
