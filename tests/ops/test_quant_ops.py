"""Integer kernels (QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, MaxPool on
8-bit values) against ONNX Runtime, bit for bit, on every runtime and on the emulator (the numpy
reference)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import onnx
from onnx import helper
from onnx_util import halo_run, make_model, ort_run

pytestmark = pytest.mark.ops

R = np.random.default_rng(11)
U8, S8 = np.uint8, np.int8


def _q(dtype, *shape: int) -> np.ndarray:
    info = np.iinfo(dtype)
    return R.integers(info.min, info.max + 1, shape, dtype=dtype)


def _scale(*shape: int, lo: float = 0.002, hi: float = 0.02) -> np.ndarray:
    return R.uniform(lo, hi, shape).astype(np.float32)


@dataclass
class Case:
    id: str
    node: dict
    inputs: dict[str, np.ndarray]
    inits: dict[str, np.ndarray] = field(default_factory=dict)
    opset: int = 13

    def model(self):
        n = helper.make_node(**self.node)
        return make_model(
            [n], self.inputs, list(n.output), self.inits, self.opset, name=self.id.replace("-", "_")
        )


def _qconv(id_: str, xt, wt, x_shape, w_shape, per_channel=True, bias=True, **attrs) -> Case:
    cout = w_shape[0]
    ws = _scale(cout) if per_channel else _scale(1).reshape(())
    inits = {
        "xs": np.array(0.03, np.float32),
        "xz": np.array(9 if xt is U8 else -5, xt),
        "w": _q(wt, *w_shape),
        "ws": ws,
        "wz": np.zeros(ws.shape, wt) if wt is S8 else np.full(ws.shape, 128, wt),
        "ys": np.array(0.4, np.float32),
        "yz": np.array(120 if xt is U8 else 3, xt),
    }
    names = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    if bias:
        inits["b"] = R.integers(-3000, 3000, (cout,), dtype=np.int32)
        names.append("b")
    return Case(
        id_,
        dict(op_type="QLinearConv", inputs=names, outputs=["y"], **attrs),
        {"x": _q(xt, *x_shape)},
        inits,
    )


CASES = [
    _qconv("qconv-u8-per-channel-pad", U8, S8, (1, 8, 12, 12), (16, 8, 3, 3), pads=[1, 1, 1, 1]),
    _qconv(
        "qconv-u8-stride2", U8, S8, (2, 6, 11, 13), (5, 6, 3, 3), strides=[2, 2], pads=[1, 0, 1, 2]
    ),
    _qconv("qconv-s8-dilated", S8, S8, (1, 4, 14, 14), (8, 4, 3, 3), dilations=[2, 2]),
    _qconv("qconv-u8-grouped", U8, S8, (1, 8, 9, 9), (12, 4, 3, 3), group=2, pads=[1, 1, 1, 1]),
    _qconv(
        "qconv-u8-depthwise",
        U8,
        S8,
        (1, 16, 10, 10),
        (16, 1, 3, 3),
        group=16,
        pads=[1, 1, 1, 1],
        bias=False,
    ),
    _qconv(
        "qconv-u8-pointwise-per-tensor", U8, S8, (1, 32, 7, 7), (24, 32, 1, 1), per_channel=False
    ),
    _qconv("qconv-u8-uint8-weights", U8, U8, (1, 3, 8, 8), (4, 3, 3, 3), per_channel=False),
    _qconv("qconv-s8-1d", S8, S8, (1, 5, 20), (7, 5, 3), pads=[2, 2]),
    Case(
        "qmatmul-u8-per-column",
        dict(
            op_type="QLinearMatMul",
            outputs=["y"],
            inputs=["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
        ),
        {"a": _q(U8, 2, 3, 40)},
        {
            "as": np.array(0.05, np.float32),
            "az": np.array(100, U8),
            "b": _q(S8, 40, 24),
            "bs": _scale(24),
            "bz": np.zeros(24, S8),
            "ys": np.array(0.7, np.float32),
            "yz": np.array(128, U8),
        },
        opset=21,
    ),
    Case(
        "qmatmul-s8",
        dict(
            op_type="QLinearMatMul",
            outputs=["y"],
            inputs=["a", "as", "az", "b", "bs", "bz", "ys", "yz"],
        ),
        {"a": _q(S8, 5, 64)},
        {
            "as": np.array(0.05, np.float32),
            "az": np.array(-3, S8),
            "b": _q(S8, 64, 10),
            "bs": np.array(0.01, np.float32),
            "bz": np.array(0, S8),
            "ys": np.array(0.3, np.float32),
            "yz": np.array(-10, S8),
        },
    ),
    Case(
        "quantize-per-axis-ties",
        dict(op_type="QuantizeLinear", inputs=["x", "s", "z"], outputs=["y"], axis=1),
        # x / s lands on .5 ties (2.5 -> 2, 3.5 -> 4, -2.5 -> -2) and beyond the int8 range
        {"x": np.array([[1.25, 0.875, -1.25, 90.0], [1.75, 0.625, -0.75, -90.0]], np.float32)},
        {"s": np.array([0.5, 0.25, 0.5, 0.125], np.float32), "z": np.array([0, 1, -1, 3], S8)},
    ),
    Case(
        "quantize-u8-per-tensor",
        dict(op_type="QuantizeLinear", inputs=["x", "s", "z"], outputs=["y"]),
        {"x": R.standard_normal((3, 17)).astype(np.float32) * 3},
        {"s": np.array(0.02, np.float32), "z": np.array(128, U8)},
    ),
    Case(
        "dequantize-per-axis",
        dict(op_type="DequantizeLinear", inputs=["x", "s", "z"], outputs=["y"], axis=0),
        {"x": _q(S8, 3, 5, 2)},
        {"s": _scale(3), "z": np.array([0, -7, 100], S8)},
    ),
    Case(
        "dequantize-int32",
        dict(op_type="DequantizeLinear", inputs=["x", "s"], outputs=["y"]),
        {"x": R.integers(-(2**20), 2**20, (6, 4), dtype=np.int32)},
        {"s": np.array(0.001, np.float32)},
    ),
    Case(
        "maxpool-u8",
        dict(op_type="MaxPool", inputs=["x"], outputs=["y"], kernel_shape=[3, 3], strides=[2, 2],
             pads=[1, 1, 1, 1]),
        {"x": _q(U8, 1, 5, 13, 12)},
        opset=12,
    ),
    Case(
        "maxpool-s8-dilated-ceil",
        dict(op_type="MaxPool", inputs=["x"], outputs=["y"], kernel_shape=[2, 3], strides=[2, 2],
             dilations=[2, 1], pads=[0, 1, 1, 0], ceil_mode=1),
        {"x": _q(S8, 2, 3, 9, 10)},
        opset=12,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_integer_op_matches_onnxruntime(case: Case, runtime: str, tmp_path) -> None:
    model = case.model()
    [expected] = ort_run(model, case.inputs)
    [got] = halo_run(model, case.inputs, tmp_path, runtime)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("case", CASES[:3] + CASES[8:9] + CASES[-2:], ids=lambda c: c.id)
def test_emulator_is_bit_exact(case: Case, tmp_path) -> None:
    model = case.model()
    [expected] = ort_run(model, case.inputs)
    [got] = halo_run(model, case.inputs, tmp_path, "emulator")
    np.testing.assert_array_equal(got, expected)


def _residual(a_type, b_type, y_type, relu: bool) -> onnx.ModelProto:
    """DQ(a) + DQ(b), [Relu], Q: what a quantized residual block writes; HALO fuses it."""
    nodes = [helper.make_node("DequantizeLinear", ["a", "as", "az"], ["fa"]),
             helper.make_node("DequantizeLinear", ["b", "bs", "bz"], ["fb"]),
             helper.make_node("Add", ["fa", "fb"], ["s"])]
    if relu:
        nodes.append(helper.make_node("Relu", ["s"], ["r"]))
    nodes.append(helper.make_node("QuantizeLinear", ["r" if relu else "s", "ys", "yz"], ["y"]))
    inits = {"as": np.array(0.031, np.float32), "az": np.array(7 if a_type is U8 else -7, a_type),
             "bs": np.array(0.017, np.float32), "bz": np.array(130 if b_type is U8 else 2, b_type),
             "ys": np.array(0.043, np.float32), "yz": np.array(100 if y_type is U8 else -3, y_type)}
    return make_model(nodes, {"a": _q(a_type, 2, 7, 9, 11), "b": _q(b_type, 2, 7, 9, 11)}, ["y"],
                      inits, 13, name="residual")


RESIDUALS = {"u8-relu": (U8, U8, U8, True), "s8": (S8, S8, S8, False),
             "mixed-relu": (U8, S8, S8, True)}


@pytest.mark.parametrize("case", sorted(RESIDUALS))
def test_fused_residual_add_matches_the_unfused_graph(case: str, runtime: str, tmp_path) -> None:
    """HALO runs the pattern as one integer op (QLinearAdd) with the float arithmetic of the
    graph, bit for bit what ONNX Runtime computes node by node (its own QLinearAdd fusion off)."""
    import onnxruntime as ort
    from halo.compiler import CompileOptions, import_and_optimize

    a_type, b_type, y_type, relu = RESIDUALS[case]
    rng = np.random.default_rng(3)
    feeds = {"a": rng.integers(np.iinfo(a_type).min, np.iinfo(a_type).max + 1, (2, 7, 9, 11),
                               dtype=a_type),
             "b": rng.integers(np.iinfo(b_type).min, np.iinfo(b_type).max + 1, (2, 7, 9, 11),
                               dtype=b_type)}
    model = _residual(a_type, b_type, y_type, relu)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    [expected] = sess.run(None, feeds)
    onnx.save(model, tmp_path / "residual.onnx")
    ops = [n.op for n in import_and_optimize(tmp_path / "residual.onnx", CompileOptions()).nodes]
    assert ops == ["QLinearAdd"], ops
    [emulated] = halo_run(model, feeds, tmp_path, "emulator")
    [got] = halo_run(model, feeds, tmp_path, runtime)
    np.testing.assert_array_equal(got, emulated)
    off = got.astype(np.int32) - expected.astype(np.int32)
    assert np.abs(off).max() <= 1 and np.count_nonzero(off) <= 1, np.count_nonzero(off)


def _pooled(same_params: bool) -> onnx.ModelProto:
    """DQ -> MaxPool -> Q, as quantize_static writes a quantized max pooling."""
    nodes = [helper.make_node("DequantizeLinear", ["x", "xs", "xz"], ["fx"]),
             helper.make_node("MaxPool", ["fx"], ["p"], kernel_shape=[3, 3], strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("QuantizeLinear", ["p", "ys", "yz"], ["y"])]
    inits = {"xs": np.array(0.021, np.float32), "xz": np.array(9, U8),
             "ys": np.array(0.021 if same_params else 0.05, np.float32),
             "yz": np.array(9 if same_params else 3, U8)}
    return make_model(nodes, {"x": _q(U8, 1, 4, 11, 12)}, ["y"], inits, 13, name="pooled")


@pytest.mark.parametrize("same_params", [True, False], ids=["same-params", "requantized"])
def test_max_pool_runs_on_the_integers(same_params: bool, tmp_path) -> None:
    """MaxPool commutes with a DequantizeLinear of positive scale: the pool runs on uint8, and
    the DQ/Q pair cancels when both use one scale and zero point (else it requantizes)."""
    from halo.compiler import CompileOptions, import_and_optimize

    model = _pooled(same_params)
    feeds = {"x": _q(U8, 1, 4, 11, 12)}
    [expected] = ort_run(model, feeds)
    onnx.save(model, tmp_path / "pooled.onnx")
    nodes = import_and_optimize(tmp_path / "pooled.onnx", CompileOptions()).nodes
    assert nodes[0].op == "MaxPool" and nodes[0].inputs[0].dtype.name == "UINT8"
    want = ["MaxPool"] if same_params else ["MaxPool", "DequantizeLinear", "QuantizeLinear"]
    assert [n.op for n in nodes] == want
    for rt in ("reference", "emulator"):
        [got] = halo_run(model, feeds, tmp_path, rt)
        np.testing.assert_array_equal(got, expected)


def _clipped_conv(act: str, y_type) -> onnx.ModelProto:
    """DQ -> Conv -> Relu/Clip -> Q whose output zero point puts 0 inside the range: the
    activation clips values the quantization keeps (TFLite's calibrated Relu6 outputs do this)."""
    nodes = [helper.make_node("DequantizeLinear", ["x", "xs", "xz"], ["fx"]),
             helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["fw"], axis=0),
             helper.make_node("Conv", ["fx", "fw", "b"], ["c"], pads=[1, 1, 1, 1])]
    if act == "relu":
        nodes.append(helper.make_node("Relu", ["c"], ["a"]))
    else:
        nodes.append(helper.make_node("Clip", ["c", "lo", "hi"], ["a"]))
    nodes.append(helper.make_node("QuantizeLinear", ["a", "ys", "yz"], ["y"]))
    rng = np.random.default_rng(23)  # the same model on every runtime, whatever ran before
    inits = {"xs": np.array(0.02, np.float32), "xz": np.array(120, U8),
             "w": rng.integers(-128, 128, (6, 4, 3, 3), dtype=S8),
             "ws": rng.uniform(0.002, 0.02, 6).astype(np.float32), "wz": np.zeros(6, S8),
             "b": rng.standard_normal(6).astype(np.float32) * 0.1,
             "lo": np.array(0.0, np.float32), "hi": np.array(1.5, np.float32),
             "ys": np.array(0.004, np.float32),
             "yz": np.array(100 if y_type is U8 else -20, y_type)}
    return make_model(nodes, {"x": _q(U8, 1, 4, 9, 9)}, ["y"], inits, 13, name="clipped")


