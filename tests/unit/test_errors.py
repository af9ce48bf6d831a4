"""Bad input ends with exit status 2, a message naming the problem, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from onnx_util import make_model  # noqa: E402

pytestmark = pytest.mark.unit


def halo(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "halo", *map(str, args)], capture_output=True,
                          text=True, timeout=300)


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr


@pytest.fixture
def relu_model(tmp_path: Path) -> Path:
    x = np.zeros((1, 3, 4, 4), np.float32)
    model = make_model([helper.make_node("Relu", ["x"], ["y"], name="r")], {"x": x}, ["y"])
    path = tmp_path / "relu.onnx"
    onnx.save(model, path)
    return path


def test_missing_file(tmp_path: Path) -> None:
    assert_clean_error(halo("compile", tmp_path / "nope.onnx", "-o", tmp_path), "does not exist")


def test_not_a_model(tmp_path: Path) -> None:
    bad = tmp_path / "text.onnx"
    bad.write_text("this is not a protobuf\n" * 10)
    assert_clean_error(halo("compile", bad, "-o", tmp_path), "not a valid ONNX model")


def test_truncated_model(tmp_path: Path) -> None:
    import models

    data = models.mnist_cnn().SerializeToString()
    bad = tmp_path / "cut.onnx"
    bad.write_bytes(data[: len(data) // 2])
    assert_clean_error(halo("compile", bad, "-o", tmp_path), "cut.onnx")


def test_unknown_suffix(tmp_path: Path) -> None:
    f = tmp_path / "model.bin"
    f.write_bytes(b"\0")
    assert_clean_error(halo("compile", f, "-o", tmp_path), "cannot tell the format")


def test_unsupported_ops_listed_at_once(tmp_path: Path) -> None:
    x = np.zeros((2, 3), np.float32)
    nodes = [helper.make_node("FooOp", ["x"], ["a"], name="foo1"),
             helper.make_node("FooOp", ["a"], ["b"], name="foo2"),
             helper.make_node("BarOp", ["b"], ["y"], name="bar1")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", 1, x.shape)],
                              [helper.make_tensor_value_info("y", 1, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / "foo.onnx"
    onnx.save(model, path)
    assert_clean_error(halo("compile", path, "-o", tmp_path), "FooOp x2", "foo1", "foo2",
                       "BarOp x1", "bar1", "supported ONNX ops")


@pytest.mark.parametrize("spec", ["x:1x3x", "x", "x:1x0x4x4", "x:ax3"])
def test_malformed_input_shape(relu_model: Path, tmp_path: Path, spec: str) -> None:
    assert_clean_error(halo("compile", relu_model, "-o", tmp_path, "--input-shape", spec),
                       "--input-shape")


def test_input_shape_unknown_name(relu_model: Path, tmp_path: Path) -> None:
    assert_clean_error(halo("compile", relu_model, "-o", tmp_path, "--input-shape", "q:1x2"),
                       "unknown input", "x")


def test_unknown_output_name(relu_model: Path, tmp_path: Path) -> None:
    assert_clean_error(halo("compile", relu_model, "-o", tmp_path, "--outputs", "nothere"),
                       "nothere")


def test_unknown_target(relu_model: Path, tmp_path: Path) -> None:
    assert_clean_error(halo("compile", relu_model, "-o", tmp_path, "--target", "mips-unknown-elf"),
                       "mips-unknown-elf")


def test_wrong_input_array_shape(relu_model: Path, tmp_path: Path) -> None:
    arr = tmp_path / "in.npy"
    np.save(arr, np.zeros((1, 3, 5, 5), np.float32))
    assert_clean_error(halo("run", relu_model, "--input", arr, "--out", tmp_path / "o"),
                       "shape (1, 3, 5, 5)", "1x3x4x4")


def test_wrong_input_count(relu_model: Path, tmp_path: Path) -> None:
    assert_clean_error(halo("run", relu_model, "--out", tmp_path / "o"), "takes 1 input")


def test_external_data_outside_folder(tmp_path: Path) -> None:
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(w.tobytes())
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    x = np.zeros((2, 3), np.float32)
    model = make_model([helper.make_node("Add", ["x", "w"], ["y"])], {"x": x}, ["y"], {"w": w})
    for location in ("../secret.bin", str(secret)):
        t = model.graph.initializer[0]
        t.ClearField("raw_data")
        t.data_location = onnx.TensorProto.EXTERNAL
        del t.external_data[:]
        t.external_data.add(key="location", value=location)
        path = model_dir / "m.onnx"
        path.write_bytes(model.SerializeToString())
        assert_clean_error(halo("compile", path, "-o", tmp_path / "o"), "'w'")
    (model_dir / "link.bin").symlink_to(secret)
    t.external_data[0].value = "link.bin"
    path.write_bytes(model.SerializeToString())
    assert_clean_error(halo("compile", path, "-o", tmp_path / "o"), "outside the model's folder")


def test_external_data_inside_folder_works(tmp_path: Path) -> None:
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = np.zeros((2, 3), np.float32)
    model = make_model([helper.make_node("Add", ["x", "w"], ["y"])], {"x": x}, ["y"], {"w": w})
    path = tmp_path / "ext.onnx"
    onnx.save(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
              location="ext.data", size_threshold=0)
    proc = halo("compile", path, "-o", tmp_path / "o", "--depfile", tmp_path / "o" / "ext.d")
    assert proc.returncode == 0, proc.stderr
    assert "ext.data" in (tmp_path / "o" / "ext.d").read_text()


def test_bad_model_name(relu_model: Path, tmp_path: Path) -> None:
    assert_clean_error(halo("compile", relu_model, "-o", tmp_path, "--name", "9bad-name"),
                       "C identifier")


@pytest.mark.parametrize("dims, raw, needle", [
    ((2, 3), np.zeros(5, np.float32).tobytes(), "inconsistent"),  # 20 bytes for 6 floats
    ((2**40, 2**40), b"", "'w'"),  # element count overflows what any buffer holds
    ((2, -3), b"", "'w'"),
], ids=["byte_length", "dims_overflow", "negative_dim"])
def test_initializer_that_does_not_fit_its_shape(dims: tuple[int, ...], raw: bytes, needle: str,
                                                 tmp_path: Path) -> None:
    x = np.zeros((2, 3), np.float32)
    model = make_model([helper.make_node("Add", ["x", "w"], ["y"])], {"x": x}, ["y"],
                       {"w": np.zeros((2, 3), np.float32)})
    t = model.graph.initializer[0]
    del t.dims[:]
    t.dims.extend(dims)
    t.raw_data = raw
    path = tmp_path / "bad_init.onnx"
    path.write_bytes(model.SerializeToString())
    assert_clean_error(halo("compile", path, "-o", tmp_path / "o"), needle)
