"""TFLite frontend: models built and converted with TensorFlow in the test session, run by HALO and
compared with tf.lite.Interpreter (float, fp16, dynamic-range and full-integer int8 models);
corrupt files as ModelError."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

from halo import cli
from halo.compiler import CompileOptions, import_and_optimize
from halo.errors import OptionError, UnsupportedError
from halo.frontends import ImportOptions, load_model
from halo.frontends.tflite import inspect
from halo.frontends.tflite.options import Options
from halo.frontends.tflite.schema import ACTIVATIONS
from halo.run import run_model
from results import record
from runtimes import int8_runtimes, skip_if_all_fall_back

pytestmark = [pytest.mark.frontends,
              pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")]
RNG = np.random.default_rng(1234)


def _save(converter, path: Path) -> Path:
    path.write_bytes(converter.convert())
    return path


def fn_model(fn, shapes, path: Path) -> Path:
    specs = [tf.TensorSpec(s, tf.float32) for s in shapes]
    cf = tf.function(fn).get_concrete_function(*specs)
    return _save(tf.lite.TFLiteConverter.from_concrete_functions([cf], tf.Module()), path)


def reference(path: Path, xs: list[np.ndarray], shapes=None) -> list[np.ndarray]:
    it = tf.lite.Interpreter(model_path=str(path))
    for d, s in zip(it.get_input_details(), shapes or []):
        it.resize_tensor_input(d["index"], s)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), xs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def compare(path: Path, rtol: float = 1e-3, atol: float = 1e-4, input_shapes=None,
            runtime: str = "reference") -> float:
    """Run HALO and TFLite on the same seeded inputs; return the largest error relative to the
    output's magnitude. ``atol`` scales with that magnitude: fp32 rounding grows with it."""
    it = tf.lite.Interpreter(model_path=str(path))
    shapes = [tuple(input_shapes.get(d["name"], d["shape"])) if input_shapes else tuple(d["shape"])
              for d in it.get_input_details()]
    rng = np.random.default_rng(7)
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    expected = reference(path, xs, shapes if input_shapes else None)
    opts = CompileOptions(runtime=runtime, input_shapes=input_shapes or {})
    skip_if_all_fall_back(path, opts)
    got = run_model(path, xs, opts)
    worst = 0.0
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, g.dtype, e.shape, e.dtype)
        scale = max(1.0, float(np.abs(e).max(initial=0)))
        np.testing.assert_allclose(g, e, rtol=rtol, atol=atol * scale)
        worst = max(worst, float(np.abs(g.astype(np.float64) - e).max(initial=0)) / scale)
    print(f"{path.stem}: largest relative error {worst:.2e}")
    return worst


W = RNG.standard_normal((3, 3, 4, 6)).astype(np.float32)
W_GROUPED = RNG.standard_normal((3, 3, 2, 6)).astype(np.float32)
DW = RNG.standard_normal((3, 3, 4, 2)).astype(np.float32)
B = RNG.standard_normal(6).astype(np.float32)
M = RNG.standard_normal((5, 3)).astype(np.float32)
IDX = np.array([2, 0, 1, 1], np.int32)
W_T = RNG.standard_normal((3, 3, 3, 4)).astype(np.float32)  # [h, w, out, in]
ALPHA = RNG.uniform(0.1, 0.3, (1, 1, 5)).astype(np.float32)
X4 = (1, 9, 9, 4)

