"""Build Caffe nets in code (seeded weights) and compute them layer by layer in plain numpy,
following Caffe's documented semantics (independently of the frontend's code)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from google.protobuf import text_format
from halo.compiler import CompileOptions
from halo.frontends.caffe.proto import BlobProto, NetParameter
from halo.run import run_model
from runtimes import skip_if_all_fall_back

Arr = np.ndarray
Pair = int | tuple[int, int]


def make_blob(array: np.ndarray) -> BlobProto:
    blob = BlobProto()
    blob.shape.dim.extend(int(d) for d in array.shape)
    blob.data.extend(np.asarray(array, np.float32).reshape(-1).tolist())
    return blob


class NetBuilder:
    """Layers added in order; ``params`` is the text of the layer's parameter messages."""

    def __init__(self, name: str, seed: int = 0) -> None:
        self.net = NetParameter(name=name)
        self.weights = NetParameter(name=name)
        self.rng = np.random.default_rng(seed)

    def input(self, name: str, shape: tuple[int, ...]) -> None:
        self.layer(
            "Input",
            name,
            [],
            [name],
            f"input_param {{ shape {{ {' '.join(f'dim: {d}' for d in shape)} }} }}",
        )

    def layer(
        self,
        type_: str,
        name: str,
        bottoms: list[str],
        tops: list[str],
        params: str = "",
        blobs: list[np.ndarray] = (),
    ) -> None:
        layer = self.net.layer.add(name=name, type=type_, bottom=bottoms, top=tops)
        text_format.Merge(params, layer)
        stored = self.weights.layer.add()  # like Caffe, the .caffemodel holds every layer
        stored.CopyFrom(layer)
        stored.blobs.extend(make_blob(b) for b in blobs)

    def randn(self, *shape: int, scale: float = 1.0) -> np.ndarray:
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def save(self, folder: Path) -> tuple[Path, Path]:
        proto, model = folder / f"{self.net.name}.prototxt", folder / f"{self.net.name}.caffemodel"
        proto.write_text(text_format.MessageToString(self.net))
        model.write_bytes(self.weights.SerializeToString())
        return proto, model


def conv_layer(
    nb: NetBuilder,
    name: str,
    bottom: str,
    cin: int,
    cout: int,
    k: int,
    extra: str = "",
    group: int = 1,
    scale: float = 0.2,
) -> tuple[np.ndarray, np.ndarray]:
    """A Convolution layer with random weights; returns them."""
    w, b = nb.randn(cout, cin // group, k, k, scale=scale), nb.randn(cout, scale=0.1)
    params = f"convolution_param {{ num_output: {cout} kernel_size: {k} group: {group} {extra} }}"
    nb.layer("Convolution", name, [bottom], [name], params, [w, b])
    return w, b


def run(nb: NetBuilder, tmp: Path, inputs: list[np.ndarray], runtime: str = "reference",
        **options: object) -> list[np.ndarray]:
    proto, model = nb.save(tmp)
    opts = CompileOptions(runtime=runtime, weights=model, **options)  # type: ignore[arg-type]
    skip_if_all_fall_back(proto, opts)
    return run_model(proto, inputs, opts)


def rel_error(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-4) -> float:
    """Check closeness; return the largest error relative to each element's magnitude (floored
    at 1e-3 of the tensor's largest magnitude)."""
    assert actual.shape == expected.shape, f"{actual.shape} != {expected.shape}"
    err = np.abs(actual.astype(np.float64) - expected)
    assert np.all(err <= atol + 1e-3 * np.abs(expected)), f"max abs error {err.max():.3g}"
    floor = 1e-3 * max(float(np.abs(expected).max()), 1e-30)
    return float((err / np.maximum(np.abs(expected), floor)).max())


# ---- numpy reference layers (float64) ------------------------------------------------------


def conv(
    x: Arr, w: Arr, b: Arr | None, stride: Pair = 1, pad: Pair = 0, dil: int = 1, group: int = 1
) -> Arr:
    """stride and pad: one value or (height, width)."""
    (sh, sw), (ph, pw) = np.broadcast_to(stride, 2), np.broadcast_to(pad, 2)
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    oh = (h + 2 * ph - (dil * (kh - 1) + 1)) // sh + 1
    ow = (wd + 2 * pw - (dil * (kw - 1) + 1)) // sw + 1
    y = np.zeros((n, o, oh, ow))
    og = o // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[
                    :,
                    g * cg : (g + 1) * cg,
                    i * dil : i * dil + sh * (oh - 1) + 1 : sh,
                    j * dil : j * dil + sw * (ow - 1) + 1 : sw,
                ]
                y[:, g * og : (g + 1) * og] += np.einsum(
                    "nchw,oc->nohw", patch, w[g * og : (g + 1) * og, :, i, j]
                )
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def deconv(x: Arr, w: Arr, b: Arr | None, stride: int = 1, pad: int = 0, group: int = 1) -> Arr:
    n, cin, h, wd = x.shape
    _, og, kh, kw = w.shape
    full = np.zeros((n, og * group, (h - 1) * stride + kh, (wd - 1) * stride + kw))
    cg = cin // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                full[
                    :,
                    g * og : (g + 1) * og,
                    i : i + stride * (h - 1) + 1 : stride,
                    j : j + stride * (wd - 1) + 1 : stride,
                ] += np.einsum(
                    "nchw,co->nohw", x[:, g * cg : (g + 1) * cg], w[g * cg : (g + 1) * cg, :, i, j]
                )
    y = full[:, :, pad : full.shape[2] - pad, pad : full.shape[3] - pad]
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def pool(x: Arr, method: str, k: int, stride: int, pad: int = 0) -> Arr:
    """Caffe's pooling loops: ceil rounding, last window inside image + pad, AVE divisor clipped
    to the padded image."""
    n, c, h, w = x.shape
    oh = math.ceil((h + 2 * pad - k) / stride) + 1
    ow = math.ceil((w + 2 * pad - k) / stride) + 1
    if pad:
        oh -= (oh - 1) * stride >= h + pad
        ow -= (ow - 1) * stride >= w + pad
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            hs, ws = i * stride - pad, j * stride - pad
            he, we = min(hs + k, h + pad), min(ws + k, w + pad)
            size = (he - hs) * (we - ws)
            win = x[:, :, max(hs, 0) : min(he, h), max(ws, 0) : min(we, w)]
            y[:, :, i, j] = win.max(axis=(2, 3)) if method == "MAX" else win.sum(axis=(2, 3)) / size
    return y


