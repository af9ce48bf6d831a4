"""Hostile TensorFlow, TFLite and Caffe models (fuzzer finds and the hardening issue's list),
built by editing the fuzzer's seeds: each is a HaloError that names the problem."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from halo import cli  # noqa: E402
from halo.errors import HaloError  # noqa: E402
from halo.frontends import ImportOptions, load_model  # noqa: E402
from seeds import build_tflite, caffe_seeds, tflite_spec  # noqa: E402

pytestmark = pytest.mark.unit


def assert_rejected(path: Path, needle: str, capsys, weights: Path | None = None) -> None:
    with pytest.raises(HaloError, match=needle):
        load_model(path, ImportOptions(weights=weights))
    args = ["info", str(path), *(["--weights", str(weights)] if weights else [])]
    assert cli.main(args) == 2
    assert "halo: error:" in capsys.readouterr().err


# ---- TensorFlow ----------------------------------------------------------------------------


def _tf_graph(tmp_path: Path, edit) -> Path:
    pytest.importorskip("tensorflow")
    from seeds import tf_seeds
    from tensorflow.core.framework import graph_pb2

    g = graph_pb2.GraphDef.FromString(tf_seeds()[0]["m.pb"])
    edit({n.name: n for n in g.node})
    path = tmp_path / "m.pb"
    path.write_bytes(g.SerializeToString())
    return path


def _huge_const(nodes) -> None:
    t = nodes["fw"].attr["value"].tensor
    t.ClearField("tensor_content")
    t.float_val.append(1.0)  # one value, splatted over 2**31 elements: 8 GiB
    del t.tensor_shape.dim[:]
    t.tensor_shape.dim.add(size=1 << 31)


def _concat_no_values(nodes) -> None:
    del nodes["cat"].input[:]


def _concat_axis_vector(nodes) -> None:
    t = nodes["axis"].attr["value"].tensor
    t.tensor_content = b"\x01\x00\x00\x00\x02\x00\x00\x00"
    t.tensor_shape.dim.add(size=2)


def _concat_v1_one_input(nodes) -> None:
    nodes["cat"].op = "Concat"
    del nodes["cat"].input[1:]


def _const_content_short(nodes) -> None:
    t = nodes["w"].attr["value"].tensor
    t.tensor_content = t.tensor_content[:10]


TF_CASES = {
    "const_2g_elements": (_huge_const, "over the limit"),
    "concat_no_values": (_concat_no_values, "at least 2"),
    "concat_axis_vector": (_concat_axis_vector, "one integer"),
    "concat_v1_one_input": (_concat_v1_one_input, "at least 2|one integer|axis"),
    "const_content_short": (_const_content_short, "content holds 10 bytes"),
}


@pytest.mark.parametrize("case", sorted(TF_CASES))
def test_tensorflow(case: str, tmp_path: Path, capsys) -> None:
    edit, needle = TF_CASES[case]
    assert_rejected(_tf_graph(tmp_path, edit), needle, capsys)


# ---- TFLite --------------------------------------------------------------------------------


def _rank_65(spec: dict) -> None:
    spec["tensors"][0][1] = [1] * 65


def _perm_duplicate(spec: dict) -> None:
    spec["buffers"][6] = b"\x00\x00\x00\x00\x00\x00\x00\x00"  # perm [0, 0]


def _perm_out_of_range(spec: dict) -> None:
    spec["buffers"][6] = b"\x05\x00\x00\x00\x00\x00\x00\x00"  # perm [5, 0]


def _weights_rank(spec: dict) -> None:
    spec["tensors"][1][1] = [4, 27]
    spec["tensors"][1][3] = 1


def _stride_zero(spec: dict) -> None:
    spec["ops"][1][4][1][2] = 0  # MAX_POOL_2D stride_w


TFLITE_CASES = {
    "rank_65": (_rank_65, "rank 65"),
    "perm_duplicate": (_perm_duplicate, "not a permutation"),
    "perm_out_of_range": (_perm_out_of_range, "not a permutation"),
    "weights_rank": (_weights_rank, "rank 4"),
    "stride_zero": (_stride_zero, "stride|positive"),
}


@pytest.mark.parametrize("case", sorted(TFLITE_CASES))
def test_tflite(case: str, tmp_path: Path, capsys) -> None:
    edit, needle = TFLITE_CASES[case]
    spec = copy.deepcopy(tflite_spec())
    edit(spec)
    path = tmp_path / "m.tflite"
    path.write_bytes(build_tflite(spec))
    assert_rejected(path, needle, capsys)


# ---- Caffe ---------------------------------------------------------------------------------


CAFFE_CASES = {
    "input_rank_70": (b"dim: 1\n", b"dim: 1\n" * 67, "rank 70"),
    "permute_duplicate": (b"order: 2", b"order: 0", "not a permutation"),
    "permute_out_of_range": (b"order: 2", b"order: 9", "not a permutation"),
    "reshape_rank_71": (
        b'type: "Flatten"',
        b'type: "Reshape"\n  reshape_param { shape { ' + b"dim: 1 " * 70 + b"dim: -1 } }",
        "rank 71",
    ),
    "kernel_zero": (b"kernel_size: 3", b"kernel_size: 0", "must be positive"),
    "stride_zero": (b"stride: 2", b"stride: 0", "must be positive"),
}


@pytest.mark.parametrize("case", sorted(CAFFE_CASES))
def test_caffe(case: str, tmp_path: Path, capsys) -> None:
    old, new, needle = CAFFE_CASES[case]
    seed = caffe_seeds()[0]
    (tmp_path / "m.prototxt").write_bytes(seed["m.prototxt"].replace(old, new, 1))
    (tmp_path / "m.caffemodel").write_bytes(seed["m.caffemodel"])
    assert_rejected(tmp_path / "m.prototxt", needle, capsys, tmp_path / "m.caffemodel")