N = None  # a dynamic batch: the converter keeps EXPAND_DIMS, SQUEEZE, SLICE and SELECT_V2
OP_CASES = {  # name: (function, input shapes, TFLite ops (+fused activation) the model must contain)
    "conv_fused": (lambda x: [
        tf.nn.relu6(tf.nn.conv2d(x, W, 2, "SAME") + B),
        tf.nn.relu(tf.nn.conv2d(x, W, 1, "VALID", dilations=2) + B),
        tf.clip_by_value(tf.nn.conv2d(x, W, 1, "SAME") + B, -1.0, 1.0),
        tf.tanh(tf.nn.conv2d(x, W, (2, 1), "SAME") + B),
        tf.nn.conv2d(x, W_GROUPED, 1, "SAME")], [X4],
        {"CONV_2D", "CONV_2D+RELU", "CONV_2D+RELU6", "CONV_2D+RELU_N1_TO_1", "TANH"}),
    "depthwise_pool": (lambda x: [
        tf.nn.relu(tf.nn.depthwise_conv2d(x, DW, [1, 2, 2, 1], "SAME")),
        tf.nn.avg_pool2d(x, 3, 2, "SAME"), tf.nn.max_pool2d(x, 3, 2, "SAME"),
        tf.nn.avg_pool2d(x, (2, 3), (2, 1), "VALID"), tf.nn.max_pool2d(x, 2, 2, "VALID")],
        [(1, 8, 7, 4)], {"DEPTHWISE_CONV_2D+RELU", "AVERAGE_POOL_2D", "MAX_POOL_2D"}),
    "binary_fused": (lambda a, b: [
        tf.nn.relu(a + b), tf.nn.relu6(a * b), a - b, a / (tf.abs(b) + 1.0),  # (one use each:
        tf.nn.relu(a / (tf.abs(b) + 2.0)), tf.nn.relu6(b - a),  # shared results are not fused)
        tf.clip_by_value(a * (b + 1.0), -1.0, 1.0)],
        [(1, 4, 5, 3), (1, 1, 5, 3)],
        {"ADD+RELU", "MUL+RELU6", "SUB", "DIV", "DIV+RELU", "SUB+RELU6", "MUL+RELU_N1_TO_1"}),
    "strided_slice": (lambda x: [
        x[:, 1:, ::2], x[..., 0], x[:, tf.newaxis, 2:-1], x[::-1, ::-2], x[0, ..., 1:3],
        x[:, -3:-1, 1, tf.newaxis], x[1:, :, -1:-4:-1]], [(2, 6, 5, 4)], {"STRIDED_SLICE"}),
    "resize": (lambda x: [
        tf.image.resize(x, (8, 10), "bilinear"), tf.image.resize(x, (8, 10), "nearest"),
        tf.compat.v1.image.resize_bilinear(x, (7, 9), align_corners=True),
        tf.compat.v1.image.resize_nearest_neighbor(x, (7, 9), align_corners=True),
        tf.compat.v1.image.resize_bilinear(x, (6, 3)),
        tf.compat.v1.image.resize_nearest_neighbor(x, (8, 10))], [(1, 4, 5, 3)],
        {"RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"}),
    "pad_concat_reduce": (lambda x: [
        tf.pad(x, [[0, 0], [1, 2], [0, 3], [0, 0]]),
        tf.pad(x, [[0, 0], [2, 0], [1, 1], [0, 1]], constant_values=1.5),
        tf.reduce_mean(x, [1, 2]), tf.reduce_mean(x, [1], keepdims=True), tf.reduce_sum(x, -1),
        tf.reduce_max(x, [0, 3]), tf.reduce_min(x, 2), tf.reduce_prod(x, 1),
        tf.concat([x, tf.nn.relu(x)], 2)], [(1, 4, 5, 3)],
        {"PAD", "PADV2", "MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD", "CONCATENATION"}),
    "tensor_ops": (lambda x, y: [
        tf.gather(x, IDX, axis=2), tf.matmul(x, y), tf.matmul(x, M), tf.transpose(x, [0, 2, 1, 3]),
        *tf.split(x, 2, axis=2), *tf.split(x, [1, 3, 1], axis=3), tf.argmax(x, -1),
        tf.argmax(x, 1, output_type=tf.int32), tf.argmin(x, 2), tf.reshape(y, (2, -1))],
        [(1, 2, 4, 5), (1, 2, 5, 4)],
        {"GATHER", "BATCH_MATMUL", "FULLY_CONNECTED", "TRANSPOSE", "SPLIT", "SPLIT_V", "ARG_MAX",
         "ARG_MIN", "RESHAPE"}),
    "dynamic_batch": (lambda x, y: [
        tf.expand_dims(x, 1), tf.squeeze(y) * 2.0, tf.slice(x, [0, 1, 1], [-1, 2, 3]),
        tf.where(x > 0, x, ALPHA), tf.nn.softmax(x * 0.5), tf.nn.relu(tf.concat([x, y], 1)),
        tf.nn.relu6(tf.matmul(x, M)), tf.nn.relu(tf.matmul(x[:, 0], M)), tf.matmul(x, M),
        tf.reshape(x, [tf.shape(x)[0], -1]) * 3.0],
        [(N, 4, 5), (N, 1, 5)],
        {"EXPAND_DIMS", "SQUEEZE", "SLICE", "SELECT_V2", "SOFTMAX", "FULLY_CONNECTED+RELU6",
         "FULLY_CONNECTED+RELU", "CONCATENATION", "RELU", "SHAPE", "PACK"}),
    "shuffle_ops": (
        lambda x: [
            tf.nn.relu(tf.nn.conv2d_transpose(x, W_T, (1, 10, 9, 3), 2, "SAME")),
            tf.nn.conv2d_transpose(x, W_T, (1, 11, 11, 3), 2, "VALID"),
            tf.nn.conv2d_transpose(x, W_T, (1, 12, 12, 3), 2, "VALID"),
            tf.stack([x[:, 0], x[:, 1] * 2], 2),
            *tf.unstack(x, axis=3),
            tf.tile(x, [1, 2, 1, 3]),
            tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]], mode="REFLECT"),
            tf.nn.depth_to_space(x, 2),
            tf.nn.space_to_depth(x[:, 1:, 1:], 2),
            tf.nn.gelu(x[:, 1:], approximate=True),  # (fused only when its input has one use)
            tf.keras.activations.gelu(x[:, :2]),
        ],
        [(1, 5, 5, 4)],
        {"TRANSPOSE_CONV", "PACK", "UNPACK", "TILE", "MIRROR_PAD", "DEPTH_TO_SPACE",
         "SPACE_TO_DEPTH", "GELU"},
    ),
    "activations": (lambda x: [
        tf.nn.log_softmax(x), tf.nn.leaky_relu(x, 0.3), x * tf.nn.relu6(x + 3) / 6, tf.sigmoid(x),
        tf.nn.relu(x), tf.nn.relu6(x), tf.tanh(x), tf.exp(x), tf.math.log(tf.abs(x) + 0.5),
        tf.sqrt(tf.abs(x)), tf.math.rsqrt(tf.abs(x) + 0.5), -x, tf.floor(x), tf.math.ceil(x),
        tf.maximum(x, 0.2), tf.minimum(x, -0.2), tf.square(x), tf.math.squared_difference(x, 0.5),
        tf.pow(tf.abs(x), 1.7), tf.compat.v1.where(x[0, :, 0, 0] >= 0.2, x[0], x[0] * 2),
        tf.cast(tf.logical_and(x < 0.5, tf.logical_not(tf.equal(x, 0.2))), tf.float32),
        tf.cast(tf.logical_or(x <= -0.5, tf.not_equal(x, x)), tf.int32)], [(1, 3, 4, 5)],
        {"LOG_SOFTMAX", "LEAKY_RELU", "HARD_SWISH", "LOGISTIC", "RELU", "RELU6", "TANH", "EXP",
         "LOG", "SQRT", "RSQRT", "NEG", "FLOOR", "CEIL", "MAXIMUM", "MINIMUM", "SQUARE",
         "SQUARED_DIFFERENCE", "POW", "SELECT", "GREATER_EQUAL", "LESS", "LESS_EQUAL", "LOGICAL_AND",
         "LOGICAL_OR", "NOT_EQUAL", "CAST"}),
}


