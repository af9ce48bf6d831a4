"""Mutations of seed models: byte-level (flips, interesting integers, truncation, splices) and
structured edits per format (dims, dtypes, indices, attribute types, graph edges). Every choice
comes from the ``rng`` passed in, so a mutant is reproducible from (seed, iteration)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from seeds import Seed

Rng = np.random.Generator
INTERESTING = [
    0,
    1,
    -1,
    2,
    3,
    7,
    64,
    65,
    100,
    255,
    256,
    -128,
    2**15,
    2**16,
    2**31 - 1,
    -(2**31),
    2**31,
    2**32 - 1,
    2**32,
    2**40,
    2**62,
    2**63 - 1,
    -(2**63),
    4294967296,
]


def interesting(rng: Rng) -> int:
    return int(INTERESTING[rng.integers(len(INTERESTING))])


def pick(rng: Rng, seq: list) -> object:
    return seq[int(rng.integers(len(seq)))]


# ---- bytes ---------------------------------------------------------------------------------


def flip_bytes(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    for pos in rng.integers(0, len(out), int(rng.integers(1, 5))):
        out[pos] = int(rng.integers(256))
    return bytes(out)


def put_integer(data: bytes, rng: Rng) -> bytes:
    out = bytearray(data)
    width = int(pick(rng, [1, 2, 4, 8]))
    if len(out) <= width:
        return bytes(out)
    pos = int(rng.integers(0, len(out) - width)) & ~(width - 1 if rng.random() < 0.7 else 0)
    value = interesting(rng) & ((1 << (8 * width)) - 1)
    out[pos : pos + width] = value.to_bytes(width, "little")
    return bytes(out)


def truncate(data: bytes, rng: Rng) -> bytes:
    return data[: int(rng.integers(0, len(data)))]


def splice(data: bytes, rng: Rng) -> bytes:
    a, b = sorted(int(x) for x in rng.integers(0, len(data), 2))
    if rng.random() < 0.5:
        return data[:a] + data[b:]  # delete a chunk
    return data[:b] + data[a:b] + data[b:]  # duplicate a chunk


BYTE_MUTATIONS = [flip_bytes, put_integer, truncate, splice]


def mutate_bytes(data: bytes, rng: Rng) -> bytes:
    return pick(rng, BYTE_MUTATIONS)(data, rng) if data else data  # type: ignore[operator]


def mutators() -> dict[str, Callable[[Seed, Rng], Seed]]:
    from mutate_flat import mutate_caffe, mutate_tflite
    from mutate_graphs import mutate_onnx, mutate_tf

    """Frontend -> its structured mutator (imported lazily: TensorFlow is slow to import)."""
    return {
        "onnx": mutate_onnx,
        "tensorflow": mutate_tf,
        "tflite": mutate_tflite,
        "caffe": mutate_caffe,
    }
