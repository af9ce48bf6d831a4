"""Keras applications and whole-graph behaviour of the TensorFlow frontend, against TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from halo.compiler import CompileOptions, import_and_optimize
from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends import ImportOptions, load_model
from results import record
from tf_util import compare, freeze, randomize, spec

pytestmark = pytest.mark.frontends


def _keras_pb(name: str, size: int, tmp: Path, **kw: object) -> tuple[Path, np.ndarray, np.ndarray]:
    keras.utils.set_random_seed(0)
    model = getattr(keras.applications, name)(weights=None, input_shape=(size, size, 3),
                                              classifier_activation=None, **kw)
    randomize(model, 0)
    x = np.random.default_rng(1).standard_normal((1, size, size, 3)).astype(np.float32)
    pb = freeze(lambda x: model(x, training=False), [spec(x)], tmp / f"{name}.pb")
    return pb, x, model(x, training=False).numpy()


@pytest.mark.parametrize("name, size, kw", [
    ("MobileNetV2", 96, {"alpha": 0.35}),
    ("ResNet50", 64, {}),
    ("DenseNet121", 64, {}),
    pytest.param("InceptionV3", 75, {}, marks=pytest.mark.slow),
], ids=["mobilenet_v2", "resnet50", "densenet121", "inception_v3"])
def test_keras_application_matches_tensorflow(name: str, size: int, kw: dict, runtime: str,
                                               tmp_path: Path) -> None:
    pb, x, expected = _keras_pb(name, size, tmp_path, **kw)
    worst = compare(pb, [x], [expected], rtol=1e-3, atol=1e-4 * float(np.abs(expected).max()),
                    runtime=runtime)
    record("TensorFlow", f"Keras {name} (frozen .pb)", "TensorFlow", worst,
           f"input {size}x{size}, |logits| <= {np.abs(expected).max():.1f}", runtime)


def _graph_def(pb: Path) -> tf.compat.v1.GraphDef:
    return tf.compat.v1.GraphDef.FromString(pb.read_bytes())


def _small_pb(tmp: Path) -> tuple[Path, np.ndarray]:
    w = tf.constant(np.random.default_rng(2).standard_normal((3, 3, 3, 4)).astype(np.float32))
    x = np.random.default_rng(3).standard_normal((1, 8, 8, 3)).astype(np.float32)
    fn = lambda x: tf.nn.softmax(tf.nn.relu(tf.nn.conv2d(x, w, 1, "SAME"), name="mid"))
    return freeze(fn, [spec(x)], tmp / "small.pb"), x


def test_savedmodel_directory(tmp_path: Path) -> None:
    class SavedNet(tf.Module):  # a unique name: in one xdist run autograph
        # converted the __init__ of another class named Net for this one
        def __init__(self) -> None:
            rng = np.random.default_rng(4)
            self.w = tf.Variable(rng.standard_normal((3, 3, 3, 8)).astype(np.float32))
            self.d = tf.Variable(rng.standard_normal((8, 5)).astype(np.float32))

        @tf.function(input_signature=[tf.TensorSpec((1, 12, 12, 3), tf.float32, name="image")])
        def __call__(self, x: tf.Tensor) -> dict:
            y = tf.nn.relu(tf.nn.conv2d(x, self.w, 2, "SAME"))
            return {"logits": tf.matmul(tf.reduce_mean(y, [1, 2]), self.d), "features": y}

    net = SavedNet()
    tf.saved_model.save(net, str(tmp_path / "sm"), signatures=net.__call__)
    x = np.random.default_rng(5).standard_normal((1, 12, 12, 3)).astype(np.float32)
    want = net(tf.constant(x))
    graph = load_model(tmp_path / "sm")
    outputs = [(v.name, v.shape) for v in graph.outputs]
    assert outputs == [("features", (1, 6, 6, 8)), ("logits", (1, 5))]  # signature keys, sorted
    assert (tmp_path / "sm" / "saved_model.pb") in graph.source_files
    assert any("variables" in p.parts for p in graph.source_files)
    worst = compare(tmp_path / "sm", [x], [want["features"].numpy(), want["logits"].numpy()])
    record("TensorFlow", "SavedModel (conv + dense, two outputs)", "TensorFlow", worst)


def test_outputs_inputs_and_names(tmp_path: Path) -> None:
    pb, x = _small_pb(tmp_path)
    graph = load_model(pb)
    assert [v.name for v in graph.inputs] == ["x"] and [v.name for v in graph.outputs] == ["Identity"]
    gd = _graph_def(pb)
    mid = tf.compat.v1.wrap_function(
        lambda x: tf.graph_util.import_graph_def(gd, {"x:0": x}, ["mid:0"]), [spec(x)])
    compare(pb, [x], [mid(tf.constant(x))[0].numpy()], outputs=("mid",))


def test_unknown_dims_and_input_shape(tmp_path: Path) -> None:
    w = tf.constant(np.random.default_rng(6).standard_normal((6, 2)).astype(np.float32))
    pb = freeze(lambda x: tf.matmul(x, w), [tf.TensorSpec((None, 6), tf.float32)], tmp_path / "d.pb")
    assert load_model(pb).inputs[0].shape == (1, 6)
    assert load_model(pb, ImportOptions(input_shapes={"x:0": (3, 6)})).inputs[0].shape == (3, 6)
    x = np.random.default_rng(7).standard_normal((3, 6)).astype(np.float32)
    compare(pb, [x], [(x @ w.numpy())], input_shapes={"x": (3, 6)})
    with pytest.raises(OptionError, match="unknown input"):
        load_model(pb, ImportOptions(input_shapes={"y": (3, 6)}))
    with pytest.raises(OptionError, match="rank"):
        load_model(pb, ImportOptions(input_shapes={"x": (3, 6, 1)}))


def test_unknown_attribute_and_data_format_are_rejected(tmp_path: Path) -> None:
    pb, _ = _small_pb(tmp_path)
    gd = _graph_def(pb)
    relu = next(n for n in gd.node if n.op == "Relu")
    relu.attr["frobnicate"].i = 1
    (tmp_path / "attr.pb").write_bytes(gd.SerializeToString())
    with pytest.raises(UnsupportedError, match="frobnicate"):
        load_model(tmp_path / "attr.pb")
    gd = _graph_def(pb)
    next(n for n in gd.node if n.op == "Conv2D").attr["data_format"].s = b"NCHW_VECT_C"
    (tmp_path / "fmt.pb").write_bytes(gd.SerializeToString())
    with pytest.raises(UnsupportedError, match="data_format 'NCHW_VECT_C'"):
        load_model(tmp_path / "fmt.pb")


def test_nchw_data_format(tmp_path: Path) -> None:
    """TensorFlow's CPU kernels run NHWC only: rewrite a frozen NHWC graph to NCHW and expect the
    NHWC result, transposed."""
    w = tf.constant(np.random.default_rng(8).standard_normal((3, 3, 4, 6)).astype(np.float32))
    b = tf.constant(np.arange(6, dtype=np.float32))
    x = np.random.default_rng(9).standard_normal((1, 9, 10, 4)).astype(np.float32)

    def fn(x: tf.Tensor) -> tf.Tensor:
        return tf.nn.max_pool2d(tf.nn.bias_add(tf.nn.conv2d(x, w, 2, "SAME"), b), 2, 1, "SAME")

    gd = _graph_def(freeze(fn, [spec(x)], tmp_path / "nhwc.pb"))
    for node in gd.node:
        if "data_format" in node.attr:
            node.attr["data_format"].s = b"NCHW"
        for key in ("strides", "ksize"):
            if key in node.attr:
                n, h, w_, c = node.attr[key].list.i
                node.attr[key].list.i[:] = [n, c, h, w_]
        if node.op == "Placeholder":
            for d, size in zip(node.attr["shape"].shape.dim, (1, 4, 9, 10)):
                d.size = size
    (tmp_path / "nchw.pb").write_bytes(gd.SerializeToString())
    compare(tmp_path / "nchw.pb", [x.transpose(0, 3, 1, 2)], [fn(x).numpy().transpose(0, 3, 1, 2)])


def test_unsupported_ops_and_training_batch_norm(tmp_path: Path) -> None:
    x = np.ones((1, 4, 4, 2), np.float32)
    pb = freeze(lambda x: tf.math.lgamma(x) + tf.math.digamma(x), [spec(x)], tmp_path / "u.pb")
    with pytest.raises(UnsupportedError, match=r"(?s)Digamma x1.*Lgamma x1.*supported TensorFlow ops"):
        load_model(pb)
    v = tf.Variable(np.ones((1, 4, 4, 2), np.float32))
    (tmp_path / "unfrozen.pb").write_bytes(tf.function(lambda x: x * v).get_concrete_function(
        spec(x)).graph.as_graph_def().SerializeToString())
    with pytest.raises(UnsupportedError, match="ReadVariableOp x1.*\n.*fix: the graph is not frozen"):
        load_model(tmp_path / "unfrozen.pb")
    scale, offset = tf.ones([2]), tf.zeros([2])
    pb = freeze(lambda x: tf.compat.v1.nn.fused_batch_norm(x, scale, offset, is_training=True)[0],
                [spec(x)], tmp_path / "bn.pb")
    with pytest.raises(UnsupportedError, match="training"):
        load_model(pb)


def test_corrupt_files(tmp_path: Path) -> None:
    pb, _ = _small_pb(tmp_path)
    data = pb.read_bytes()
    (tmp_path / "cut.pb").write_bytes(data[: len(data) * 2 // 3])
    run = subprocess.run([sys.executable, "-m", "halo", "info", str(tmp_path / "cut.pb")],
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and "cut.pb" in run.stderr
    gd = _graph_def(pb)
    del gd.node[0]  # the Placeholder: the graph now reads a node it does not contain
    (tmp_path / "missing.pb").write_bytes(gd.SerializeToString())
    with pytest.raises(ModelError, match="'x'"):
        load_model(tmp_path / "missing.pb")
    (tmp_path / "empty.pb").write_bytes(b"")
    with pytest.raises(ModelError, match="no GraphDef nodes"):
        import_and_optimize(tmp_path / "empty.pb", CompileOptions(runtime="emulator"))
