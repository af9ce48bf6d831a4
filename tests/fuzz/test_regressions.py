"""Hostile ONNX models found by the fuzzer or named in the hardening issue: each is a HaloError
that names the problem (exit status 2 from the CLI), never a traceback."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from halo import cli
from halo.errors import HaloError
from halo.frontends import load_model
from onnx import TensorProto, helper, numpy_helper

pytestmark = pytest.mark.unit


def model(
    nodes: list[onnx.NodeProto],
    inits: dict[str, np.ndarray] | None = None,
    x_shape: tuple[int, ...] = (1, 3, 8, 8),
    opset: int = 17,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(v, k) for k, v in (inits or {}).items()],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def assert_rejected(m: onnx.ModelProto, tmp_path, needle: str, capsys) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(m.SerializeToString())
    with pytest.raises(HaloError, match=needle):
        load_model(path)
    assert cli.main(["info", str(path)]) == 2
    assert "halo: error:" in capsys.readouterr().err


W = {"w": np.ones((4, 3, 3, 3), np.float32)}


def _with_attr(node: onnx.NodeProto, attr: onnx.AttributeProto) -> onnx.NodeProto:
    del node.attribute[:]
    node.attribute.append(attr)
    return node


def _sparse(name: str) -> onnx.AttributeProto:
    values = numpy_helper.from_array(np.ones(1, np.float32))
    idx = numpy_helper.from_array(np.zeros(1, np.int64))
    return helper.make_attribute(name, helper.make_sparse_tensor(values, idx, [4]))


def _not_utf8(name: str) -> onnx.AttributeProto:
    a = helper.make_attribute(name, "x")
    a.s = b"\xff\xfe\x80"
    return a


ATTRS = {  # attribute of the wrong type
    "ints_for_int": (
        helper.make_node("Softmax", ["x"], ["y"]),
        helper.make_attribute("axis", [1, 2]),
        "expected INT",
    ),
    "sparse_tensor": (helper.make_node("Softmax", ["x"], ["y"]), _sparse("axis"), "SPARSE_TENSOR"),
    "float_for_ints": (
        helper.make_node("MaxPool", ["x"], ["y"]),
        helper.make_attribute("kernel_shape", 2.0),
        "expected INTS",
    ),
    "bytes_not_utf8": (
        helper.make_node("Resize", ["x", "", "s"], ["y"]),
        _not_utf8("mode"),
        "not UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(ATTRS))
def test_attribute_of_the_wrong_type(case: str, tmp_path, capsys) -> None:
    node, attr, needle = ATTRS[case]
    inits = {"s": np.array([1, 1, 2, 2], np.float32)}
    assert_rejected(model([_with_attr(node, attr)], inits), tmp_path, needle, capsys)


MISSING = {  # a required operand left out ("" is an omitted optional operand)
    "conv_x": (helper.make_node("Conv", ["", "w"], ["y"]), W),
    "conv_w": (helper.make_node("Conv", ["x", ""], ["y"]), W),
    "pool": (helper.make_node("MaxPool", [""], ["y"], kernel_shape=[2, 2]), {}),
    "global_pool": (helper.make_node("GlobalAveragePool", [""], ["y"]), {}),
    "matmul_b": (helper.make_node("MatMul", ["x", ""], ["y"]), {}),
    "reduce": (helper.make_node("ReduceSum", [""], ["y"]), {}),
    "transpose": (helper.make_node("Transpose", [""], ["y"]), {}),
    "conv_transpose": (helper.make_node("ConvTranspose", ["x", ""], ["y"]), {}),
}


@pytest.mark.parametrize("case", sorted(MISSING))
def test_missing_required_operand(case: str, tmp_path, capsys) -> None:
    node, inits = MISSING[case]
    assert_rejected(model([node], inits), tmp_path, "required operand", capsys)


WINDOWS = {  # zero strides or kernels; attribute lengths that do not match the rank
    "conv_stride_0": (helper.make_node("Conv", ["x", "w"], ["y"], strides=[0, 0]), W, "strides"),
    "conv_dilation_0": (
        helper.make_node("Conv", ["x", "w"], ["y"], dilations=[0, 1]),
        W,
        "dilations",
    ),
    "conv_group_0": (helper.make_node("Conv", ["x", "w"], ["y"], group=0), W, "group"),
    "pool_kernel_0": (helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[0, 0]), {}, "kernel"),
    "pool_stride_0": (
        helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2], strides=[0, 1]),
        {},
        "strides",
    ),
    "conv_rank": (helper.make_node("Conv", ["x", "w"], ["y"], strides=[1, 1, 1]), W, "entries"),
    "pool_pads_rank": (
        helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], pads=[0, 0, 0, 0, 0, 0]),
        {},
        "entries",
    ),
    "deconv_weight_rank": (
        helper.make_node("ConvTranspose", ["x", "w2"], ["y"]),
        {"w2": np.ones((3, 3), np.float32)},
        "rank >= 3",
    ),
    "lstm_rank": (
        helper.make_node("LSTM", ["x", "w2", "w2"], ["y"]),
        {"w2": np.ones((3, 3), np.float32)},
        "3-D",
    ),
    "reshape_zero_beyond_rank": (
        helper.make_node("Reshape", ["x", "s"], ["y"]),
        {"s": np.array([0, 0, 0, 0, 0], np.int64)},
        "invalid",
    ),
    "pad_length": (
        helper.make_node("Pad", ["x", "p"], ["y"]),
        {"p": np.array([1, 1, 1], np.int64)},
        "pads",
    ),
    "slice_2d_starts": (
        helper.make_node("Slice", ["x", "s", "s"], ["y"]),
        {"s": np.zeros((2, 2), np.int64)},
        "1-D",
    ),
    "tile_float_repeats": (
        helper.make_node("Tile", ["x", "r"], ["y"]),
        {"r": np.ones(4, np.float32)},
        "integers",
    ),
    "resize_scales_length": (
        helper.make_node("Resize", ["x", "", "s"], ["y"]),
        {"s": np.ones(3, np.float32)},
        "scales/sizes",
    ),
    "concat_of_scalars": (  # fuzz.py --seed 11, onnx mutant 567: IndexError in the shape rule
        helper.make_node("Concat", ["s", "s"], ["y"], axis=0),
        {"s": np.array(1.0, np.float32)},
        "scalars",
    ),
    "gather_index_out_of_range": (  # fuzz.py --seed 11, onnx mutant 29104: IndexError when folding
        helper.make_node("Gather", ["c", "i"], ["y"], axis=0),
        {"c": np.ones((1, 3), np.float32), "i": np.array([2], np.int64)},
        "out of range",
    ),
    "gather_from_scalar": (  # fuzz.py --seed 23, onnx mutant 11883: ZeroDivisionError when folding
        helper.make_node("Gather", ["c", "i"], ["y"], axis=0),
        {"c": np.array(1.0, np.float32), "i": np.array([0], np.int64)},
        "rank >= 1",
    ),
    "resize_nan_sizes": (  # fuzz.py --seed 11, onnx mutant 37518: ValueError converting NaN
        helper.make_node("Resize", ["x", "", "", "z"], ["y"]),
        {"z": np.array([1, 3, np.nan, 8], np.float32)},
        "not finite",
    ),
    "resize_nan_scale": (
        helper.make_node("Resize", ["x", "", "s"], ["y"]),
        {"s": np.array([1, 1, np.nan, 1], np.float32)},
        "finite",
    ),
}


@pytest.mark.parametrize("case", sorted(WINDOWS))
def test_invalid_window_or_rank(case: str, tmp_path, capsys) -> None:
    node, inits, needle = WINDOWS[case]
    assert_rejected(model([node], inits), tmp_path, needle, capsys)


def test_op_type_not_utf8(tmp_path, capsys) -> None:
    m = model([helper.make_node("Relu", ["x"], ["y"])])
    data = m.SerializeToString().replace(b"Relu", b"R\xffl\xfe")
    assert_rejected(onnx.ModelProto.FromString(data), tmp_path, "not UTF-8", capsys)


@pytest.mark.parametrize("domain", ["com.unknown", "ai.onnx.ml"])
def test_unknown_domain(domain: str, tmp_path, capsys) -> None:
    node = helper.make_node("Swish", ["x"], ["y"], domain=domain)
    m = model([node])
    m.opset_import.append(helper.make_opsetid(domain, 1 << 40))
    assert_rejected(m, tmp_path, "unsupported op", capsys)


def test_constant_of_shape_over_the_budget(tmp_path, capsys) -> None:
    """A folded constant is checked before it is allocated (here 2**40 floats)."""
    node = helper.make_node("ConstantOfShape", ["s"], ["y"])
    assert_rejected(
        model([node], {"s": np.array([1 << 20, 1 << 20], np.int64)}),
        tmp_path,
        "over the limit",
        capsys,
    )


def test_rank_above_64(tmp_path, capsys) -> None:
    assert_rejected(
        model([helper.make_node("Relu", ["x"], ["y"])], x_shape=(1,) * 65),
        tmp_path,
        "rank 65",
        capsys,
    )
