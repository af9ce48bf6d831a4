"""SSD's PriorBox (folded to a constant: it depends only on shapes) and DetectionOutput."""

from __future__ import annotations

import math

import numpy as np

from halo.frontends.caffe.context import CaffeLayer, Params
from halo.frontends.caffe.nms import DetectionSpec, detections
from halo.frontends.caffe.registry import converter
from halo.ir.graph import Value, constant
from halo.ir.ops import tensor

CORNER, CENTER_SIZE, CORNER_SIZE = 1, 2, 3
MAX_NMS_CANDIDATES = 1024  # per class; NMS costs O(top_k^2) memory and top_k sequential steps


def _aspect_ratios(values: list[float], flip: bool) -> list[float]:
    """1, then each new ratio (and its inverse with flip); near-duplicates are dropped."""
    ratios = [1.0]
    for ar in values:
        if any(abs(ar - r) < 1e-6 for r in ratios):
            continue
        ratios.append(ar)
        if flip:
            ratios.append(1.0 / ar)
    return ratios


def prior_boxes(
    layer_hw: tuple[int, int],
    img_hw: tuple[float, float],
    step_hw: tuple[float, float],
    offset: float,
    min_sizes: list[float],
    max_sizes: list[float],
    ratios: list[float],
    clip: bool,
    variance: list[float],
) -> np.ndarray:
    """[1, 2, H * W * priors * 4]: normalized corner boxes, then their variances."""
    sizes = []  # (width, height) of the priors at one location, in Caffe's order
    for i, m in enumerate(min_sizes):
        sizes.append((m, m))
        if max_sizes:
            s = math.sqrt(m * max_sizes[i])
            sizes.append((s, s))
        sizes += [(m * math.sqrt(r), m / math.sqrt(r)) for r in ratios if abs(r - 1.0) >= 1e-6]
    wh = np.array(sizes, dtype=np.float64)  # [priors, 2]
    h, w = layer_hw
    cy, cx = np.meshgrid(
        (np.arange(h) + offset) * step_hw[0], (np.arange(w) + offset) * step_hw[1], indexing="ij"
    )
    centers = np.stack([cx, cy], axis=-1).reshape(h * w, 1, 2)
    img = np.array([img_hw[1], img_hw[0]])
    lo = (centers - wh / 2.0) / img
    hi = (centers + wh / 2.0) / img
    boxes = np.concatenate([lo, hi], axis=-1).reshape(-1)
    if clip:
        boxes = np.clip(boxes, 0.0, 1.0)
    var = np.tile(np.asarray(variance, np.float64), boxes.size // 4)
    return np.stack([boxes, var]).reshape(1, 2, -1).astype(np.float32)


def _pair(
    layer: CaffeLayer, p: Params, one: str, h: str, w: str, default: tuple[float, float]
) -> tuple[float, float]:
    if p.has(h) or p.has(w):
        if p.has(one) or not (p.has(h) and p.has(w)):
            raise layer.error(f"give {one}, or both {h} and {w}")
        return float(getattr(p, h)), float(getattr(p, w))
    return (float(getattr(p, one)),) * 2 if p.has(one) else default


@converter("PriorBox")
def _prior_box(layer: CaffeLayer) -> None:
    layer.expect((2, 2))
    feat, image = layer.bottoms()
    if feat.rank != 4 or image.rank != 4:
        raise layer.error("needs 4-D feature map and image bottoms")
    p = layer.params("prior_box_param")
    min_sizes, max_sizes = [float(m) for m in p.min_size], [float(m) for m in p.max_size]
    if not min_sizes or min(min_sizes) <= 0:
        raise layer.error("needs positive min_size values")
    if max_sizes and (
        len(max_sizes) != len(min_sizes) or any(mx <= mn for mn, mx in zip(min_sizes, max_sizes))
    ):
        raise layer.error("needs one max_size larger than each min_size")
    variance = [float(v) for v in p.variance] or [0.1]
    if len(variance) not in (1, 4) or min(variance) <= 0:
        raise layer.error("variance needs 1 or 4 positive values")
    variance = variance * 4 if len(variance) == 1 else variance
    img_hw = _pair(
        layer, p, "img_size", "img_h", "img_w", (float(image.shape[2]), float(image.shape[3]))
    )
    lh, lw = feat.shape[2], feat.shape[3]
    step_hw = _pair(layer, p, "step", "step_h", "step_w", (img_hw[0] / lh, img_hw[1] / lw))
    ratios = _aspect_ratios([float(a) for a in p.aspect_ratio], bool(p.flip))
    boxes = prior_boxes(
        (lh, lw),
        img_hw,
        step_hw,
        float(p.offset),
        min_sizes,
        max_sizes,
        ratios,
        bool(p.clip),
        variance,
    )
    layer.bind(constant(layer.b.unique(layer.top_names()[0]), boxes))


def _decode(
    layer: CaffeLayer,
    loc: list[Value],
    prior: list[Value],
    var: list[Value],
    code: int,
    encoded: bool,
) -> list[Value]:
    """Caffe's DecodeBBox on coordinate planes: loc [N, L, P] each, prior/var [P] each."""

    def mul(a: Value, b: Value) -> Value:
        return layer.tmp("Mul", [a, b])

    def add(a: Value, b: Value) -> Value:
        return layer.tmp("Add", [a, b])

    scaled = loc if encoded else [mul(v, d) for v, d in zip(var, loc)]
    if code == CORNER:
        return [add(pr, s) for pr, s in zip(prior, scaled)]
    pw = layer.tmp("Sub", [prior[2], prior[0]])
    ph = layer.tmp("Sub", [prior[3], prior[1]])
    if code == CORNER_SIZE:
        return [add(prior[i], mul(scaled[i], pw if i % 2 == 0 else ph)) for i in range(4)]
    half = layer.const(np.float32(0.5), "half")
    cx = add(mul(scaled[0], pw), mul(add(prior[0], prior[2]), half))
    cy = add(mul(scaled[1], ph), mul(add(prior[1], prior[3]), half))
    hw = mul(mul(layer.tmp("Exp", [scaled[2]]), pw), half)
    hh = mul(mul(layer.tmp("Exp", [scaled[3]]), ph), half)
    return [layer.tmp("Sub", [cx, hw]), layer.tmp("Sub", [cy, hh]), add(cx, hw), add(cy, hh)]


def _planes(
    layer: CaffeLayer, x: Value, shape: tuple[int, ...], perm: tuple[int, ...], out: tuple[int, ...]
) -> list[Value]:
    """Reshape x to ``shape``, move the 4 box coordinates first with ``perm``, split them."""
    t = layer.tmp("Transpose", [layer.reshape(x, shape)], tensor.Transpose(perm))
    planes = []
    for i in range(4):
        starts = (i, *([0] * (t.rank - 1)))
        stops = (i + 1, *t.shape[1:])
        s = layer.tmp("Slice", [t], tensor.Slice(starts, stops, (1,) * t.rank))
        planes.append(layer.reshape(s, out))
    return planes


@converter("DetectionOutput")
def _detection_output(layer: CaffeLayer) -> None:
    layer.expect((3, 3))
    loc, conf, prior = layer.bottoms()
    p = layer.params("detection_output_param")
    classes, bg = int(p.num_classes), int(p.background_label_id)
    nms = p.nms_param
    if classes < 1 or not -1 <= bg < classes:
        raise layer.error(f"num_classes {classes} / background_label_id {bg} are inconsistent")
    if nms.eta != 1.0:
        raise layer.fail("adaptive NMS (nms_param.eta < 1) is not supported")
    if p.code_type not in (CORNER, CENTER_SIZE, CORNER_SIZE):
        raise layer.error(f"unknown code_type {p.code_type}")
    n, priors = loc.shape[0], prior.size // 8
    locs = 1 if p.share_location else classes
    if (
        prior.size != priors * 8
        or loc.size != n * priors * locs * 4
        or conf.size != n * priors * classes
    ):
        raise layer.error(
            f"bottom sizes do not fit {priors} priors, {classes} classes: loc "
            f"{list(loc.shape)}, conf {list(conf.shape)}, prior {list(prior.shape)}"
        )
    top_k = int(nms.top_k) if nms.HasField("top_k") and nms.top_k >= 0 else priors
    k = min(top_k, priors)
    if k > MAX_NMS_CANDIDATES:
        raise layer.fail(
            f"NMS over {k} candidates per class is too large to unroll",
            hint=f"set detection_output_param.nms_param.top_k <= {MAX_NMS_CANDIDATES}",
        )
    if p.keep_top_k == 0 or p.keep_top_k < -1:
        raise layer.error(f"keep_top_k {p.keep_top_k} must be -1 or positive")
    pr = _planes(layer, prior, (2, priors, 4), (2, 0, 1), (2, priors))
    prior_planes: list[Value] = []
    var_planes: list[Value] = []
    for plane in pr:  # [2, P]: row 0 box coordinate, row 1 its variance
        for row, dest in ((0, prior_planes), (1, var_planes)):
            s = layer.tmp("Slice", [plane], tensor.Slice((row, 0), (row + 1, priors), (1, 1)))
            dest.append(layer.reshape(s, (priors,)))
    loc_planes = _planes(layer, loc, (n, priors, locs, 4), (3, 0, 2, 1), (n, locs, priors))
    boxes = _decode(
        layer,
        loc_planes,
        prior_planes,
        var_planes,
        int(p.code_type),
        bool(p.variance_encoded_in_target),
    )
    thr = float(p.confidence_threshold) if p.has("confidence_threshold") else None
    spec = DetectionSpec(classes, bg, float(nms.nms_threshold), k, int(p.keep_top_k), thr)
    scores = layer.tmp(
        "Transpose", [layer.reshape(conf, (n, priors, classes))], tensor.Transpose((0, 2, 1))
    )
    rows = detections(layer, scores, boxes, spec)  # [N, R, 7]
    layer.emit("Reshape", [rows], tensor.Reshape((1, 1, rows.shape[0] * rows.shape[1], 7)))
