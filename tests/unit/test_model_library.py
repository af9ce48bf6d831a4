"""`halo compile --emit-lib` (one shared library: code, weights, runtime), its Triton config, and
`halo.runtime.Model`, which loads such a library from Python; outputs against ONNX Runtime."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from halo.cli import main  # noqa: E402
from halo.errors import RuntimeExecError  # noqa: E402
from halo.runtime import Model  # noqa: E402
from models import mnist_cnn  # noqa: E402
from onnx_util import ort_run  # noqa: E402

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def mnist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, onnx.ModelProto]:
    model = mnist_cnn(seed=3)
    path = tmp_path_factory.mktemp("model") / "digits.onnx"
    onnx.save(model, path)
    return path, model


@pytest.fixture(scope="module")
def library(mnist: tuple[Path, onnx.ModelProto], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lib")
    assert main(["compile", str(mnist[0]), "-o", str(out), "--emit-triton-config"]) == 0
    return out / "libdigits.so"


def _digits(n: int) -> np.ndarray:
    return np.random.default_rng(7).random((n, 1, 1, 28, 28), dtype=np.float32)


def test_library_and_generated_files_are_written(library: Path) -> None:
    names = sorted(p.name for p in library.parent.iterdir())
    assert names == ["config.pbtxt", "digits.cc", "digits.h", "digits.o", "libdigits.so"]
    assert library.read_bytes()[:4] == b"\x7fELF"


def test_model_matches_onnxruntime(library: Path, mnist: tuple[Path, onnx.ModelProto]) -> None:
    with Model(library) as model:
        assert [str(t) for t in model.inputs] == ["input: float32[1x1x28x28]"]
        assert [(t.dtype, t.shape) for t in model.outputs] == [(np.dtype("float32"), (1, 10))]
        for x in _digits(4):
            (got,) = model(x)
            (expected,) = ort_run(mnist[1], {"input": x})
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
            by_name = model.run({"input": x})
            np.testing.assert_array_equal(by_name[model.outputs[0].name], got)
            np.testing.assert_array_equal(model(input=x)[0], got)


def test_model_reports_bad_calls(library: Path) -> None:
    model = Model(library)
    with pytest.raises(RuntimeExecError, match=r"shape \(28, 28\)"):
        model(np.zeros((28, 28), np.float32))
    with pytest.raises(RuntimeExecError, match="takes 1 input"):
        model()
    with pytest.raises(RuntimeExecError, match="unknown \\['image'\\]"):
        model(image=np.zeros((1, 1, 28, 28), np.float32))
    with pytest.raises(RuntimeExecError, match="complex64 data"):
        model(np.zeros((1, 1, 28, 28), np.complex64))
    model.close()
    model.close()  # twice is fine
    with pytest.raises(RuntimeExecError, match="closed"):
        model(np.zeros((1, 1, 28, 28), np.float32))
    with pytest.raises(RuntimeExecError, match="no such model library"):
        Model(library.parent / "libnothing.so")
    with pytest.raises(RuntimeExecError, match="no model 'other'"):
        Model(library, name="other")


def test_dash_o_name_so_implies_emit_lib(
    mnist: tuple[Path, onnx.ModelProto], tmp_path: Path
) -> None:
    so = tmp_path / "deploy" / "libclassifier.so"
    assert main(["compile", str(mnist[0]), "--name", "classifier", "-o", str(so)]) == 0
    assert sorted(p.name for p in so.parent.iterdir()) == [
        "classifier.cc",
        "classifier.h",
        "classifier.o",
        "libclassifier.so",
    ]
    with Model(so) as model:
        assert model.name == "classifier" and len(model(_digits(1)[0])) == 1


def _triton_model_config() -> type:
    """Triton's ModelConfig message (model_config.proto, package inference): the fields HALO
    writes, with their public names, numbers and types, built as a descriptor at run time."""
    f = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(
        name="model_config.proto", package="inference", syntax="proto3"
    )
    dtype = proto.enum_type.add(name="DataType")
    for number, name in enumerate(
        [
            "INVALID",
            "BOOL",
            "UINT8",
            "UINT16",
            "UINT32",
            "UINT64",
            "INT8",
            "INT16",
            "INT32",
            "INT64",
            "FP16",
            "FP32",
            "FP64",
            "STRING",
            "BF16",
        ]
    ):
        dtype.value.add(name=f"TYPE_{name}", number=number)

    def message(
        name: str, fields: list[tuple[str, int, int, int, str]]
    ) -> descriptor_pb2.DescriptorProto:
        msg = proto.message_type.add(name=name)
        for fname, number, ftype, label, type_name in fields:
            msg.field.add(
                name=fname, number=number, type=ftype, label=label, type_name=type_name or None
            )
        return msg

    one, many = f.LABEL_OPTIONAL, f.LABEL_REPEATED
    message(
        "ModelInput",
        [
            ("name", 1, f.TYPE_STRING, one, ""),
            ("data_type", 2, f.TYPE_ENUM, one, ".inference.DataType"),
            ("dims", 4, f.TYPE_INT64, many, ""),
        ],
    )
    message(
        "ModelOutput",
        [
            ("name", 1, f.TYPE_STRING, one, ""),
            ("data_type", 2, f.TYPE_ENUM, one, ".inference.DataType"),
            ("dims", 3, f.TYPE_INT64, many, ""),
        ],
    )
    group = message(
        "ModelInstanceGroup",
        [
            ("count", 2, f.TYPE_INT32, one, ""),
            ("kind", 4, f.TYPE_ENUM, one, ".inference.ModelInstanceGroup.Kind"),
        ],
    )
    kind = group.enum_type.add(name="Kind")
    for number, name in enumerate(["KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL"]):
        kind.value.add(name=name, number=number)
    message(
        "ModelConfig",
        [
            ("name", 1, f.TYPE_STRING, one, ""),
            ("platform", 2, f.TYPE_STRING, one, ""),
            ("max_batch_size", 4, f.TYPE_INT32, one, ""),
            ("input", 5, f.TYPE_MESSAGE, many, ".inference.ModelInput"),
            ("output", 6, f.TYPE_MESSAGE, many, ".inference.ModelOutput"),
            ("instance_group", 7, f.TYPE_MESSAGE, many, ".inference.ModelInstanceGroup"),
            ("default_model_filename", 8, f.TYPE_STRING, one, ""),
            ("backend", 17, f.TYPE_STRING, one, ""),
        ],
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("inference.ModelConfig"))


def test_triton_config_parses_as_model_config(library: Path) -> None:
    config = text_format.Parse(
        (library.parent / "config.pbtxt").read_text(), _triton_model_config()()
    )
    assert (config.name, config.backend, config.default_model_filename) == (
        "digits",
        "halo",
        "libdigits.so",
    )
    with Model(library) as model:
        # Batch 1 everywhere: max_batch_size 1, dims without the batch dimension.
        assert config.max_batch_size == 1
        assert [(t.name, list(t.dims)) for t in config.input] == [
            (t.name, list(t.shape[1:])) for t in model.inputs
        ]
        assert [(t.name, list(t.dims)) for t in config.output] == [
            (t.name, list(t.shape[1:])) for t in model.outputs
        ]
    assert [t.data_type for t in [*config.input, *config.output]] == [11, 11]  # TYPE_FP32
    assert config.instance_group[0].kind == 2  # KIND_CPU


def test_triton_config_without_a_shared_batch(tmp_path: Path) -> None:
    from halo.codegen.triton import batch_size
    from onnx import helper

    nodes = [helper.make_node("MatMul", ["a", "b"], ["y"])]
    graph = helper.make_graph(
        nodes,
        "mm",
        [
            helper.make_tensor_value_info("a", onnx.TensorProto.FLOAT, [2, 3]),
            helper.make_tensor_value_info("b", onnx.TensorProto.FLOAT, [3, 4]),
        ],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2, 4])],
    )
    path = tmp_path / "mm.onnx"
    onnx.save(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path
    )
    assert main(["compile", str(path), "-o", str(tmp_path / "out"), "--emit-triton-config"]) == 0
    config = text_format.Parse(
        (tmp_path / "out" / "config.pbtxt").read_text(), _triton_model_config()()
    )
    assert config.max_batch_size == 0
    assert [list(t.dims) for t in [*config.input, *config.output]] == [[2, 3], [3, 4], [2, 4]]
    assert batch_size([]) == 0
