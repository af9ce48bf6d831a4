"""LayoutOptimization: transpose counts after the pass, structure, and numerics before == after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from halo.frontends.base import GraphBuilder
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Value, constant
from halo.ir.ops import elementwise as ew
from halo.ir.ops import nn, reduce
from halo.ir.ops import tensor as t
from halo.ir.verify import verify
from halo.passes.layout import LayoutOptimization
from halo.reference import evaluate_graph

pytestmark = pytest.mark.unit

NCHW, NHWC = (0, 3, 1, 2), (0, 2, 3, 1)
R = np.random.default_rng(0)


def _conv(b: GraphBuilder, x: Value, cout: int) -> Value:
    """An NHWC conv the way the TensorFlow importer writes it: wrapped in transposes."""
    w = constant(b.unique("w"), R.standard_normal((cout, x.shape[3], 3, 3)).astype(np.float32))
    y = b.emit1("Transpose", [x], t.Transpose(NCHW))
    y = b.emit1("Conv", [y, w], nn.Conv(1, (1, 1), (1, 1), (1, 1), (1, 1)))
    return b.emit1("Transpose", [y], t.Transpose(NHWC))


def _count(g: Graph, op: str = "Transpose") -> int:
    return sum(n.op == op for n in g.nodes)


def _feeds(g: Graph) -> dict[str, np.ndarray]:
    return {v.name: np.random.default_rng(1).standard_normal(v.shape).astype(v.dtype.np)
            for v in g.inputs}


def _check(g: Graph, cf: bool = False) -> tuple[int, bool]:
    """Run the pass; assert numerics are unchanged (inputs transposed for channels-first)."""
    feeds = _feeds(g)
    before = evaluate_graph(g, feeds)
    shapes = [v.shape for v in g.inputs]
    side = "nchw" if cf else None
    changed = LayoutOptimization(side, side).run(g)
    verify(g, after="LayoutOptimization")
    if cf:
        feeds = {k: v.transpose(NCHW) if v.ndim == 4 and g.inputs[i].shape != shapes[i] else v
                 for i, (k, v) in enumerate(feeds.items())}
    after = evaluate_graph(g, feeds)
    for a, e in zip(after, before):
        e = e.transpose(NCHW) if cf and e.ndim == 4 and a.shape != e.shape else e
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)
    return _count(g), changed


def _cnn() -> Graph:
    b = GraphBuilder("cnn")
    x = b.add_input("x", DType.FLOAT32, (1, 6, 5, 3))
    a = _conv(b, x, 4)
    a = b.emit1("Add", [a, constant("bias", R.standard_normal(4).astype(np.float32))])
    a = b.emit1("Clip", [b.emit1("Relu", [a])], ew.Clip(0.0, 6.0))
    c = _conv(b, a, 4)
    s = b.emit1("Add", [a, c])  # residual: two transposed operands
    s = b.emit1("Concat", [s, _conv(b, s, 2)], t.Concat(-1))
    p = b.emit1("Pad", [s], t.Pad("constant", (0, 1, 0, 0), (0, 0, 2, 0), 0.0))
    b.graph.outputs = [_conv(b, p, 3), b.emit1("ReduceMean", [s], reduce.Reduce((1, 2), False))]
    return b.graph


def test_cnn_keeps_boundary_transposes_only() -> None:
    g = _cnn()
    assert _count(g) == 8
    count, changed = _check(g)
    assert changed and count == 2  # the input's NHWC->NCHW and the 4-D output's NCHW->NHWC
    assert g.inputs[0].shape == (1, 6, 5, 3) and g.outputs[0].shape == (1, 7, 7, 3)
    assert [n.op for n in g.nodes].count("Reshape") == 0


def test_cnn_channels_first_boundaries() -> None:
    g = _cnn()
    count, _ = _check(g, cf=True)
    assert count == 0
    assert g.inputs[0].name == "x" and g.inputs[0].shape == (1, 3, 6, 5)
    assert g.outputs[0].shape == (1, 3, 7, 7) and g.outputs[1].shape == (1, 6)


def test_axis_attributes_move_with_the_transpose() -> None:
    b = GraphBuilder("axes")
    x = b.add_input("x", DType.FLOAT32, (2, 3, 4, 5))
    y = b.emit1("Transpose", [x], t.Transpose(NHWC))  # (2, 4, 5, 3)
    y = b.emit1("Slice", [y], t.Slice((0, 1, 4, 0), (2, 4, -1, 3), (1, 1, -2, 1)))
    y = b.emit1("Softmax", [y], nn.Axis(-1))
    m = b.emit1("ReduceMax", [y], reduce.Reduce((1,), True))
    arg = b.emit1("ArgMax", [y], reduce.ArgReduce(3, False, False))
    low = b.emit1("ReduceMin", [y], reduce.Reduce((0, 1), False))  # kept axes come out swapped
    b.graph.outputs = [b.emit1("Transpose", [b.emit1("Mul", [y, m])], t.Transpose(NCHW)), arg, low]
    count, changed = _check(b.graph)
    assert changed and count == 1
    (left,) = [n for n in b.graph.nodes if n.op == "Transpose"]
    assert left.attrs.perm == (1, 0) and left.outputs[0] is low


def test_plain_operands_decide_by_majority() -> None:
    b = GraphBuilder("plain")
    x = b.add_input("x", DType.FLOAT32, (1, 4, 4, 2))
    z = b.add_input("z", DType.FLOAT32, (1, 4, 4, 2))
    a = _conv(b, x, 2)
    one = b.emit1("Add", [a, z])  # one transposed vs one plain operand: left as it is
    two = b.emit1("Concat", [a, _conv(b, x, 2), z], t.Concat(3))  # two vs one: z gets transposed
    b.graph.outputs = [one, _conv(b, two, 2)]
    count, _ = _check(b.graph)
    add = next(n for n in b.graph.nodes if n.op == "Add")
    assert add.inputs[0].producer.op == "Transpose"  # type: ignore[union-attr]
    assert count == 5  # x -> NCHW (once per conv), a -> NHWC for the Add, z -> NCHW, the output's


def test_graph_output_transpose_is_not_sunk_and_unit_transposes_become_reshapes() -> None:
    b = GraphBuilder("out")
    x = b.add_input("x", DType.FLOAT32, (1, 8))
    y = b.emit1("Reshape", [x], t.Reshape((1, 1, 1, 8)))
    y = b.emit1("Transpose", [y], t.Transpose(NCHW))  # only unit axes move: a reshape
    r = b.emit1("Relu", [y])
    b.graph.outputs = [y, r]
    count, _ = _check(b.graph)
    assert count == 0 and [n.op for n in b.graph.nodes] == ["Reshape", "Relu"]
    assert b.graph.nodes[0].inputs[0] is x  # the two reshapes merged


def test_mobilenet_v2_from_tensorflow(tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    from halo.frontends import load_model
    from halo.passes.pipeline import default_pipeline, run_pipeline
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    keras.utils.set_random_seed(0)
    model = keras.applications.MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3))
    fn = tf.function(lambda x: model(x, training=False))
    frozen = convert_variables_to_constants_v2(
        fn.get_concrete_function(tf.TensorSpec((1, 96, 96, 3), tf.float32)))
    pb = tmp_path / "mobilenet_v2.pb"
    pb.write_bytes(frozen.graph.as_graph_def().SerializeToString())
    for cf, most in ((False, 2), (True, 0)):
        g = load_model(pb)
        passes = [p for p in default_pipeline() if not isinstance(p, LayoutOptimization)]
        run_pipeline(g, passes)
        before = _count(g)
        count, _ = _check(g, cf)
        print(f"MobileNetV2 channels_first={cf}: {before} transposes -> {count}")
        assert before > 100 and count <= most


def _nchw_cnn() -> Graph:
    """An ONNX-style channels-first net: conv, relu, conv, and a 2-D side output."""
    b = GraphBuilder("nchw")
    x = b.add_input("x", DType.FLOAT32, (1, 3, 6, 5))
    w1 = constant("w1", R.standard_normal((4, 3, 3, 3)).astype(np.float32))
    w2 = constant("w2", R.standard_normal((2, 4, 1, 1)).astype(np.float32))
    y = b.emit1("Relu", [b.emit1("Conv", [x, w1], nn.Conv(1, (1, 1), (1, 1), (1, 1), (1, 1)))])
    z = b.emit1("Conv", [y, w2], nn.Conv(1, (1, 1), (1, 1), (0, 0), (0, 0)))
    b.graph.outputs = [z, b.emit1("ReduceMean", [y], reduce.Reduce((2, 3), False))]
    return b.graph


def test_channels_last_boundary_of_a_channels_first_model() -> None:
    g = _nchw_cnn()
    names = [v.name for v in [*g.inputs, *g.outputs]]
    feeds = _feeds(g)
    before = evaluate_graph(g, feeds)
    assert LayoutOptimization("nhwc", "nhwc").run(g)
    verify(g, after="LayoutOptimization")
    assert [v.shape for v in g.inputs] == [(1, 6, 5, 3)]  # NHWC pixels in
    assert [v.name for v in [*g.inputs, *g.outputs]] == names
    assert g.outputs[0].shape == (1, 6, 5, 2) and g.outputs[1].shape == (1, 4)
    assert _count(g) == 2  # one transpose in, one out; the relu and the reduction took theirs
    after = evaluate_graph(g, {"x": feeds["x"].transpose(0, 2, 3, 1)})
    np.testing.assert_allclose(after[0], before[0].transpose(0, 2, 3, 1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(after[1], before[1], rtol=1e-5, atol=1e-5)


def test_channels_last_boundary_keeps_a_tensorflow_model_as_it_is() -> None:
    g = _cnn()  # NHWC input read through NHWC->NCHW transposes, NHWC outputs
    before = [(v.name, v.shape) for v in [*g.inputs, *g.outputs]]
    LayoutOptimization("nhwc", "nhwc").run(g)
    assert [(v.name, v.shape) for v in [*g.inputs, *g.outputs]] == before
