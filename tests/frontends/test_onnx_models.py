"""Whole networks built in code, compiled by HALO and compared against ONNX Runtime."""

from __future__ import annotations

import numpy as np
import pytest

import models
from onnx_util import check
from results import record

pytestmark = pytest.mark.frontends


@pytest.mark.parametrize("build, size", [
    (models.mnist_cnn, None),
    (models.resnet18, 224),
    (models.mobilenet_v2, 224),
], ids=["mnist_cnn", "resnet18", "mobilenet_v2"])
def test_model_matches_onnxruntime(build, size, runtime: str, tmp_path) -> None:
    model = build() if size is None else build(size=size)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    worst = check(model, {"input": x}, tmp_path, rtol=1e-3, atol=1e-4, runtime=runtime)
    record("ONNX", model.graph.name, "ONNX Runtime", worst, f"input {'x'.join(map(str, shape))}",
           runtime)