def op_kinds(path: Path) -> set[str]:
    """The model's TFLite ops, plus OP+ACTIVATION for each fused activation."""
    kinds = set()
    for o in inspect(path).subgraphs[0].operators:
        kinds.add(o.op)
        opts = Options(o, o.op)
        if "fused_activation_function" in opts.fields:
            act = ACTIVATIONS[opts["fused_activation_function"]]
            kinds.add(o.op if act == "NONE" else f"{o.op}+{act}")
    return kinds


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_ops_match_tflite(case: str, tmp_path: Path) -> None:
    fn, shapes, ops = OP_CASES[case]
    path = fn_model(fn, shapes, tmp_path / f"{case}.tflite")
    assert ops <= op_kinds(path), f"the converter no longer emits {sorted(ops - op_kinds(path))}"
    compare(path)


def randomize(model, seed: int = 0) -> None:
    """He-scaled kernels and random batch-norm statistics, so activations keep a unit scale
    (with Keras's initial weights the outputs of deep networks collapse towards zero)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        new = []
        for w in layer.weights:
            shape, name = tuple(w.shape), w.name
            if "kernel" in name:
                fan_in = int(np.prod(shape[:2] if "depthwise" in name else shape[:-1]))
                new.append(rng.standard_normal(shape) * np.sqrt(2.0 / fan_in))
            elif "moving_variance" in name or "gamma" in name:
                new.append(rng.uniform(0.5, 1.5, shape))
            else:
                new.append(rng.standard_normal(shape) * 0.1)
        if new:
            layer.set_weights([a.astype(np.float32) for a in new])


def keras_model(model, path: Path, mode: str = "float", data_shape=None) -> Path:
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "fp16":
        conv.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        rng = np.random.default_rng(3)
        conv.representative_dataset = lambda: (
            [rng.standard_normal(data_shape).astype(np.float32)] for _ in range(8))
    return _save(conv, path)


@pytest.mark.parametrize("name", ["mobilenet_v2", pytest.param("resnet50", marks=pytest.mark.slow)])
def test_keras_applications(name: str, runtime: str, tmp_path: Path) -> None:
    tf.keras.utils.set_random_seed(0)
    if name == "mobilenet_v2":
        model = tf.keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None,
                                                  classifier_activation=None)
    else:
        model = tf.keras.applications.ResNet50(input_shape=(64, 64, 3), weights=None,
                                               classifier_activation=None)
    randomize(model)
    worst = compare(keras_model(model, tmp_path / f"{name}.tflite"), runtime=runtime)
    record("TFLite", f"Keras {name} (TFLite converter)", "TFLite interpreter", worst,
           "error relative to max(1, |output|)", runtime)


@pytest.fixture(scope="module")
def small_cnn():
    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((12, 12, 3), batch_size=1)
    x = tf.keras.layers.Conv2D(8, 3, padding="same")(inp)
    x = tf.keras.layers.PReLU(shared_axes=[1, 2])(x)
    x = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    x = tf.keras.layers.Flatten()(x)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(10, activation="tanh")(x))
    randomize(model)
    return model


def test_fp16_weights(small_cnn, tmp_path: Path) -> None:
    path = keras_model(small_cnn, tmp_path / "cnn_fp16.tflite", "fp16")
    assert {"DEQUANTIZE", "PRELU", "CONV_2D", "DEPTHWISE_CONV_2D+RELU6"} <= op_kinds(path)
    compare(path)
    graph = load_model(path)
    assert all(c.dtype.value == "float32" for c in graph.constants())


def test_dynamic_range_weights(small_cnn, tmp_path: Path) -> None:
    """int8 weights, float activations: TFLite's hybrid kernels quantize the activations on the
    fly (to 8 bits per row), HALO computes in float with the dequantized weights, so the two
    differ by the activation rounding: about 1% of the output's magnitude."""
    path = keras_model(small_cnn, tmp_path / "cnn_dynamic.tflite", "dynamic")
    compare(path, rtol=0.0, atol=3e-2)
    raw = load_model(path)
    assert any(n.op == "DequantizeLinear" and n.operand(0).dtype.value == "int8" for n in raw.nodes)
    # no integer op takes them (the activations are real): their real values are folded once
    graph = import_and_optimize(path, CompileOptions())
    assert not any(n.op == "DequantizeLinear" for n in graph.nodes)
    assert all(c.dtype.value == "float32" for c in graph.constants())


