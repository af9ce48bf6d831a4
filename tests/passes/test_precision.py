"""--precision fp16|bf16 (passes/precision.py): what the pass rewrites and what it leaves, the
weights object's size, the option's errors, and the numerics on every runtime and the emulator
against ONNX Runtime in float32.

Tolerances, from the formats' precision. Rounding to nearest with p significant bits changes a
weight by a relative error of at most u = 2**-p (bfloat16: p = 8, u = 3.9e-3; float16: p = 11,
u = 4.9e-4), spread uniformly, so RMS u/sqrt(3). A layer's result then moves by about u/sqrt(3) of
its RMS (the errors of many products add in quadrature, as do those of successive layers): about
sqrt(L) * u/sqrt(3) after L layers. The oneDNN runtime also rounds each narrowed layer's input to
bf16 (its bf16 kernels read bf16 activations; products and sums stay float32), a second error of
the same size: sqrt(2L) * u/sqrt(3). The tests allow 3 * sqrt(L) * u of the output's RMS (at least
twice that estimate), and the emulator and the reference runtime, which compute the same float32
arithmetic on the same narrowed weights, must agree to float32 rounding.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from halo.compiler import CompileOptions, compile_model, import_and_optimize
from halo.errors import OptionError
from halo.frontends import ImportOptions, load_model
from halo.ir.dtype import DType
from halo.ir.verify import verify
from halo.passes.pipeline import default_pipeline, run_pipeline
from halo.passes.precision import ReducedPrecision
from halo.reference import evaluate_graph
from halo.run import run_model
from onnx_util import ort_run
from runtimes import RUNTIMES

import models

ROOT = Path(__file__).resolve().parents[2]
MNIST = ROOT / "examples" / "mnist"
UNIT = {"bf16": 2.0**-8, "fp16": 2.0**-11}
NARROW = {"bf16": DType.BFLOAT16, "fp16": DType.FLOAT16}


def small_cnn(seed: int = 3) -> onnx.ModelProto:
    """Conv-BN-Relu, a strided Conv, a ConvTranspose, a 1x1 Conv with a residual Add, global
    pooling and a Gemm: 5 weight layers, one of them (the first, 3x3x3x8 = 216) under the pass's
    minimum size."""
    n = models.Net(seed)
    y = n.conv_bn("input", 3, 8, 3)
    y = n.node("Relu", [n.conv(y, 8, 32, 3, stride=2, bias=True)])
    w = n.param((32, 16, 2, 2))
    y = n.node("ConvTranspose", [y, w], kernel_shape=[2, 2], strides=[2, 2])
    z = n.node("Relu", [n.conv(y, 16, 16, 1, bias=True)])
    y = n.node("Add", [y, z])
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    y = n.fc(y, 16, 32)
    return n.model("small_cnn", (1, 3, 16, 16), y)


def _save(model: onnx.ModelProto, tmp: Path) -> Path:
    path = tmp / f"{model.graph.name}.onnx"
    onnx.save(model, path)
    return path


def _tolerance(precision: str, layers: int, ref: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(ref.astype(np.float64) ** 2)))
    return 3 * math.sqrt(layers) * UNIT[precision] * rms


def _mnist_digits(count: int) -> np.ndarray:
    sys.path.insert(0, str(MNIST))
    import digits  # examples/mnist/digits.py

    return digits.read(MNIST / "digits_test.bin")[0][:count]


# -- the pass -----------------------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_pass_rewrites_weights_only(tmp_path: Path, precision: str) -> None:
    graph = load_model(_save(small_cnn(), tmp_path), ImportOptions())
    run_pipeline(graph, default_pipeline(), check=True)
    x = np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    before = evaluate_graph(graph, {"input": x})[0]
    p = ReducedPrecision(NARROW[precision])
    assert p.run(graph)
    verify(graph)
    casts = [n for n in graph.nodes if n.op == "Cast"]
    # strided Conv, ConvTranspose, 1x1 Conv (16x16 = 256), Gemm (32x16); not the 216-element first
    assert len(casts) == len(p.narrowed) == 4
    for c in casts:
        assert c.inputs[0].dtype is NARROW[precision] and c.outputs[0].dtype is DType.FLOAT32
        (reader,) = [n for n in graph.nodes if c.outputs[0] in n.inputs]
        assert reader.op in ("Conv", "ConvTranspose", "Gemm")
        assert reader.inputs[0] is not c.outputs[0]
    for n in graph.nodes:
        if n.op in ("Conv", "Gemm") and len(n.inputs) > 2:
            assert n.inputs[2].is_const and n.inputs[2].dtype is DType.FLOAT32  # biases stay
    assert not ReducedPrecision(NARROW[precision]).run(graph)  # nothing float32 left to narrow
    after = evaluate_graph(graph, {"input": x})[0]
    assert np.abs(after - before).max() <= _tolerance(precision, 4, before)
    assert np.abs(after - before).max() > 0  # the weights did change


@pytest.mark.unit
def test_pass_leaves_shared_small_and_out_of_range_constants(tmp_path: Path) -> None:
    n = models.Net(5)
    w = n.param((16, 16))
    y = n.node("MatMul", ["input", w])
    y = n.node("Add", [y, w])  # w also read as an addend: stays float32 (stored once)
    big = n.param((16, 16), scale=1e5)  # beyond float16's 65504
    y = n.node("MatMul", [y, big])
    small = n.param((16, 8))  # 128 elements: under the minimum
    y = n.node("MatMul", [y, small])
    graph = load_model(_save(n.model("shared", (16, 16), y), tmp_path), ImportOptions())
    run_pipeline(graph, default_pipeline(), check=True)
    assert not ReducedPrecision(DType.FLOAT16).run(graph)
    p = ReducedPrecision(DType.BFLOAT16)
    assert p.run(graph) and len(p.narrowed) == 1  # bfloat16 has float32's range
    assert ReducedPrecision(DType.BFLOAT16, min_elements=1).run(graph)  # now the small one


@pytest.mark.unit
def test_pass_leaves_int8_weights(tmp_path: Path) -> None:
    path = _save(small_cnn(), tmp_path)
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "cal.npz", input=rng.standard_normal((4, 1, 3, 16, 16)).astype(np.float32))
    with pytest.raises(OptionError, match="--precision bf16 and --quantize int8"):
        CompileOptions(quantize="int8", calibration=tmp_path / "cal.npz", precision="bf16")
    graph = import_and_optimize(
        path, CompileOptions(quantize="int8", calibration=tmp_path / "cal.npz")
    )
    ints = [v for n in graph.nodes for v in n.inputs if v is not None and v.dtype is DType.INT8]
    assert ints
    ReducedPrecision(DType.BFLOAT16).run(graph)
    assert all(v.dtype is DType.INT8 for v in ints)


# -- options, banner, weights object ------------------------------------------------------------


@pytest.mark.unit
def test_bad_precision_exits_2(tmp_path: Path) -> None:
    path = _save(small_cnn(), tmp_path)
    for bad in ("fp8", "float16", ""):
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "halo",
                "compile",
                str(path),
                "-o",
                str(tmp_path / "o"),
                "--precision",
                bad,
            ],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 2
        assert f"argument --precision: invalid choice: '{bad}'" in r.stderr
        assert "'fp32', 'fp16', 'bf16'" in r.stderr
    with pytest.raises(OptionError, match="(?s)unknown --precision .fp8.*use fp32, fp16, bf16"):
        CompileOptions(precision="fp8")


def wide_cnn(seed: int = 4) -> onnx.ModelProto:
    """Three 3x3 convolutions of 64-128 channels and a Gemm: 0.24 M weights, 1.3 KiB of biases."""
    n = models.Net(seed)
    y = n.node("Relu", [n.conv("input", 3, 64, 3, bias=True)])
    y = n.node("Relu", [n.conv(y, 64, 128, 3, stride=2, bias=True)])
    y = n.node("Relu", [n.conv(y, 128, 128, 3, stride=2, bias=True)])
    y = n.node("Flatten", [n.node("GlobalAveragePool", [y])])
    return n.model("wide_cnn", (1, 3, 8, 8), n.fc(y, 128, 100))


@pytest.mark.unit
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_weights_object_halves(tmp_path: Path, precision: str) -> None:
    path = _save(wide_cnn(), tmp_path)
    sizes = {}
    for p in ("fp32", precision):
        compile_model(path, tmp_path / p, CompileOptions(precision=p))
        sizes[p] = (tmp_path / p / "wide_cnn.o").stat().st_size
        banner = (tmp_path / p / "wide_cnn.cc").read_text().splitlines()[1]
        assert ("--precision" in banner) == (p != "fp32"), banner
        assert banner.endswith(f"--precision {p}") == (p != "fp32"), banner
    ratio = sizes[precision] / sizes["fp32"]
    assert 0.49 < ratio < 0.52, sizes  # the float32 biases: 0.4% of the bytes, plus the ELF headers
    compile_model(path, tmp_path / "c", CompileOptions(precision=precision, data_as_c=True))
    text = (tmp_path / "c" / "wide_cnn.data.cc").read_text()
    assert text.count("const uint16_t") == 4  # the narrowed weights, as bit patterns


# -- numerics on every runtime ------------------------------------------------------------------


@pytest.mark.ops
@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_small_cnn_matches_ort(tmp_path: Path, runtime: str, precision: str) -> None:
    model = small_cnn()
    path = _save(model, tmp_path)
    x = np.random.default_rng(2).standard_normal((1, 3, 16, 16)).astype(np.float32)
    ref = ort_run(model, {"input": x})[0]
    emu = run_model(path, [x], CompileOptions(runtime="emulator", precision=precision))[0]
    got = run_model(path, [x], CompileOptions(runtime=runtime, precision=precision))[0]
    tol = _tolerance(precision, 4, ref)
    assert np.abs(emu - ref).max() <= tol
    assert np.abs(got - ref).max() <= tol, (np.abs(got - ref).max(), tol)
    if runtime != "dnnl" or precision != "bf16":  # the same float32 arithmetic as the emulator
        np.testing.assert_allclose(got, emu, rtol=1e-4, atol=1e-5 * float(np.abs(ref).max()))


@pytest.mark.ops
def test_mnist_bf16_matches_ort(tmp_path: Path, runtime: str) -> None:
    """The example's CNN on its 360 held-out digits (one batch): logits within the tolerance of
    ONNX Runtime's float32 ones, and the same predicted digit as float32 for all but a few."""
    xs = _mnist_digits(360)
    ort = onnx.load(MNIST / "mnist.onnx")
    ref = np.concatenate([ort_run(ort, {"input": x[None]})[0] for x in xs])
    opts = dict(precision="bf16", input_shapes={"input": (len(xs), 1, 8, 8)})
    emu = run_model(MNIST / "mnist.onnx", [xs], CompileOptions(runtime="emulator", **opts))[0]
    got = run_model(MNIST / "mnist.onnx", [xs], CompileOptions(runtime=runtime, **opts))[0]
    tol = _tolerance("bf16", 3, ref)
    assert np.abs(emu - ref).max() <= tol
    assert np.abs(got - ref).max() <= tol, (np.abs(got - ref).max(), tol)
    agree = np.mean(got.argmax(1) == ref.argmax(1))
    assert agree >= 0.99, agree


