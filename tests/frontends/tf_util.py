"""Helpers of the TensorFlow frontend tests: freeze tf.functions and Keras models to GraphDefs,
run them through HALO and compare with TensorFlow's own results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
from halo.compiler import CompileOptions
from halo.run import run_model
from runtimes import skip_if_all_fall_back
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2



def freeze(fn: Callable, specs: Sequence[tf.TensorSpec], path: Path) -> Path:
    """Trace ``fn`` for ``specs`` and write the frozen GraphDef (weights as Const nodes)."""
    concrete = tf.function(fn).get_concrete_function(*specs)
    frozen = convert_variables_to_constants_v2(concrete)
    path.write_bytes(frozen.graph.as_graph_def().SerializeToString())
    return path


def spec(a: np.ndarray, name: str | None = None) -> tf.TensorSpec:
    return tf.TensorSpec(a.shape, tf.as_dtype(a.dtype), name=name)


def largest_relative_error(actual: np.ndarray, expected: np.ndarray, atol: float) -> float:
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    return float(np.max(diff / (np.abs(expected.astype(np.float64)) + atol), initial=0.0))


def compare(pb: Path, inputs: Sequence[np.ndarray], expected: Sequence[np.ndarray],
            rtol: float = 1e-3, atol: float = 1e-4, runtime: str = "reference",
            **options: object) -> float:
    """Run ``pb`` with HALO on ``runtime`` and check it against ``expected``; return the largest
    relative error."""
    opts = CompileOptions(runtime=runtime, **options)  # type: ignore[arg-type]
    skip_if_all_fall_back(pb, opts)
    outs = run_model(pb, list(inputs), opts)
    assert len(outs) == len(expected)
    worst = 0.0
    for a, e in zip(outs, expected):
        e = np.asarray(e)
        assert a.shape == e.shape and a.dtype == e.dtype, f"{a.dtype}{a.shape} != {e.dtype}{e.shape}"
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
        if a.dtype.kind == "f":
            worst = max(worst, largest_relative_error(a, e, atol))
    return worst


def randomize(model: object, seed: int) -> None:
    """Weights that keep activations O(1) through deep nets (Keras' initial BN statistics make
    the logits of an untrained MobileNetV2 ~1e-10, which would test nothing)."""
    rng = np.random.default_rng(seed)
    for w in model.weights:  # type: ignore[attr-defined]
        shape, path = tuple(w.shape), w.path
        if path.endswith(("gamma", "moving_variance")):
            value = rng.uniform(0.5, 1.5, shape)
        elif path.endswith(("beta", "moving_mean", "bias")):
            value = rng.normal(0.0, 0.1, shape)
        elif path.endswith("depthwise_kernel"):
            value = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[:-2])), shape)
        else:
            value = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[:-1])), shape)
        w.assign(value.astype(np.float32))