def test_int8_model_inspects(small_cnn, tmp_path: Path) -> None:
    path = keras_model(small_cnn, tmp_path / "cnn_int8.tflite", "int8", (1, 12, 12, 3))
    sg = inspect(path).subgraphs[0]
    details = {d["index"]: d for d in tf.lite.Interpreter(model_path=str(path)).get_tensor_details()}
    assert len(details) == len(sg.tensors)
    per_axis = 0
    for t in sg.tensors:
        qp = details[t.index]["quantization_parameters"]
        assert t.name == details[t.index]["name"]
        if t.quant is None:
            assert qp["scales"].size == 0
            continue
        np.testing.assert_array_equal(t.quant.scale, qp["scales"])
        np.testing.assert_array_equal(t.quant.zero_point, qp["zero_points"])
        if t.quant.per_axis:
            per_axis += 1
            assert t.quant.axis == qp["quantized_dimension"]
            assert t.quant.scale.size == t.shape[t.quant.axis]
    assert per_axis >= 2  # conv and dense weights are quantized per output channel
    assert any(t.type_name == "INT8" and t.data is None and t.quant for t in sg.tensors)


def normalized_mobilenet_v2(size: int):
    """MobileNetV2 (width 0.35) whose batch norms hold the statistics of seeded images: with
    randomize()'s statistics alone the logits hardly depend on the input (top-1 is the same
    class for every image), which would test the biases only."""
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.applications.MobileNetV2(input_shape=(size, size, 3), alpha=0.35,
                                              weights=None, classifier_activation=None)
    randomize(model)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            layer.momentum = 0.0  # one training-mode call sets the moving statistics
    model(np.random.default_rng(4).standard_normal((16, size, size, 3)).astype(np.float32),
          training=True)
    return model


