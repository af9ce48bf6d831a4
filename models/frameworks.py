"""How the demo's model scripts hand a model to the demo (``Built``), one helper per source
framework: save the model, compute the framework's own outputs on seeded inputs, and give the
demo a call that runs the framework once (for its latency).

The builders themselves live with the tests and benchmarks (tests/models.py, tests/caffe_util.py,
tests/frontends/tf_util.py, benchmarks/bench_models.py); this module puts those folders on
``sys.path`` the way benchmarks/bench_models.py does.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for _sub in ("benchmarks", "tests/frontends", "tests"):  # tests/ first: its models.py
    if str(ROOT / _sub) not in sys.path:
        sys.path.insert(0, str(ROOT / _sub))

THREADS = 2  # intra-op threads of the frameworks' runtimes (demo.py sets it from --threads)


@dataclass
class Built:
    """A model file HALO compiles, its inputs, the framework's outputs on them, and one call of
    the framework's runtime (None where there is none to time, as for Caffe)."""

    model: Path
    inputs: list[np.ndarray]
    expected: list[np.ndarray]
    reference: str  # what computed ``expected``
    run_reference: Callable[[], object] | None
    weights: Path | None = None
    note: str = ""  # the input, and anything else the table should say
    input_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape))


# ---- ONNX: onnx.helper models (tests/models.py's Net), ONNX Runtime -------------------------


def onnx_built(model: object, folder: Path, seed: int = 7) -> Built:
    """Save ``model`` (an onnx.ModelProto with float inputs) and run it with ONNX Runtime."""
    import onnx
    import onnxruntime as ort

    path = folder / f"{model.graph.name}.onnx"
    onnx.save(model, path)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32) for i in sess.get_inputs()}
    expected = sess.run(None, feeds)
    note = ", ".join(shape_text(tuple(v.shape)) for v in feeds.values())
    return Built(
        path,
        list(feeds.values()),
        expected,
        "ONNX Runtime",
        lambda: sess.run(None, feeds),
        note=note,
    )


# ---- TensorFlow: Keras applications frozen to .pb (tests/frontends/test_tensorflow.py) -------


def tensorflow() -> object:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    with contextlib.suppress(RuntimeError):  # set once, before TensorFlow starts its pools
        tf.config.threading.set_intra_op_parallelism_threads(THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf


def frozen_graph_runner(pb: Path, x: np.ndarray) -> Callable[[], object]:
    """The frozen GraphDef in ``pb`` as a TensorFlow function of its one Placeholder."""
    tf = tensorflow()
    gd = tf.compat.v1.GraphDef.FromString(pb.read_bytes())
    used = {i.lstrip("^").split(":")[0] for n in gd.node for i in n.input}
    inputs = [n.name for n in gd.node if n.op == "Placeholder"]
    outputs = [n.name for n in gd.node if n.name not in used and n.op not in ("NoOp", "Const")]
    wrapped = tf.compat.v1.wrap_function(lambda: tf.compat.v1.import_graph_def(gd, name=""), [])
    fn = wrapped.prune(
        [wrapped.graph.get_tensor_by_name(f"{n}:0") for n in inputs],
        [wrapped.graph.get_tensor_by_name(f"{n}:0") for n in outputs],
    )
    xt = tf.constant(x)
    return lambda: fn(xt)


def keras_pb_built(app: str, size: int, folder: Path, **kw: object) -> Built:
    """``keras.applications.<app>`` (weights=None, seeded, randomized batch-norm statistics) at
    ``size`` x ``size``, frozen to a .pb; the reference is TensorFlow running that .pb."""
    tensorflow()
    from test_tensorflow import _keras_pb

    pb, x, expected = _keras_pb(app, size, folder, **kw)
    return Built(
        pb, [x], [expected], "TensorFlow", frozen_graph_runner(pb, x), note=shape_text(x.shape)
    )


# ---- TFLite: Keras applications through the TFLite converter, tf.lite.Interpreter ------------


def keras_tflite_built(app: str, size: int, folder: Path, **kw: object) -> Built:
    tf = tensorflow()
    import keras
    from tf_util import randomize

    keras.utils.set_random_seed(0)
    inp = keras.Input((size, size, 3), batch_size=1)
    model = getattr(keras.applications, app)(
        input_tensor=inp, weights=None, classifier_activation=None, **kw
    )
    randomize(model, 0)
    path = folder / f"{app.lower()}.tflite"
    with contextlib.redirect_stdout(sys.stderr):  # the converter prints the saved signature
        path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    interp = tf.lite.Interpreter(model_path=str(path), num_threads=THREADS)
    interp.allocate_tensors()
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(d["shape"]).astype(np.float32) for d in interp.get_input_details()]
    for d, x in zip(interp.get_input_details(), xs):
        interp.set_tensor(d["index"], x)
    interp.invoke()
    expected = [interp.get_tensor(d["index"]).copy() for d in interp.get_output_details()]
    return Built(
        path, xs, expected, "TFLite interpreter", interp.invoke, note=shape_text(xs[0].shape)
    )


