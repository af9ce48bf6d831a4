"""Synthetic detection images: coloured circles, squares and triangles on noise.

    python shapes.py --seed 3 --size 128 -o shapes.png     # one image (PNG or PPM) + its boxes

The generator behind the small detector (`train_detector.py`), its recall test and the sample image
of `make yolov3`. Boxes are (x0, y0, x1, y1) in pixels, x1/y1 exclusive; shapes do not overlap.
"""

from __future__ import annotations

import argparse
import struct
import zlib
from pathlib import Path

import numpy as np

CLASSES = ("circle", "square", "triangle")
SIDES = (0.1, 0.375)  # the range of a shape's side, as a fraction of the image size


def _mask(kind: int, side: int) -> np.ndarray:
    """The shape's pixels inside its side x side box."""
    yy, xx = np.mgrid[0:side, 0:side] + 0.5
    if kind == 0:
        r = side / 2
        return (xx - r) ** 2 + (yy - r) ** 2 <= r * r
    if kind == 1:
        return np.ones((side, side), bool)
    # an upright isosceles triangle: apex at the top centre, base along the bottom
    return np.abs(xx - side / 2) <= yy / 2


def _overlaps(box: tuple[int, int, int, int], boxes: list[tuple[int, int, int, int]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] + 2 and b[0] < x1 + 2 and y0 < b[3] + 2 and b[1] < y1 + 2 for b in boxes)


def sample(
    rng: np.random.Generator, size: int = 128, max_objects: int = 4
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image (size x size x 3 uint8), its boxes (n x 4 float32) and class ids (n int64)."""
    base = rng.uniform(60, 190, 3)
    img = np.clip(base + rng.normal(0, 28, (size, size, 3)), 0, 255)
    boxes: list[tuple[int, int, int, int]] = []
    labels: list[int] = []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        for _attempt in range(20):
            side = int(rng.integers(int(SIDES[0] * size), int(SIDES[1] * size) + 1))
            x0, y0 = (int(v) for v in rng.integers(0, size - side + 1, 2))
            box = (x0, y0, x0 + side, y0 + side)
            if not _overlaps(box, boxes):
                break
        else:
            continue
        kind = int(rng.integers(len(CLASSES)))
        colour = rng.uniform(0, 255, 3)
        while np.abs(colour - base).max() < 90:  # stand out from the background
            colour = rng.uniform(0, 255, 3)
        region = img[y0 : y0 + side, x0 : x0 + side]
        region[_mask(kind, side)] = colour
        boxes.append(box)
        labels.append(kind)
    return (
        img.astype(np.uint8),
        np.array(boxes, np.float32).reshape(-1, 4),
        np.array(labels, np.int64),
    )


def write_image(path: Path, img: np.ndarray) -> None:
    """An 8-bit RGB image as binary PPM (.ppm) or PNG (.png, filter 0, zlib)."""
    h, w, _ = img.shape
    if path.suffix.lower() == ".ppm":
        path.write_bytes(b"P6\n%d %d\n255\n" % (w, h) + img.tobytes())
        return

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + img[y].tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("-o", "--output", type=Path, default=Path("shapes.png"))
    a = ap.parse_args()
    img, boxes, labels = sample(np.random.default_rng(a.seed), a.size)
    write_image(a.output, img)
    for box, label in zip(boxes, labels):
        print(CLASSES[label], " ".join(str(int(v)) for v in box))


if __name__ == "__main__":
    main()