def int8_tflite(model, path: Path, shape, integer_io: bool) -> Path:
    """The TFLite converter's full-integer quantization, calibrated on 8 seeded images; with
    ``integer_io`` the model also takes and returns int8 (no QUANTIZE / DEQUANTIZE ops)."""
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(3)
    conv.representative_dataset = lambda: (
        [rng.standard_normal(shape).astype(np.float32)] for _ in range(8))
    if integer_io:
        conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = conv.inference_output_type = tf.int8
    return _save(conv, path)


def _int8_inputs(path: Path, count: int) -> list[np.ndarray]:
    """Seeded images (not the calibration's), quantized with the input's parameters when the
    model takes int8."""
    [d] = tf.lite.Interpreter(model_path=str(path)).get_input_details()
    rng = np.random.default_rng(9)
    xs = [rng.standard_normal(d["shape"]).astype(np.float32) for _ in range(count)]
    if d["dtype"] != np.int8:
        return xs
    scale, zero = d["quantization"]
    return [np.clip(np.rint(x / scale) + zero, -128, 127).astype(np.int8) for x in xs]


@pytest.mark.parametrize("net,integer_io", [("small_cnn", False), ("mobilenet_v2", True)])
def test_int8_model_matches_the_interpreter(net: str, integer_io: bool, small_cnn,
                                            tmp_path: Path) -> None:
    """Full-integer models run on integer kernels: every convolution and matrix product becomes
    a QLinear op (nothing left in float), the emulator gives the runtime's integers bit for bit,
    and both land on TFLite's integers (measured: all equal) or at most one step next to them:
    TFLite requantizes with a fixed-point multiplier, HALO with the float32 product of the
    scales, and the small CNN's PReLU and tanh run in float between their Q/DQ pairs, TFLite's
    in integer arithmetic, so a tie may round the other way. The runtimes with integer kernels of
    their own land within one step of the reference runtime (exact integer ops; the global mean
    between its Q/DQ pair is a float pooling that rounds its own way on oneDNN)."""
    if net == "small_cnn":
        model, shape = small_cnn, (1, 12, 12, 3)
    else:
        model, shape = normalized_mobilenet_v2(96), (1, 96, 96, 3)
    path = int8_tflite(model, tmp_path / f"{net}_int8.tflite", shape, integer_io)
    graph = import_and_optimize(path, CompileOptions())
    ops = Counter(n.op for n in graph.nodes)
    assert ops["Conv"] == ops["Gemm"] == 0 and ops["QLinearConv"] >= 2, ops
    if net == "mobilenet_v2":
        assert ops["QLinearConv"] == 52 and ops["QLinearAdd"] == 10, ops
    step = tf.lite.Interpreter(model_path=str(path)).get_output_details()[0]["quantization"][0]
    step = step or float(inspect(path).subgraphs[0].tensors[
        _dequantized_output(path)].quant.scale[0])
    xs = _int8_inputs(path, 3)
    got = [run_model(path, [x], CompileOptions())[0] for x in xs]
    emulated = [run_model(path, [x], CompileOptions(runtime="emulator"))[0] for x in xs]
    off = total = 0
    for x, g, em in zip(xs, got, emulated):
        [e] = reference(path, [x])
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(em, g)
        steps = np.abs(g.astype(np.float64) - e.astype(np.float64)) / (
            1.0 if g.dtype == np.int8 else step)
        assert steps.max() <= 1.01, steps.max()
        off, total = off + int((steps > 0.01).sum()), total + steps.size
        assert g.argmax() == e.argmax()
    print(f"{net}: {off} of {total} outputs one step from TFLite's, the rest equal")
    for rt in int8_runtimes(graph):  # their own integer kernels; the float mean pools its way
        for x, g in zip(xs, got):
            r = run_model(path, [x], CompileOptions(runtime=rt))[0]
            steps = np.abs(r.astype(np.float64) - g.astype(np.float64)) / (
                1.0 if g.dtype == np.int8 else step)
            assert steps.max() <= 1.01 and r.argmax() == g.argmax(), (rt, steps.max())
    record("TFLite", f"int8 {net} (TFLite converter, full integer)", "TFLite interpreter",
           off / total, "fraction of outputs one quantization step off (none further)",
           "reference")


