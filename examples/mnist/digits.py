"""The held-out digits file shared by train.py (writer), check_ort.py and main.cc (readers).

Format of `digits_test.bin` (all integers little-endian):

    offset  size      field
    0       4         magic b"HDG1"
    4       4         uint32 count   number of digits N
    8       4         uint32 rows    image height (8)
    12      4         uint32 cols    image width (8)
    16      N*rows*cols uint8        pixels, digit after digit, row-major, values 0..16
    ...     N         uint8          labels 0..9

The model input is pixel / 16 as float32, shape [1, 1, rows, cols].
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

MAGIC = b"HDG1"
_HEADER = struct.Struct("<4sIII")
PIXEL_SCALE = 16.0


def write(path: Path, pixels: np.ndarray, labels: np.ndarray) -> None:
    """Write `pixels` ([N, rows, cols] integers 0..16) and `labels` ([N]) to `path`."""
    count, rows, cols = pixels.shape
    if labels.shape != (count,):
        raise ValueError(f"labels shape {labels.shape} does not match {count} digits")
    data = _HEADER.pack(MAGIC, count, rows, cols)
    data += pixels.astype(np.uint8).tobytes() + labels.astype(np.uint8).tobytes()
    path.write_bytes(data)


def read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Return (model inputs [N, 1, rows, cols] float32, labels [N] int64) from `path`."""
    data = path.read_bytes()
    magic, count, rows, cols = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ValueError(f"{path}: not a digits file (magic {magic!r})")
    size = count * rows * cols
    if len(data) != _HEADER.size + size + count:
        raise ValueError(f"{path}: {len(data)} bytes, expected {_HEADER.size + size + count}")
    pixels = np.frombuffer(data, np.uint8, size, _HEADER.size).reshape(count, 1, rows, cols)
    labels = np.frombuffer(data, np.uint8, count, _HEADER.size + size).astype(np.int64)
    return pixels.astype(np.float32) / np.float32(PIXEL_SCALE), labels