# ---- Caffe: .prototxt + .caffemodel (tests/caffe_util.py), numpy of Caffe's semantics --------


class CaffeNet:
    """Layers added to a ``caffe_util.NetBuilder`` while the same layer is computed in numpy
    (float64) from Caffe's documented semantics; there is no Caffe runtime here. Weights are
    He-scaled so that activations stay O(1) through deep ReLU stacks."""

    def __init__(self, name: str, shape: tuple[int, ...], seed: int = 0) -> None:
        from caffe_util import NetBuilder

        self.nb = NetBuilder(name, seed)
        self.nb.input("data", shape)
        self.x = self.nb.randn(*shape)
        self.act: dict[str, np.ndarray] = {"data": self.x.astype(np.float64)}

    def conv(
        self,
        name: str,
        bottom: str,
        cout: int,
        k: int,
        stride: int = 1,
        pad: int = 0,
        group: int = 1,
        relu: bool = True,
    ) -> str:
        from caffe_util import conv, conv_layer

        cin = self.act[bottom].shape[1]
        scale = math.sqrt(2.0 * group / (cin * k * k))
        w, b = conv_layer(
            self.nb, name, bottom, cin, cout, k, f"stride: {stride} pad: {pad}", group, scale=scale
        )
        self.act[name] = conv(self.act[bottom], w, b, stride, pad, group=group)
        return self.relu(name) if relu else name

    def relu(self, name: str) -> str:
        self.nb.layer("ReLU", f"{name}_relu", [name], [name])  # in place, as Caffe nets do
        self.act[name] = np.maximum(self.act[name], 0)
        return name

    def pool(self, name: str, bottom: str, method: str, k: int, stride: int, pad: int = 0) -> str:
        from caffe_util import pool

        params = f"pooling_param {{ pool: {method} kernel_size: {k} stride: {stride} pad: {pad} }}"
        self.nb.layer("Pooling", name, [bottom], [name], params)
        self.act[name] = pool(self.act[bottom], method, k, stride, pad)
        return name

    def global_ave_pool(self, name: str, bottom: str) -> str:
        params = "pooling_param { pool: AVE global_pooling: true }"
        self.nb.layer("Pooling", name, [bottom], [name], params)
        self.act[name] = self.act[bottom].mean(axis=(2, 3), keepdims=True)
        return name

    def lrn(
        self, name: str, bottom: str, size: int = 5, alpha: float = 1e-4, beta: float = 0.75
    ) -> str:
        from caffe_util import lrn_across

        params = f"lrn_param {{ local_size: {size} alpha: {alpha} beta: {beta} }}"
        self.nb.layer("LRN", name, [bottom], [name], params)
        self.act[name] = lrn_across(self.act[bottom], size, alpha, beta)
        return name

    def concat(self, name: str, bottoms: list[str]) -> str:
        self.nb.layer("Concat", name, bottoms, [name])
        self.act[name] = np.concatenate([self.act[b] for b in bottoms], axis=1)
        return name

    def fc(self, name: str, bottom: str, cout: int, relu: bool = True) -> str:
        from caffe_util import inner_product

        cin = int(np.prod(self.act[bottom].shape[1:]))
        w, b = self.nb.randn(cout, cin, scale=math.sqrt(2.0 / cin)), self.nb.randn(cout, scale=0.1)
        params = f"inner_product_param {{ num_output: {cout} }}"
        self.nb.layer("InnerProduct", name, [bottom], [name], params, [w, b])
        self.act[name] = inner_product(self.act[bottom], w, b)
        return self.relu(name) if relu else name

    def dropout(self, name: str, ratio: float = 0.5) -> str:
        """In place; the identity at inference."""
        params = f"dropout_param {{ dropout_ratio: {ratio} }}"
        self.nb.layer("Dropout", f"{name}_drop", [name], [name], params)
        return name

    def softmax(self, name: str, bottom: str) -> str:
        from caffe_util import softmax

        self.nb.layer("Softmax", name, [bottom], [name])
        self.act[name] = softmax(self.act[bottom])
        return name

    def built(self, folder: Path, output: str) -> Built:
        proto, weights = self.nb.save(folder)
        return Built(
            proto,
            [self.x],
            [self.act[output].astype(np.float32)],
            "numpy (Caffe semantics)",
            None,
            weights=weights,
            note=shape_text(self.x.shape),
        )