@pytest.mark.ops
@pytest.mark.parametrize("env", ["ODLA_DNNL_BF16=0", "DNNL_MAX_CPU_ISA=AVX512_CORE"])
def test_dnnl_without_bf16_computes_float32(tmp_path: Path, env: str) -> None:
    """bf16 compute off (or a CPU without AVX512_BF16, as oneDNN's ISA cap makes this one): the
    oneDNN runtime computes in float32 on the widened weights, as the emulator does."""
    if "dnnl" not in RUNTIMES:
        pytest.skip("no dnnl runtime")
    model = small_cnn()
    path = _save(model, tmp_path)
    x = np.random.default_rng(2).standard_normal((1, 3, 16, 16)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    emu = run_model(path, [x], CompileOptions(runtime="emulator", precision="bf16"))[0]
    key, value = env.split("=")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "halo",
            "run",
            str(path),
            "--runtime",
            "dnnl",
            "--precision",
            "bf16",
            "--input",
            str(tmp_path / "x.npy"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, key: value},
    )
    assert r.returncode == 0, r.stderr
    got = np.load(tmp_path / "out" / "output_0.npy")
    np.testing.assert_allclose(got, emu, rtol=1e-4, atol=1e-5 * float(np.abs(emu).max()))


@pytest.mark.ops
def test_weights_as_c_arrays_run_the_same() -> None:
    """--emit-data-as-c writes the bf16 weights as uint16_t bit patterns: the same results."""
    x = _mnist_digits(1)
    mnist = MNIST / "mnist.onnx"
    elf = run_model(mnist, [x], CompileOptions(precision="bf16"))[0]
    arrays = run_model(mnist, [x], CompileOptions(precision="bf16", data_as_c=True))[0]
    np.testing.assert_array_equal(arrays, elf)
