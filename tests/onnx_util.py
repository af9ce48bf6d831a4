"""Build one-node / small ONNX models with fixed seeds and compare HALO against ONNX Runtime."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from halo.compiler import CompileOptions
from halo.run import run_model
from runtimes import skip_if_all_fall_back

IR_VERSION = 8  # what ONNX Runtime 1.31 reads for every opset we test


def make_model(nodes: Sequence[onnx.NodeProto], inputs: dict[str, np.ndarray],
               outputs: Sequence[str], initializers: dict[str, np.ndarray] | None = None,
               opset: int = 17, name: str = "m") -> onnx.ModelProto:
    """A model whose graph inputs take the dtypes/shapes of ``inputs``; output types are inferred."""
    ins = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
           for k, v in inputs.items()]
    inits = [numpy_helper.from_array(v, k) for k, v in (initializers or {}).items()]
    outs = [helper.make_empty_tensor_value_info(o) for o in outputs]
    graph = helper.make_graph(list(nodes), name, ins, outs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = IR_VERSION
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {vi.name: vi for vi in inferred.graph.output}
    del model.graph.output[:]
    model.graph.output.extend(types.get(o, helper.make_empty_tensor_value_info(o)) for o in outputs)
    return model


def ort_run(model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def halo_run(model: onnx.ModelProto, feeds: dict[str, np.ndarray], tmp: Path,
             runtime: str = "reference", **options: object) -> list[np.ndarray]:
    path = tmp / f"{model.graph.name}.onnx"
    onnx.save(model, path)
    opts = CompileOptions(runtime=runtime, **options)  # type: ignore[arg-type]
    skip_if_all_fall_back(path, opts)
    return run_model(path, list(feeds.values()), opts)


def assert_close(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
                 rtol: float = 1e-4, atol: float = 1e-5) -> float:
    """Compare outputs; return the largest relative error."""
    assert len(actual) == len(expected)
    worst = 0.0
    for a, e in zip(actual, expected):
        e = np.asarray(e)
        assert a.shape == e.shape, f"shape {a.shape} != {e.shape}"
        assert a.dtype == e.dtype, f"dtype {a.dtype} != {e.dtype}"
        if e.dtype.kind in "biu":
            np.testing.assert_array_equal(a, e)
            continue
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
        denom = np.maximum(np.abs(e.astype(np.float64)), 1e-6)
        if e.size:
            worst = max(worst, float(np.nanmax(np.abs(a - e) / denom)))
    return worst


def check(model: onnx.ModelProto, feeds: dict[str, np.ndarray], tmp: Path,
          rtol: float = 1e-4, atol: float = 1e-5, **options: object) -> float:
    expected = ort_run(model, feeds)
    actual = halo_run(model, feeds, tmp, **options)
    return assert_close(actual, expected, rtol, atol)


def ort_quantize(
    model: onnx.ModelProto, tmp: Path, samples: list[np.ndarray], activations: str = "QInt8"
) -> onnx.ModelProto:
    """The QDQ model ONNX Runtime's quantize_static writes (per-channel int8 weights, activations
    of type `activations`, min-max calibration on `samples`), after its pre-processing, which
    folds the batch norms: what a user brings."""
    from onnxruntime import quantization
    from onnxruntime.quantization.shape_inference import quant_pre_process

    src, pre, out = tmp / "float.onnx", tmp / "pre.onnx", tmp / "qdq.onnx"
    onnx.save(model, src)
    quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
    name = model.graph.input[0].name

    class Reader(quantization.CalibrationDataReader):
        def __init__(self) -> None:
            self.it = iter({name: s} for s in samples)

        def get_next(self):
            return next(self.it, None)

    quantization.quantize_static(
        str(pre),
        str(out),
        Reader(),
        quant_format=quantization.QuantFormat.QDQ,
        per_channel=True,
        activation_type=getattr(quantization.QuantType, activations),
        weight_type=quantization.QuantType.QInt8,
    )
    return onnx.load(out)
