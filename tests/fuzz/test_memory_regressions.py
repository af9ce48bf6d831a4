"""The memory and external-data cases of the hardening issue: each ends with exit status 2 and a
message naming the problem, before anything large is read or allocated."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from halo import cli
from numpy.lib import format as npy
from onnx import TensorProto, helper

pytestmark = pytest.mark.unit


def info(capsys, *args: object) -> str:
    assert cli.main(["info", *map(str, args)]) == 2
    err = capsys.readouterr().err
    assert "halo: error:" in err and "Traceback" not in err
    return err


def external_model(folder: Path, dims: list[int], **entries: str) -> Path:
    """y = x + w, where w's data lies in an external file described by ``entries``."""
    w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=dims)
    w.data_location = TensorProto.EXTERNAL
    for k, v in entries.items():
        w.external_data.add(key=k, value=v)
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, dims)],
        [w],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = folder / "m.onnx"
    path.write_bytes(m.SerializeToString())
    return path


def test_external_length_8gib_is_not_read(tmp_path: Path, capsys) -> None:
    """A sparse 8 GiB data file whose entry claims all of it: rejected by the shape check."""
    data = tmp_path / "w.bin"
    with data.open("wb") as f:
        f.truncate(8 << 30)
    path = external_model(tmp_path, [4], location="w.bin", offset="0", length=str(8 << 30))
    assert "needs 16 bytes" in info(capsys, path)


def test_external_tensor_over_the_budget(tmp_path: Path, capsys) -> None:
    data = tmp_path / "w.bin"
    with data.open("wb") as f:
        f.truncate(8 << 30)
    path = external_model(tmp_path, [1 << 31], location="w.bin")
    assert "over the limit" in info(capsys, path)
    # the limit is an option: raised, the size check against the file is what remains
    assert cli.main(["info", str(path), "--max-tensor-bytes", "1K"]) == 2


@pytest.mark.parametrize(
    "entries,needle",
    [
        ({"location": "w.bin", "offset": "abc"}, "not a byte count"),
        ({"location": "w.bin", "length": "-5"}, "not a byte count"),
        ({"location": "w\0.bin"}, "NUL byte"),
        ({"location": "loop.bin"}, "cannot be resolved"),
        ({"location": "hard.bin"}, "hard links"),
    ],
    ids=["offset_abc", "negative_length", "nul_byte", "symlink_loop", "hardlink"],
)
def test_hostile_external_entries(entries: dict, needle: str, tmp_path: Path, capsys) -> None:
    model_dir, outside = tmp_path / "model", tmp_path / "secret.bin"
    model_dir.mkdir()
    (model_dir / "w.bin").write_bytes(bytes(16))
    outside.write_bytes(bytes(16))
    os.symlink("loop.bin", model_dir / "loop.bin")
    os.link(outside, model_dir / "hard.bin")
    path = external_model(model_dir, [4], **entries)
    assert needle in info(capsys, path)


def _relu(tmp_path: Path) -> Path:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])],
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, tmp_path / "relu.onnx")
    return tmp_path / "relu.onnx"


def test_input_shape_that_overflows(tmp_path: Path, capsys) -> None:
    """1x3x2**32x2**32 wrapped to 0 FLOPs in int64; now it is an impossible size."""
    err = info(capsys, _relu(tmp_path), "--input-shape", "x:1x3x4294967296x4294967296")
    assert "would take" in err and "over the limit" in err


def test_large_input_shape_counts_exactly(tmp_path: Path, capsys) -> None:
    args = [
        "info",
        str(_relu(tmp_path)),
        "--input-shape",
        "x:1x3x40000x40000",
        "--max-tensor-bytes",
        "32G",
    ]
    assert cli.main(args) == 0
    assert "FLOPs: 4,800,000,000" in capsys.readouterr().out


def _run(capsys, tmp_path: Path, array_file: Path) -> str:
    args = ["run", str(_relu(tmp_path)), "--input", str(array_file), "--out", str(tmp_path / "o")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "halo: error:" in err
    return err


def test_npy_header_claims_a_huge_array(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "huge.npy"
    with bad.open("wb") as f:
        npy.write_array_header_1_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (1, 3, 100000, 100000)}
        )
    assert "over the limit" in _run(capsys, tmp_path, bad)


def test_npy_header_larger_than_its_data(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "short.npy"
    np.save(bad, np.ones((1, 3, 4, 4), np.float32))
    bad.write_bytes(bad.read_bytes()[:-8])
    assert "holds" in _run(capsys, tmp_path, bad)


def test_empty_npy(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "empty.npy"
    bad.write_bytes(b"")
    assert "cannot read input array" in _run(capsys, tmp_path, bad)


def test_malformed_max_tensor_bytes(tmp_path: Path, capsys) -> None:
    assert "--max-tensor-bytes" in info(capsys, _relu(tmp_path), "--max-tensor-bytes", "lots")


@pytest.mark.parametrize(
    "text,value",
    [("4096", 4096), ("512M", 512 << 20), ("8G", 8 << 30), ("2GiB", 2 << 30), ("1t", 1 << 40)],
)
def test_parse_bytes(text: str, value: int) -> None:
    from halo.frontends.limits import parse_bytes

    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5G", "G", "12X"])
def test_parse_bytes_rejects(text: str) -> None:
    from halo.errors import OptionError
    from halo.frontends.limits import parse_bytes

    with pytest.raises(OptionError):
        parse_bytes(text)


def test_info_warns_when_a_run_exceeds_the_machine(tmp_path: Path, capsys) -> None:
    from halo.analysis import machine_memory_bytes

    have = machine_memory_bytes()
    assert have is not None
    side = int((have / 4 / 3) ** 0.5) + 1024  # one 1x3xSxS float input is larger than memory
    args = ["info", str(_relu(tmp_path)), "--input-shape", f"x:1x3x{side}x{side}"]
    assert cli.main([*args, "--max-tensor-bytes", "16T"]) == 0
    err = capsys.readouterr().err
    assert "halo: warning: one run needs" in err and "more than this machine's" in err
    assert cli.main([*args[:3], "x:1x3x64x64"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_compile_options_carry_the_tensor_budget(tmp_path: Path) -> None:
    from halo.compiler import CompileOptions, import_and_optimize
    from halo.errors import ModelError

    shape = {"x": (1, 3, 64, 64)}  # 48 KiB
    with pytest.raises(ModelError, match="over the limit of 1,024 bytes"):
        import_and_optimize(
            _relu(tmp_path), CompileOptions(input_shapes=shape, max_tensor_bytes=1024)
        )
    graph = import_and_optimize(_relu(tmp_path), CompileOptions(input_shapes=shape))
    assert graph.inputs[0].shape == (1, 3, 64, 64)
