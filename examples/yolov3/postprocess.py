"""YOLOv3 pre- and post-processing in numpy: the reference the C++ application (decode.cc) is
tested against, written from the YOLOv3 paper's box parameterisation.

* letterbox: scale the image by min(S / w, S / h) (bilinear, pixel centres at +0.5), centre it on
  an S x S canvas of grey 0.5, divide by 255: NHWC float32, what the compiled model takes;
* decode: per head of stride s (an NHWC map H x W x A*(5+C)), per cell (cx, cy) and anchor
  (aw, ah): box centre ((sigmoid(tx) + cx) * s, (sigmoid(ty) + cy) * s), size (aw * exp(tw),
  ah * exp(th)); score sigmoid(obj) * sigmoid(class) of the best class;
* class-wise non-maximum suppression: by score, highest first, a box is dropped when it overlaps
  a kept box of its class by IoU > the threshold;
* boxes are mapped back through the letterbox and clipped to the image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Head:
    stride: int
    anchors: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Meta:
    """What the application needs to know about a detector (the `.meta` file next to it)."""

    classes: tuple[str, ...]
    heads: tuple[Head, ...]  # in the order of the model's outputs
    score: float = 0.5  # the detector's operating threshold (the application's --score default)

    @staticmethod
    def read(path: Path) -> Meta:
        classes: list[str] = []
        heads: list[Head] = []
        score = 0.5
        for line in path.read_text().splitlines():
            words = line.split("#")[0].split()
            if not words:
                continue
            if words[0] == "classes":
                classes += words[1:]
            elif words[0] == "score":
                score = float(words[1])
            elif words[0] == "head":
                pairs = [tuple(float(v) for v in w.split(",")) for w in words[2:]]
                heads.append(Head(int(words[1]), tuple((p[0], p[1]) for p in pairs)))
        return Meta(tuple(classes), tuple(heads), score)


@dataclass(frozen=True)
class Letterbox:
    scale: float
    pad_x: int
    pad_y: int
    width: int
    height: int


def letterbox(img: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """The network input (1 x size x size x 3 float32) for an H x W x 3 uint8 image."""
    h, w, _ = img.shape
    scale = min(size / w, size / h)
    nw, nh = int(np.floor(w * scale + 0.5)), int(np.floor(h * scale + 0.5))
    sx = (np.arange(nw, dtype=np.float32) + 0.5) * np.float32(w / nw) - 0.5
    sy = (np.arange(nh, dtype=np.float32) + 0.5) * np.float32(h / nh) - 0.5
    sx, sy = np.clip(sx, 0, w - 1), np.clip(sy, 0, h - 1)
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = (sx - x0)[None, :, None], (sy - y0)[:, None, None]
    src = img.astype(np.float32)
    top = src[y0][:, x0] * (1 - fx) + src[y0][:, x1] * fx
    bottom = src[y1][:, x0] * (1 - fx) + src[y1][:, x1] * fx
    resized = top * (1 - fy) + bottom * fy
    canvas = np.full((size, size, 3), 0.5, np.float32)
    px, py = (size - nw) // 2, (size - nh) // 2
    canvas[py : py + nh, px : px + nw] = resized / np.float32(255)
    return canvas[None], Letterbox(scale, px, py, w, h)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def decode(
    outputs: Sequence[np.ndarray], meta: Meta, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate boxes (n x 4: x0, y0, x1, y1 in network pixels), scores and classes, in the
    order head, row, column, anchor."""
    boxes, scores, classes = [], [], []
    for out, head in zip(outputs, meta.heads):
        _, rows, cols, _ = out.shape
        a = len(head.anchors)
        t = out.reshape(rows, cols, a, -1).astype(np.float64)
        cy, cx = np.mgrid[0:rows, 0:cols]
        anchors = np.array(head.anchors)
        bx = (_sigmoid(t[..., 0]) + cx[..., None]) * head.stride
        by = (_sigmoid(t[..., 1]) + cy[..., None]) * head.stride
        bw = anchors[:, 0] * np.exp(t[..., 2])
        bh = anchors[:, 1] * np.exp(t[..., 3])
        cls = _sigmoid(t[..., 5:])
        best = cls.argmax(-1)
        score = _sigmoid(t[..., 4]) * np.take_along_axis(cls, best[..., None], -1)[..., 0]
        box = np.stack([bx - bw / 2, by - bh / 2, bx + bw / 2, by + bh / 2], -1)
        keep = score >= threshold
        boxes.append(box[keep])
        scores.append(score[keep])
        classes.append(best[keep])
    return (
        np.concatenate(boxes).reshape(-1, 4),
        np.concatenate(scores),
        np.concatenate(classes).astype(np.int64),
    )


def iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of box a (4,) with each of boxes b (n x 4)."""
    w = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = w * h
    area = lambda r: (r[..., 2] - r[..., 0]) * (r[..., 3] - r[..., 1])  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-12)


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, threshold: float) -> list[int]:
    """Indices kept by class-wise non-maximum suppression, highest score first."""
    kept: list[int] = []
    for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
        same = [k for k in kept if classes[k] == classes[i]]
        if not same or iou(boxes[i], boxes[same]).max() <= threshold:
            kept.append(i)
    return kept


def detect(
    outputs: Sequence[np.ndarray],
    meta: Meta,
    box: Letterbox,
    score_threshold: float | None = None,
    iou_threshold: float = 0.45,
) -> list[tuple[int, float, tuple[float, float, float, float]]]:
    """(class, score, (x0, y0, x1, y1) in image pixels) per detection, highest score first;
    the score threshold defaults to the detector's (``meta.score``)."""
    threshold = meta.score if score_threshold is None else score_threshold
    boxes, scores, classes = decode(outputs, meta, threshold)
    found = []
    for i in nms(boxes, scores, classes, iou_threshold):
        x0, y0, x1, y1 = boxes[i]
        mapped = (
            float(np.clip((x0 - box.pad_x) / box.scale, 0, box.width)),
            float(np.clip((y0 - box.pad_y) / box.scale, 0, box.height)),
            float(np.clip((x1 - box.pad_x) / box.scale, 0, box.width)),
            float(np.clip((y1 - box.pad_y) / box.scale, 0, box.height)),
        )
        found.append((int(classes[i]), float(scores[i]), mapped))
    return found


def recall(
    found: Sequence[tuple[int, float, tuple[float, float, float, float]]],
    truth: np.ndarray,
    labels: np.ndarray,
    threshold: float = 0.5,
) -> tuple[int, int]:
    """(true boxes matched by a detection of their class at IoU >= threshold, true boxes)."""
    hits = 0
    for gt, label in zip(truth, labels):
        same = np.array([b for c, _, b in found if c == label]).reshape(-1, 4)
        if len(same) and iou(gt, same).max() >= threshold:
            hits += 1
    return hits, len(truth)
