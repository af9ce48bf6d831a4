"""DetectionOutput's selection stage as IR: per-class top-k, greedy NMS, keep_top_k, and Caffe's
output rows [image, label, score, xmin, ymin, xmax, ymax].

Greedy NMS walks the candidates of a class in score order and drops one when it overlaps an
earlier *kept* one by more than the threshold. With candidates sorted, S[i, j] = 1 when i < j and
IoU(i, j) > threshold, the kept set is the fixed point of keep = valid AND NOT (keep @ S > 0);
iterating keep <- relu(valid - keep @ S) from keep = valid fixes candidate t after t steps, so
top_k - 1 Gemm+Relu steps give exactly Caffe's result (the graph is unrolled: no loops in the IR).

The output has a static shape: each image gets R rows (R = keep_top_k, or classes * top_k when
keep_top_k is -1). The detections come first, ordered like Caffe's (by label, then by score);
the remaining rows are all -1. Caffe's own output has only the detection rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from halo.frontends.caffe.context import CaffeLayer
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg, reduce, tensor

SENTINEL = float(np.finfo(np.float32).min)  # -FLT_MAX: Caffe's "no confidence threshold"


@dataclass(frozen=True)
class DetectionSpec:
    classes: int
    background: int  # -1: none
    nms_threshold: float
    top_k: int  # candidates per class
    keep_top_k: int  # -1: keep all
    confidence_threshold: float | None


def _iou(layer: CaffeLayer, cand: list[Value]) -> Value:
    """[N, C, K, K] Jaccard overlap of every candidate pair (0 unless they truly intersect)."""
    n, c, k = cand[0].shape
    col = [layer.reshape(v, (n, c, k, 1)) for v in cand]
    row = [layer.reshape(v, (n, c, 1, k)) for v in cand]

    def op(name: str, a: Value, b: Value) -> Value:
        return layer.tmp(name, [a, b])

    zero = layer.const(np.float32(0.0), "zero")
    iw = op("Sub", op("Min", col[2], row[2]), op("Max", col[0], row[0]))
    ih = op("Sub", op("Min", col[3], row[3]), op("Max", col[1], row[1]))
    inter = op("Mul", iw, ih)
    w, h = op("Sub", cand[2], cand[0]), op("Sub", cand[3], cand[1])
    inverted = op("Or", op("Less", w, zero), op("Less", h, zero))
    area = layer.tmp("Where", [inverted, zero, op("Mul", w, h)])
    union = op(
        "Sub",
        op("Add", layer.reshape(area, (n, c, k, 1)), layer.reshape(area, (n, c, 1, k))),
        inter,
    )
    overlapping = op("And", op("Greater", iw, zero), op("Greater", ih, zero))
    return layer.tmp("Where", [overlapping, op("Div", inter, union), zero])


def _greedy_nms(layer: CaffeLayer, cand: list[Value], valid: Value, threshold: float) -> Value:
    """[N, C, 1, K] 1.0 for kept candidates."""
    n, c, k = cand[0].shape
    over = layer.tmp("Greater", [_iou(layer, cand), layer.const(np.float32(threshold), "nms_thr")])
    earlier = layer.const(np.triu(np.ones((k, k), np.float32), 1), "earlier")
    sup = layer.tmp(
        "Mul", [layer.tmp("Cast", [over], ew.Cast(DType.FLOAT32)), earlier], hint="suppress"
    )
    valid_row = layer.reshape(valid, (n, c, 1, k))
    keep = valid_row
    step = linalg.Gemm(alpha=-1.0, beta=1.0)
    for _ in range(k - 1):
        keep = layer.tmp(
            "Relu", [layer.tmp("Gemm", [keep, sup, valid_row], step, hint="nms")], hint="keep"
        )
    return keep


def detections(layer: CaffeLayer, scores: Value, boxes: list[Value], spec: DetectionSpec) -> Value:
    """scores [N, classes, P]; boxes: 4 decoded coordinate planes [N, 1 or classes, P].
    Returns [N, R, 7] rows."""
    n, _, p = scores.shape
    labels = [i for i in range(spec.classes) if i != spec.background]
    if not labels:
        raise layer.error("has no class besides the background")
    c, k = len(labels), spec.top_k
    which = layer.const(np.array(labels, np.int64), "labels")
    s = layer.tmp("Gather", [scores, which], tensor.Gather(1))
    if boxes[0].shape[1] == 1:
        boxes = [layer.tmp("Expand", [b], tensor.Expand((n, c, p))) for b in boxes]
    else:
        boxes = [layer.tmp("Gather", [b, which], tensor.Gather(1)) for b in boxes]
    top, order = layer.b.emit(
        "TopK", [s], reduce.TopK(k, -1, True, True), name=f"{layer.name}_topk"
    )
    cand = [layer.tmp("GatherElements", [b, order], tensor.Gather(2)) for b in boxes]
    threshold = SENTINEL if spec.confidence_threshold is None else spec.confidence_threshold
    valid = layer.tmp("Greater", [top, layer.const(np.float32(threshold), "conf_thr")])
    valid = layer.tmp("Cast", [valid], ew.Cast(DType.FLOAT32))
    keep = _greedy_nms(layer, cand, valid, spec.nms_threshold)
    total = c * k
    kept = layer.tmp(
        "Greater", [layer.reshape(keep, (n, total)), layer.const(np.float32(0.5), "half")]
    )
    flat_scores = layer.reshape(top, (n, total))
    big = layer.const(np.int64(total), "none")
    r = spec.keep_top_k if 0 < spec.keep_top_k < total else total
    if r < total:  # Caffe's keep_top_k: the best r kept detections over all classes
        masked = layer.tmp("Where", [kept, flat_scores, layer.const(np.float32(SENTINEL), "low")])
        best, where = layer.b.emit(
            "TopK", [masked], reduce.TopK(r, -1, True, True), name=f"{layer.name}_keep_top_k"
        )
        chosen = layer.tmp("Greater", [best, layer.const(np.float32(SENTINEL), "low")])
        key = layer.tmp("Where", [chosen, where, big])
    else:
        key = layer.tmp("Where", [kept, layer.const(np.arange(total, dtype=np.int64), "slot"), big])
    # Slots are class-major and score-sorted within a class: ascending slot = Caffe's order.
    slots, _ = layer.b.emit(
        "TopK", [key], reduce.TopK(r, -1, False, True), name=f"{layer.name}_order"
    )
    present = layer.tmp("Less", [slots, big])
    safe = layer.tmp("Min", [slots, layer.const(np.int64(total - 1), "last")])
    label_table = np.repeat(np.array(labels, np.float32), k)[None].repeat(n, axis=0)
    columns = [
        layer.const(np.repeat(np.arange(n, dtype=np.float32)[:, None], r, axis=1), "image"),
        layer.tmp("GatherElements", [layer.const(label_table, "label_of"), safe], tensor.Gather(1)),
        layer.tmp("GatherElements", [flat_scores, safe], tensor.Gather(1)),
    ]
    columns += [
        layer.tmp("GatherElements", [layer.reshape(b, (n, total)), safe], tensor.Gather(1))
        for b in cand
    ]
    rows = layer.tmp("Concat", [layer.reshape(col, (n, r, 1)) for col in columns], tensor.Concat(2))
    return layer.tmp(
        "Where",
        [layer.reshape(present, (n, r, 1)), rows, layer.const(np.float32(-1.0), "empty")],
        hint="rows",
    )