@pytest.mark.parametrize("act,y_type", [("relu", U8), ("clip", U8), ("clip", S8)],
                         ids=["relu-u8", "clip-u8", "clip-s8"])
def test_activation_inside_the_range_is_an_integer_clip(act, y_type, runtime, tmp_path) -> None:
    """Q(clip(v, lo, hi)) = clip(Q(v), Q(lo), Q(hi)): the convolution still runs on integers,
    its activation as a Clip of the int8/uint8 result (on dnnl a clip post-op of the integer
    convolution), bit for bit the emulator. ONNX Runtime computes the graph node by node, the
    convolution in float32: its sum rounds, the integer one does not, so a value within float
    rounding of a quantization tie may land one step apart (here: at most one of 486)."""
    import onnxruntime as ort
    from halo.compiler import CompileOptions, import_and_optimize

    model = _clipped_conv(act, y_type)
    feeds = {"x": np.random.default_rng(5).integers(0, 256, (1, 4, 9, 9), dtype=U8)}
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    [expected] = sess.run(None, feeds)
    onnx.save(model, tmp_path / "clipped.onnx")
    ops = [n.op for n in import_and_optimize(tmp_path / "clipped.onnx", CompileOptions()).nodes]
    assert ops == ["QLinearConv", "Clip"], ops
    zero = 100 if y_type is U8 else -20  # Q(0): the clamp bites (values below it were clipped)
    assert expected.min() == zero and (expected == zero).mean() > 0.1
    [emulated] = halo_run(model, feeds, tmp_path, "emulator")
    [got] = halo_run(model, feeds, tmp_path, runtime)
    np.testing.assert_array_equal(got, emulated)
    off = got.astype(np.int32) - expected.astype(np.int32)
    assert np.abs(off).max() <= 1 and np.count_nonzero(off) <= 1, np.count_nonzero(off)
