"""Hostile .tflite files: each deterministic corruption of a real converted model is a ModelError
that names the problem (exit status 2 from the CLI), never an IndexError or a crash."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

from halo import cli
from halo.errors import HaloError, ModelError
from halo.frontends import load_model
from halo.frontends.tflite.flatbuf import root_table

pytestmark = pytest.mark.frontends


def _put(data: bytearray, pos: int, fmt: str, *values) -> None:
    struct.pack_into("<" + fmt, data, pos, *values)


def _corrupt(data: bytearray, kind: str) -> bytearray:
    root = root_table(bytes(data), "model")
    sg = root.tables(2, "subgraph")[0]
    tensors, op = sg.tables(0, "tensor"), sg.tables(3, "operator")[0]
    if kind == "truncated":
        return data[: len(data) // 3]
    if kind == "tiny":
        return data[:6]
    if kind == "root_offset":
        _put(data, 0, "I", len(data) + 64)
    elif kind == "vtable_offset":
        _put(data, op.pos, "i", -(1 << 30))
    elif kind == "vector_length":
        _put(data, sg.target(3), "I", 0x7FFFFFF0)
    elif kind in ("negative_index", "index_out_of_range"):
        _put(data, op.target(1) + 4, "i", -7 if kind == "negative_index" else 100000)
    elif kind == "buffer_length":
        const = next(t for t in tensors if root.tables(4, "buffer")[t.scalar(2, "I", 0)].target(0))
        vec = root.tables(4, "buffer")[const.scalar(2, "I", 0)].target(0)
        _put(data, vec, "I", struct.unpack_from("<I", data, vec)[0] - 4)
    elif kind in ("dims_overflow", "negative_dim"):
        t = next(t for t in tensors if struct.unpack_from("<I", data, t.target(0))[0] >= 3)
        for i in range(3):
            _put(data, t.target(0) + 4 + 4 * i, "i", 0x7FFFFFFF if kind == "dims_overflow" else -3)
    elif kind == "buffer_index":
        _put(data, next(t.slot_pos(2) for t in tensors if t.slot_pos(2)), "I", 1 << 20)
    return data


HOSTILE = {
    "truncated": "outside the file", "tiny": "too short", "root_offset": "outside the file",
    "vtable_offset": "vtable", "vector_length": "claims 2147483632 elements",
    "negative_index": "tensor index -7", "index_out_of_range": "tensor index 100000",
    "buffer_length": "holds", "dims_overflow": "overflows int64", "negative_dim": "negative dimension",
    "buffer_index": "refers to buffer 1048576",
}


@pytest.fixture(scope="module")
def clean_model(tmp_path_factory) -> Path:
    """A small real model: convolutions with fused activations, a pool, a dense layer."""
    tf.keras.utils.set_random_seed(0)
    inp = tf.keras.Input((9, 9, 4), batch_size=1)
    x = tf.keras.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu6")(inp)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    model = tf.keras.Model(inp, tf.keras.layers.Dense(3)(tf.keras.layers.Flatten()(x)))
    path = tmp_path_factory.mktemp("tfl") / "clean.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    load_model(path)  # the uncorrupted model imports
    return path


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_corrupt_file_is_model_error(kind: str, clean_model: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / f"{kind}.tflite"
    bad.write_bytes(bytes(_corrupt(bytearray(clean_model.read_bytes()), kind)))
    with pytest.raises(ModelError, match=HOSTILE[kind]):
        load_model(bad)
    assert cli.main(["info", str(bad)]) == 2
    assert "halo: error:" in capsys.readouterr().err


def test_random_byte_flips_never_crash(clean_model: Path, tmp_path: Path) -> None:
    """Seeded random corruption: every outcome is a graph or a HaloError, never a Python crash."""
    src = clean_model.read_bytes()
    rng = np.random.default_rng(11)
    bad = tmp_path / "flipped.tflite"
    outcomes = {"ok": 0, "error": 0}
    for _ in range(400):
        data = bytearray(src)
        for pos in rng.integers(0, len(data), rng.integers(1, 4)):
            data[pos] = int(rng.integers(0, 256))
        bad.write_bytes(bytes(data))
        try:
            load_model(bad)
            outcomes["ok"] += 1
        except HaloError:
            outcomes["error"] += 1
    assert outcomes["error"] > 0
