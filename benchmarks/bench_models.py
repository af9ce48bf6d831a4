"""The benchmark models, built in code with fixed seeds (no downloads).

ONNX (onnx.helper, the ``Net`` DSL of tests/models.py): ResNet-50 v1 (also quantized to int8 by
ONNX Runtime's quantize_static), MobileNetV2, YOLOv3 at
416x416 (Darknet-53 and three detection heads, 80 classes), a 2-layer BERT encoder. TFLite: the
Keras MobileNetV2 (also quantized to full integer by the converter) and ResNet50 applications
(``weights=None``, seeded) through the TFLite converter.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from models import Net, mobilenet_v2  # noqa: E402
from onnx_util import IR_VERSION, ort_quantize  # noqa: E402


def _finish(
    n: Net, name: str, inputs: list[onnx.ValueInfoProto], outputs: list[str], opset: int
) -> onnx.ModelProto:
    graph = helper.make_graph(
        n.nodes, name, inputs, [helper.make_empty_tensor_value_info(o) for o in outputs], n.inits
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = IR_VERSION
    return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)


def _ints(n: Net, values: list[int]) -> str:
    name = n._name("i")
    n.inits.append(numpy_helper.from_array(np.array(values, np.int64), name))
    return name


def resnet50(seed: int = 0, size: int = 224, classes: int = 1000) -> onnx.ModelProto:
    """ResNet-50 v1: bottleneck blocks with the stride on the first 1x1 convolution."""
    n = Net(seed)
    y = n.conv_bn("input", 3, 64, 7, 2)
    y = n.node("MaxPool", [y], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, (width, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
        for block in range(blocks):
            stride = 2 if stage > 0 and block == 0 else 1
            z = n.conv_bn(y, cin, width, 1, stride)
            z = n.conv_bn(z, width, width, 3)
            z = n.conv_bn(z, width, 4 * width, 1, act=None)
            short = n.conv_bn(y, cin, 4 * width, 1, stride, act=None) if block == 0 else y
            y = n.node("Relu", [n.node("Add", [z, short])])
            cin = 4 * width
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    y = n.fc(y, 2048, classes)
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, (1, 3, size, size))
    return _finish(n, "resnet50", [x], [y], 13)


def resnet50_int8() -> onnx.ModelProto:
    """ResNet-50 as ONNX Runtime's quantize_static writes it: QDQ, uint8 activations, per-channel
    int8 weights (the u8 x s8 form both engines run on VNNI), min-max calibration on 8 seeded
    images."""
    import tempfile

    rng = np.random.default_rng(1)
    samples = [rng.standard_normal((1, 3, 224, 224)).astype(np.float32) for _ in range(8)]
    with tempfile.TemporaryDirectory() as tmp:
        return ort_quantize(resnet50(), Path(tmp), samples, "QUInt8")


def _dark(n: Net, x: str, cin: int, cout: int, k: int, stride: int = 1) -> str:
    """Darknet convolution: conv, batch norm, LeakyRelu(0.1)."""
    return n.node("LeakyRelu", [n.bn(n.conv(x, cin, cout, k, stride), cout)], alpha=0.1)


def _head(n: Net, x: str, cin: int, c: int) -> str:
    """Five alternating 1x1/3x3 convolutions of a YOLOv3 head; returns the branch point."""
    for i in range(5):
        x = _dark(
            n,
            x,
            cin if i == 0 else (2 * c if i % 2 == 0 else c),
            c if i % 2 == 0 else 2 * c,
            1 if i % 2 == 0 else 3,
        )
    return x


def yolov3(seed: int = 0, size: int = 416, classes: int = 80) -> onnx.ModelProto:
    """YOLOv3: Darknet-53 backbone, detections at strides 32, 16 and 8 (3 anchors each)."""
    n = Net(seed)
    y = _dark(n, "input", 3, 32, 3)
    routes, cin = [], 32
    for cout, blocks in ((64, 1), (128, 2), (256, 8), (512, 8), (1024, 4)):
        y = _dark(n, y, cin, cout, 3, 2)
        for _ in range(blocks):
            y = n.node("Add", [y, _dark(n, _dark(n, y, cout, cout // 2, 1), cout // 2, cout, 3)])
        routes.append(y)
        cin = cout
    attrs = {
        "mode": "nearest",
        "coordinate_transformation_mode": "asymmetric",
        "nearest_mode": "floor",
    }
    scales = n._name("scales")
    n.inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), scales))
    outputs, x, cin = [], routes[4], 1024
    for level, c in enumerate((512, 256, 128)):
        if level > 0:
            up = n.node("Resize", [_dark(n, x, 2 * c, c, 1), "", scales], **attrs)
            x = n.node("Concat", [up, routes[4 - level]], axis=1)
            cin = 3 * c  # c upsampled + 2c from the backbone
        x = _head(n, x, cin, c)
        det = _dark(n, x, c, 2 * c, 3)
        outputs.append(n.conv(det, 2 * c, 3 * (5 + classes), 1, bias=True))
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, (1, 3, size, size))
    return _finish(n, "yolov3", [inp], outputs, 13)


def _linear(n: Net, x: str, cin: int, cout: int) -> str:
    return n.node(
        "Add", [n.node("MatMul", [x, n.param((cin, cout), scale=0.05)]), n.param((cout,), 0.02)]
    )


def _layer_norm(n: Net, x: str, d: int) -> str:
    return n.node(
        "LayerNormalization",
        [x, n.param((d,), lo=0.9), n.param((d,), 0.02)],
        axis=-1,
        epsilon=1e-12,
    )


def _attention(n: Net, x: str, seq: int, d: int, heads: int) -> str:
    split = _ints(n, [1, seq, heads, d // heads])
    q, k, v = (
        n.node("Transpose", [n.node("Reshape", [_linear(n, x, d, d), split])], perm=perm)
        for perm in ([0, 2, 1, 3], [0, 2, 3, 1], [0, 2, 1, 3])
    )
    scale = n.const(1.0 / float(np.sqrt(d // heads)))
    p = n.node("Softmax", [n.node("Mul", [n.node("MatMul", [q, k]), scale])], axis=-1)
    ctx = n.node("Transpose", [n.node("MatMul", [p, v])], perm=[0, 2, 1, 3])
    return _linear(n, n.node("Reshape", [ctx, _ints(n, [1, seq, d])]), d, d)


def bert(
    seed: int = 0, layers: int = 2, d: int = 128, seq: int = 32, heads: int = 2, vocab: int = 1000
) -> onnx.ModelProto:
    """BERT encoder: token + position embeddings, ``layers`` post-norm blocks (GELU FFN, 4d)."""
    n = Net(seed)
    x = n.node("Gather", [n.param((vocab, d), scale=0.02), "input_ids"])
    x = _layer_norm(n, n.node("Add", [x, n.param((seq, d), scale=0.02)]), d)
    half, one, root2 = n.const(0.5), n.const(1.0), n.const(float(np.sqrt(2.0)))
    for _ in range(layers):
        x = _layer_norm(n, n.node("Add", [x, _attention(n, x, seq, d, heads)]), d)
        h = _linear(n, x, d, 4 * d)
        erf = n.node("Erf", [n.node("Div", [h, root2])])
        h = n.node("Mul", [n.node("Mul", [h, half]), n.node("Add", [erf, one])])
        x = _layer_norm(n, n.node("Add", [x, _linear(n, h, 4 * d, d)]), d)
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, (1, seq))
    return _finish(n, "bert", [ids], [x], 17)


def _keras_tflite(app: str, path: Path, int8: bool = False) -> None:
    """The Keras application through the TFLite converter; ``int8``: its full-integer
    quantization (int8 tensors, input and output included), calibrated on 8 seeded images."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((224, 224, 3), batch_size=1)
    build = getattr(tf.keras.applications, app)
    model = build(input_tensor=inp, weights=None, classifier_activation=None)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(3)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: (
            [rng.standard_normal((1, 224, 224, 3)).astype(np.float32)] for _ in range(8)
        )
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(sys.stderr):  # the converter prints the saved signature
        path.write_bytes(converter.convert())


ONNX_MODELS: dict[str, Callable[[], onnx.ModelProto]] = {
    "resnet50": resnet50,
    "resnet50_int8": resnet50_int8,
    "mobilenet_v2": mobilenet_v2,
    "yolov3": yolov3,
    "bert": bert,
}
TFLITE_MODELS = {  # name: (Keras application, full-integer int8)
    "keras_mobilenet_v2": ("MobileNetV2", False),
    "keras_mobilenet_v2_int8": ("MobileNetV2", True),
    "keras_resnet50": ("ResNet50", False),
}


def build(name: str, folder: Path) -> Path:
    """The model file of benchmark ``name`` in ``folder``, built unless it is there already."""
    folder.mkdir(parents=True, exist_ok=True)
    if name in TFLITE_MODELS:
        path = folder / f"{name}.tflite"
        if not path.is_file():
            app, int8 = TFLITE_MODELS[name]
            _keras_tflite(app, path, int8)
        return path
    path = folder / f"{name}.onnx"
    if not path.is_file():
        onnx.save(ONNX_MODELS[name](), path)
    return path