def _dequantized_output(path: Path) -> int:
    """The int8 tensor the model's DEQUANTIZE reads (the float output's quantized source)."""
    sg = inspect(path).subgraphs[0]
    [op] = [o for o in sg.operators if o.op == "DEQUANTIZE" and o.outputs[0] in sg.outputs]
    return op.inputs[0]


def test_int16_activations_are_a_clear_error(tmp_path: Path, capsys) -> None:
    inp = tf.keras.Input((12, 12, 3), batch_size=1)
    model = tf.keras.Model(inp, tf.keras.layers.Conv2D(4, 3, activation="relu")(inp))
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(3)
    conv.representative_dataset = lambda: (
        [rng.standard_normal((1, 12, 12, 3)).astype(np.float32)] for _ in range(4))
    conv.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    path = _save(conv, tmp_path / "cnn_16x8.tflite")
    with pytest.raises(UnsupportedError, match="16x8 quantization scheme"):
        load_model(path)
    assert cli.main(["info", str(path)]) == 2
    assert "16x8" in capsys.readouterr().err


def test_input_shape_override(small_cnn, tmp_path: Path) -> None:
    fn, shapes, _ = OP_CASES["depthwise_pool"]
    path = fn_model(fn, shapes, tmp_path / "pool.tflite")
    name = inspect(path).subgraphs[0].tensors[inspect(path).subgraphs[0].inputs[0]].name
    compare(path, input_shapes={name: (2, 10, 11, 4)})
    with pytest.raises(OptionError, match="unknown input"):
        load_model(path, ImportOptions({"nope": (1, 2)}))
    with pytest.raises(OptionError, match="rank"):
        load_model(path, ImportOptions({name: (1, 2)}))


def test_unsupported_op_lists_all(tmp_path: Path) -> None:
    path = fn_model(lambda x: [tf.math.cumsum(x, 1), tf.math.top_k(x, 2).values, tf.math.cumsum(x, 2)],
                    [(1, 3, 4)], tmp_path / "unsupported.tflite")
    with pytest.raises(UnsupportedError) as e:
        load_model(path)
    assert "CUMSUM x2" in str(e.value) and "TOPK_V2 x1" in str(e.value)
    assert "CONV_2D" in str(e.value)  # the supported list
