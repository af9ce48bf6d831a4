"""Quantized models: QDQ models written by ONNX Runtime's quantize_static against ONNX Runtime's
int8 result, and HALO's own `--quantize int8` (calibration) against float32."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx_util import halo_run, ort_quantize, ort_run

import models
from runtimes import RUNTIMES, int8_runtimes

pytestmark = pytest.mark.frontends
pytest.importorskip("onnxruntime.quantization")

ROOT = Path(__file__).resolve().parents[2]
MNIST = ROOT / "examples" / "mnist"


def _images(rng: np.random.Generator, n: int, size: int) -> list[np.ndarray]:
    return [rng.standard_normal((1, 3, size, size)).astype(np.float32) for _ in range(n)]


NETS = {
    "resnet18": lambda: models.resnet18(size=64, classes=100),
    "mobilenet_v2": lambda: models.mobilenet_v2(size=64, classes=100),
}


@pytest.mark.parametrize("activations", ["QInt8", "QUInt8"])
@pytest.mark.parametrize("net", sorted(NETS))
def test_qdq_model_matches_onnxruntime_int8(net: str, activations: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    qdq = ort_quantize(NETS[net](), tmp_path, _images(rng, 8, 64), activations)
    x = _images(rng, 1, 64)[0]
    [expected] = ort_run(qdq, {"input": x})
    [got] = halo_run(qdq, {"input": x}, tmp_path)
    # the convolutions and matrix products run as integer ops (nothing left in float but the
    # residual adds and the pooling between their Q/DQ pairs)
    from halo.compiler import CompileOptions, import_and_optimize

    onnx.save(qdq, tmp_path / "m.onnx")
    ops = Counter(n.op for n in import_and_optimize(tmp_path / "m.onnx", CompileOptions()).nodes)
    assert ops["Conv"] == ops["Gemm"] == 0 and ops["QLinearConv"] > 15, ops
    # the emulator runs the same integer semantics, bit for bit
    np.testing.assert_array_equal(halo_run(qdq, {"input": x}, tmp_path, "emulator")[0], got)
    # ONNX Runtime runs the residual adds and the global pooling as QLinearAdd and
    # QLinearGlobalAveragePool (its own integer rounding), HALO in float between their Q/DQ pairs:
    # a pooled feature may land one step off, which moves the logits by up to two steps of the
    # output's scale
    [out_dq] = [n for n in qdq.graph.node if n.output[0] == qdq.graph.output[0].name]
    scales = {i.name: onnx.numpy_helper.to_array(i) for i in qdq.graph.initializer}
    step = float(scales[out_dq.input[1]])
    assert np.abs(got - expected).max() <= 2.01 * step
    assert got.argmax() == expected.argmax()
    # The runtimes with integer kernels of their own compute the same integers: the last
    # feature map (what the global pooling dequantizes) bit for bit; the float pooling between
    # its Q/DQ pair rounds its own way on oneDNN, so the logits may land one step off.
    graph = import_and_optimize(tmp_path / "m.onnx", CompileOptions())
    [pool] = [n for n in qdq.graph.node if n.op_type == "GlobalAveragePool"]
    [dq] = [n for n in qdq.graph.node if n.output[0] == pool.input[0]]
    features = halo_run(qdq, {"input": x}, tmp_path, outputs=(dq.input[0],))[0]
    assert features.dtype == (np.int8 if activations == "QInt8" else np.uint8)
    # (xnnpack also with every integer op on XNNPACK, not only where the reference GEMM has no
    # AMX/VNNI kernel)
    runs = [(rt, "") for rt in int8_runtimes(graph)] + [("xnnpack", "1")] * ("xnnpack" in RUNTIMES)
    for rt, all_on_xnnpack in runs:
        monkeypatch.setenv("ODLA_XNNPACK_QGEMM", all_on_xnnpack)
        np.testing.assert_array_equal(
            halo_run(qdq, {"input": x}, tmp_path, rt, outputs=(dq.input[0],))[0], features)
        assert np.abs(halo_run(qdq, {"input": x}, tmp_path, rt)[0] - got).max() <= 1.01 * step


def _digits():
    sys.path.insert(0, str(MNIST))
    import digits

    return digits.read(MNIST / "digits_test.bin")


def _classify(model: Path, images: np.ndarray, tmp: Path, **options: object) -> np.ndarray:
    """Compile once, into a library, and classify every image (batch 1) with it."""
    from halo.compiler import CompileOptions
    from halo.run import run_model

    opts = CompileOptions(**options)  # type: ignore[arg-type]
    return np.array([run_model(model, [img[None]], opts)[0].argmax() for img in images])


def test_quantize_int8_keeps_mnist_accuracy(tmp_path: Path) -> None:
    """Calibrated on 60 held-out digits, measured on the other 300: int8 within 0.5 points."""
    images, labels = _digits()
    np.savez(tmp_path / "calibration.npz", input=images[:60])
    model = MNIST / "mnist.onnx"
    floats = _classify(model, images[60:], tmp_path)
    report = tmp_path / "report.txt"
    ints = _classify(
        model,
        images[60:],
        tmp_path,
        quantize="int8",
        calibration=tmp_path / "calibration.npz",
        quantize_report=report,
    )
    acc_f, acc_q = (floats == labels[60:]).mean(), (ints == labels[60:]).mean()
    print(
        f"mnist accuracy: float32 {acc_f:.4f}, int8 {acc_q:.4f}; agreement "
        f"{(floats == ints).mean():.4f}"
    )
    assert acc_q >= acc_f - 0.005
    text = report.read_text()
    assert text.startswith("# 3 of 3 layers in int8") and "error" in text


def _halo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "halo", *map(str, args)], capture_output=True, text=True, check=False
    )


def test_quantize_bad_calibration_exits_2(tmp_path: Path) -> None:
    model, out = MNIST / "mnist.onnx", tmp_path / "out"
    empty = tmp_path / "empty"
    empty.mkdir()
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    np.save(wrong / "a.npy", np.zeros((1, 1, 9, 9), np.float32))
    named = tmp_path / "named.npz"
    np.savez(named, image=np.zeros((1, 1, 8, 8), np.float32))
    cases = {
        (empty,): "holds no .npy or .npz files",
        (wrong,): "has shape [1, 1, 9, 9], the model takes [1, 1, 8, 8]",
        (named,): "has no array for input(s) input",
        (tmp_path / "missing",): "does not exist",
        (named, "--calibration-method", "entropy"): "invalid choice",
    }
    for extra, message in cases.items():
        r = _halo("compile", model, "-o", out, "--quantize", "int8", "--calibration", *extra)
        assert r.returncode == 2 and message in r.stderr, (extra, r.stderr)
    r = _halo("compile", model, "-o", out, "--quantize", "int8")
    assert r.returncode == 2 and "needs calibration inputs" in r.stderr