def lrn_across(x: Arr, size: int, alpha: float, beta: float, k: float = 1.0) -> Arr:
    c = x.shape[1]
    half = (size - 1) // 2
    y = np.empty_like(x)
    for i in range(c):
        s = (x[:, max(0, i - half) : min(c, i + half + 1)] ** 2).sum(axis=1)
        y[:, i] = x[:, i] / (k + alpha / size * s) ** beta
    return y


def inner_product(x: Arr, w: Arr, b: Arr | None) -> Arr:
    y = x.reshape(x.shape[0], -1) @ w.T
    return y if b is None else y + b


def softmax(x: Arr, axis: int = 1) -> Arr:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def normalize(x: Arr, scale: Arr, eps: float = 1e-10, across_spatial: bool = False) -> Arr:
    axes = (1, 2, 3) if across_spatial else (1,)
    norm = np.sqrt((x**2).sum(axis=axes, keepdims=True) + eps)
    return x / norm * scale.reshape(1, -1, 1, 1)


def prior_box(
    fh: int,
    fw: int,
    ih: int,
    iw: int,
    min_size: float,
    max_size: float | None,
    ratios: list[float],
    flip: bool,
    clip: bool,
    variance: list[float],
    step: float | None = None,
    offset: float = 0.5,
) -> Arr:
    """SSD PriorBoxLayer::Forward_cpu written out."""
    ars = [1.0]
    for r in ratios:
        if all(abs(r - a) >= 1e-6 for a in ars):
            ars += [r, 1.0 / r] if flip else [r]
    sh, sw = (step, step) if step else (ih / fh, iw / fw)
    out = []
    for h in range(fh):
        for w in range(fw):
            cx, cy = (w + offset) * sw, (h + offset) * sh
            boxes = [(min_size, min_size)]
            if max_size:
                boxes.append((math.sqrt(min_size * max_size),) * 2)
            boxes += [
                (min_size * math.sqrt(a), min_size / math.sqrt(a))
                for a in ars
                if abs(a - 1) >= 1e-6
            ]
            for bw, bh in boxes:
                out += [
                    (cx - bw / 2) / iw,
                    (cy - bh / 2) / ih,
                    (cx + bw / 2) / iw,
                    (cy + bh / 2) / ih,
                ]
    out = np.array(out)
    if clip:
        out = np.clip(out, 0, 1)
    return np.stack([out, np.tile(variance, len(out) // 4)])[None]


def _iou(a: Arr, b: Arr) -> float:
    iw, ih = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    size = [(bx[2] - bx[0]) * (bx[3] - bx[1]) for bx in (a, b)]
    return inter / (size[0] + size[1] - inter)


def detection_output(
    loc: Arr,
    conf: Arr,
    prior: Arr,
    classes: int,
    nms_thr: float,
    top_k: int,
    keep_top_k: int,
    conf_thr: float,
    bg: int = 0,
) -> Arr:
    """DetectionOutputLayer (CENTER_SIZE, shared locations, one image) as Caffe's loops."""
    p = prior.shape[2] // 4
    boxes, var = prior[0, 0].reshape(p, 4), prior[0, 1].reshape(p, 4)
    loc, conf = loc.reshape(p, 4), conf.reshape(p, classes)
    pw, ph = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    cx = var[:, 0] * loc[:, 0] * pw + (boxes[:, 0] + boxes[:, 2]) / 2
    cy = var[:, 1] * loc[:, 1] * ph + (boxes[:, 1] + boxes[:, 3]) / 2
    w, h = np.exp(var[:, 2] * loc[:, 2]) * pw, np.exp(var[:, 3] * loc[:, 3]) * ph
    dec = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kept = []  # (score, label, index)
    for c in range(classes):
        if c == bg:
            continue
        order = sorted((i for i in range(p) if conf[i, c] > conf_thr), key=lambda i: -conf[i, c])[
            :top_k
        ]
        chosen: list[int] = []
        for i in order:
            if all(_iou(dec[i], dec[j]) <= nms_thr for j in chosen):
                chosen.append(i)
        kept += [(conf[i, c], c, i) for i in chosen]
    if keep_top_k > -1 and len(kept) > keep_top_k:
        kept = sorted(kept, key=lambda t: -t[0])[:keep_top_k]
    kept.sort(key=lambda t: (t[1], -t[0]))
    return np.array([[0, c, s, *dec[i]] for s, c, i in kept]).reshape(-1, 7)
