"""Each pass: how often it rewrites, the structure after, and numerics before == after."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

import models
from halo.frontends import ImportOptions, load_model
from halo.ir.verify import verify
from halo.passes.affine_fold import AffineFolding
from halo.passes.bn_fold import BatchNormFolding
from halo.passes.dce import DeadCodeElimination
from halo.passes.fold import ConstantFolding
from halo.passes.identity import IdentityRemoval
from halo.passes.pipeline import default_pipeline, run_pipeline
from halo.passes.subgraph import SubgraphExtraction
from halo.reference import evaluate_graph
from halo.errors import OptionError
from onnx_util import make_model

pytestmark = pytest.mark.unit


def _load(model: onnx.ModelProto, tmp: Path, **shapes: tuple[int, ...]):
    path = tmp / f"{model.graph.name}.onnx"
    onnx.save(model, path)
    return load_model(path, ImportOptions(input_shapes=dict(shapes)))


def _ops(graph) -> list[str]:
    return [n.op for n in graph.nodes]


def test_bn_folding_into_conv_and_gemm(tmp_path: Path) -> None:
    graph = _load(models.resnet18(size=64, classes=10), tmp_path)
    x = np.random.default_rng(0).standard_normal((1, 3, 64, 64)).astype(np.float32)
    before = evaluate_graph(graph, {"input": x})[0]
    n_bn = _ops(graph).count("BatchNormalization")
    assert n_bn == 20
    changed = BatchNormFolding().run(graph)
    verify(graph)
    assert changed and "BatchNormalization" not in _ops(graph)
    after = evaluate_graph(graph, {"input": x})[0]
    np.testing.assert_allclose(after, before, rtol=1e-4, atol=1e-4)


def test_bn_not_folded_when_conv_output_has_another_reader(tmp_path: Path) -> None:
    n = models.Net(3)
    c = n.conv("input", 3, 4, 3)
    y = n.node("Add", [n.bn(c, 4), c])
    graph = _load(n.model("shared", (1, 3, 8, 8), y), tmp_path)
    assert not BatchNormFolding().run(graph)
    assert "BatchNormalization" in _ops(graph)


def test_constant_folding_and_dce(tmp_path: Path) -> None:
    x = np.zeros((2, 3), np.float32)
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    nodes = [helper.make_node("Mul", ["w", "w"], ["w2"]), helper.make_node("Neg", ["w2"], ["w3"]),
             helper.make_node("Add", ["x", "w3"], ["y"]), helper.make_node("Exp", ["x"], ["unused"])]
    graph = _load(make_model(nodes, {"x": x}, ["y"], {"w": w}), tmp_path)
    assert _ops(graph) == ["Add", "Exp"]  # the importer folds through the same reference
    assert DeadCodeElimination().run(graph)
    assert _ops(graph) == ["Add"]
    np.testing.assert_array_equal(graph.nodes[0].inputs[1].data, -(w * w))
    assert not ConstantFolding().run(graph)


def test_identity_removal(tmp_path: Path) -> None:
    x = np.ones((2, 3), np.float32)
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 1]),
             helper.make_node("Reshape", ["t", "s"], ["r"]), helper.make_node("Relu", ["r"], ["y"])]
    graph = _load(make_model(nodes, {"x": x}, ["y"], {"s": np.array([2, 3], np.int64)}), tmp_path)
    assert IdentityRemoval().run(graph)
    verify(graph)
    assert _ops(graph) == ["Relu"] and graph.nodes[0].inputs[0] is graph.inputs[0]


def test_subgraph_extraction(tmp_path: Path) -> None:
    graph = _load(models.mnist_cnn(), tmp_path)
    names = [n.outputs[0].name for n in graph.nodes]
    cut_in, cut_out = names[2], names[5]
    run_pipeline(graph, default_pipeline([cut_in], [cut_out]), check=True)
    assert [v.name for v in graph.inputs] == [cut_in]
    assert [v.name for v in graph.outputs] == [cut_out]
    assert len(graph.nodes) <= 3


def test_subgraph_needs_all_inputs(tmp_path: Path) -> None:
    x = np.ones((2, 3), np.float32)
    nodes = [helper.make_node("Relu", ["a"], ["r"]), helper.make_node("Add", ["r", "b"], ["y"])]
    graph = _load(make_model(nodes, {"a": x, "b": x}, ["y"]), tmp_path)
    with pytest.raises(OptionError, match="add --inputs b"):
        SubgraphExtraction(["r"], ["y"]).run(graph)


def test_input_shape_override_reinfers(tmp_path: Path) -> None:
    graph = _load(models.mnist_cnn(), tmp_path, input=(4, 1, 28, 28))
    run_pipeline(graph, default_pipeline(), check=True)
    assert graph.outputs[0].shape == (4, 10)


def test_affine_folding_into_conv(tmp_path: Path) -> None:
    n = models.Net(5)
    c = n.conv("input", 3, 4, 3, bias=True)
    scale = n.param((1, 4, 1, 1), 1.0)
    shift = n.param((4, 1, 1), 1.0)
    y = n.node("Relu", [n.node("Add", [n.node("Mul", [c, scale]), shift])])
    graph = _load(n.model("affine", (1, 3, 8, 8), y), tmp_path)
    x = np.random.default_rng(0).standard_normal((1, 3, 8, 8)).astype(np.float32)
    before = evaluate_graph(graph, {"input": x})[0]
    assert AffineFolding().run(graph)
    verify(graph)
    assert _ops(graph) == ["Conv", "Relu"]
    np.testing.assert_allclose(evaluate_graph(graph, {"input": x})[0], before, rtol=1e-5, atol=1e-5)


def test_affine_folding_skips_spatial_constants(tmp_path: Path) -> None:
    n = models.Net(6)
    c = n.conv("input", 3, 4, 3)
    y = n.node("Mul", [c, n.param((1, 1, 8, 8), 1.0)])  # varies over space: not foldable
    graph = _load(n.model("spatial", (1, 3, 8, 8), y), tmp_path)
    assert not AffineFolding().run(graph)
