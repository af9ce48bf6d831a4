"""Train the small detector of the example (YOLOv3's family, two heads) on synthetic shapes and
export it as `detector.onnx` + `detector.meta`.

    pip install torch onnx numpy    # any virtual environment: only this script needs torch
    python train_detector.py        # ~15 minutes on 2 idle CPU cores; writes next to this file

The network: five stride-2 3x3 convolutions with batch norm and LeakyReLU(0.1) (128 -> 4 pixels),
a head at stride 32, then YOLOv3's upsample-and-concatenate route back to stride 16 for a second
head; three anchors per head, three classes (shapes.py: circle, square, triangle). The loss is
YOLOv3's: each true box belongs to the anchor (over both heads) whose shape fits it best, at the
cell holding its centre; binary cross-entropy for the centre offsets, objectness and classes,
squared error for the log-size. The ONNX file is written with onnx.helper from the trained
weights (Conv, BatchNormalization, LeakyRelu, Resize, Concat) plus the decoding tail that exported
detectors carry (make_yolov3.with_decoding_tail), so the example compiles the same kind of
subgraph as for YOLOv3.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import onnx
import postprocess
import shapes
import torch
from make_yolov3 import with_decoding_tail, write_meta
from onnx import TensorProto, helper, numpy_helper
from torch import nn

HERE = Path(__file__).resolve().parent
SIZE = 128
STRIDES = (32, 16)
ANCHORS = (((28, 28), (36, 36), (46, 46)), ((13, 13), (18, 18), (23, 23)))
PER_BOX = 5 + len(shapes.CLASSES)
BACKBONE = (16, 32, 48, 64, 96)  # channels of the stride-2 convolutions
ROUTE = 3  # the backbone layer (stride 16) the upsampled branch joins
SCORE = 0.25  # the operating threshold written to .meta


class ConvBN(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int = 1) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.leaky_relu(self.bn(self.conv(x)), 0.1)


class Detector(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        chans = (3, *BACKBONE)
        self.backbone = nn.ModuleList(ConvBN(chans[i], chans[i + 1], 3, 2) for i in range(5))
        self.neck32 = ConvBN(96, 128, 3)
        self.head32 = nn.Conv2d(128, 3 * PER_BOX, 1)
        self.reduce = ConvBN(128, 48, 1)
        self.neck16 = ConvBN(48 + BACKBONE[ROUTE], 96, 3)
        self.head16 = nn.Conv2d(96, 3 * PER_BOX, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        route = x
        for i, layer in enumerate(self.backbone):
            x = layer(x)
            if i == ROUTE:
                route = x
        x = self.neck32(x)
        up = nn.functional.interpolate(self.reduce(x), scale_factor=2, mode="nearest")
        y = self.neck16(torch.cat([up, route], 1))
        return self.head32(x), self.head16(y)


def batch(rng: np.random.Generator, count: int) -> tuple[torch.Tensor, list]:
    images, truths = [], []
    for _ in range(count):
        img, boxes, labels = shapes.sample(rng, SIZE)
        images.append(img)
        truths.append((boxes, labels))
    x = torch.from_numpy(np.stack(images).astype(np.float32) / 255).permute(0, 3, 1, 2)
    return x.contiguous(), truths


def _assign(truths: list) -> list[dict[str, torch.Tensor]]:
    """Per head: objectness target, mask of assigned anchors, and their box/class targets."""
    anchors = [(h, a, w, hh) for h, pairs in enumerate(ANCHORS) for a, (w, hh) in enumerate(pairs)]
    out = []
    for s in STRIDES:
        n = SIZE // s
        out.append(
            {
                "obj": torch.zeros(len(truths), 3, n, n),
                "xy": torch.zeros(len(truths), 3, n, n, 2),
                "wh": torch.zeros(len(truths), 3, n, n, 2),
                "cls": torch.zeros(len(truths), 3, n, n, len(shapes.CLASSES)),
            }
        )
    for b, (boxes, labels) in enumerate(truths):
        for box, label in zip(boxes, labels):
            w, h = box[2] - box[0], box[3] - box[1]
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            fit = [
                min(w, aw) * min(h, ah) / (w * h + aw * ah - min(w, aw) * min(h, ah))
                for _, _, aw, ah in anchors
            ]
            head, a, aw, ah = anchors[int(np.argmax(fit))]
            s = STRIDES[head]
            gx, gy = int(cx // s), int(cy // s)
            t = out[head]
            t["obj"][b, a, gy, gx] = 1
            t["xy"][b, a, gy, gx] = torch.tensor([cx / s - gx, cy / s - gy])
            t["wh"][b, a, gy, gx] = torch.tensor([np.log(w / aw), np.log(h / ah)])
            t["cls"][b, a, gy, gx, label] = 1
    return out


def loss_of(outputs: tuple[torch.Tensor, ...], truths: list) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits
    total = torch.zeros(())
    for out, t in zip(outputs, _assign(truths)):
        b, _, n, _ = out.shape
        p = out.view(b, 3, PER_BOX, n, n).permute(0, 1, 3, 4, 2)
        pos = t["obj"] > 0
        total = total + bce(p[..., 4], t["obj"], reduction="sum") / b
        if pos.any():
            total = total + 2 * bce(p[..., 0:2][pos], t["xy"][pos], reduction="sum") / b
            total = total + 2 * ((p[..., 2:4][pos] - t["wh"][pos]) ** 2).sum() / b
            total = total + bce(p[..., 5:][pos], t["cls"][pos], reduction="sum") / b
    return total


def evaluate(model: Detector, seed: int, count: int) -> float:
    """Recall at IoU 0.5 on fresh images, through the numpy post-processing of the example."""
    meta = postprocess.Meta(
        shapes.CLASSES, tuple(postprocess.Head(s, a) for s, a in zip(STRIDES, ANCHORS)), SCORE
    )
    rng = np.random.default_rng(seed)
    hits = total = 0
    model.eval()
    with torch.no_grad():
        for _ in range(count):
            img, boxes, labels = shapes.sample(rng, SIZE)
            x, box = postprocess.letterbox(img, SIZE)
            outs = model(torch.from_numpy(x).permute(0, 3, 1, 2))
            nhwc = [o.permute(0, 2, 3, 1).numpy() for o in outs]
            h, n = postprocess.recall(postprocess.detect(nhwc, meta, box), boxes, labels)
            hits, total = hits + h, total + n
    model.train()
    return hits / total


def to_onnx(model: Detector) -> onnx.ModelProto:
    """The trained network with onnx.helper, weights as initializers (batch norm kept)."""
    nodes, inits = [], []

    def param(name: str, t: torch.Tensor) -> str:
        inits.append(numpy_helper.from_array(t.detach().numpy().astype(np.float32), name))
        return name

    def conv_bn(x: str, m: ConvBN, name: str) -> str:
        k, s = m.conv.kernel_size[0], m.conv.stride[0]
        nodes.append(
            helper.make_node(
                "Conv",
                [x, param(f"{name}.w", m.conv.weight)],
                [f"{name}.c"],
                kernel_shape=[k, k],
                strides=[s, s],
                pads=[k // 2] * 4,
            )
        )
        bn = [
            param(f"{name}.{p}", getattr(m.bn, attr))
            for p, attr in (
                ("gamma", "weight"),
                ("beta", "bias"),
                ("mean", "running_mean"),
                ("var", "running_var"),
            )
        ]
        nodes.append(
            helper.make_node(
                "BatchNormalization", [f"{name}.c", *bn], [f"{name}.bn"], epsilon=m.bn.eps
            )
        )
        nodes.append(helper.make_node("LeakyRelu", [f"{name}.bn"], [name], alpha=0.1))
        return name

    def head(x: str, m: nn.Conv2d, name: str) -> str:
        nodes.append(
            helper.make_node(
                "Conv",
                [x, param(f"{name}.w", m.weight), param(f"{name}.b", m.bias)],
                [name],
                kernel_shape=[1, 1],
            )
        )
        return name

    x = "input"
    route = x
    for i, layer in enumerate(model.backbone):
        x = conv_bn(x, layer, f"backbone{i}")
        route = x if i == ROUTE else route
    x = conv_bn(x, model.neck32, "neck32")
    out32 = head(x, model.head32, "raw32")
    inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "up.scales"))
    nodes.append(
        helper.make_node(
            "Resize",
            [conv_bn(x, model.reduce, "reduce"), "", "up.scales"],
            ["up"],
            mode="nearest",
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
        )
    )
    nodes.append(helper.make_node("Concat", ["up", route], ["route"], axis=1))
    out16 = head(conv_bn("route", model.neck16, "neck16"), model.head16, "raw16")
    graph = helper.make_graph(
        nodes,
        "detector",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
        [helper.make_empty_tensor_value_info(o) for o in (out32, out16)],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return with_decoding_tail(m, ("head_32", "head_16"), PER_BOX)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--score", type=float, default=SCORE, help="the threshold written to .meta")
    ap.add_argument("-o", "--output", type=Path, default=HERE / "detector.onnx")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    model = Detector()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=a.steps, pct_start=0.1)
    start = time.time()
    for step in range(1, a.steps + 1):
        x, truths = batch(rng, a.batch)
        loss = loss_of(model(x), truths)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == a.steps:
            print(f"step {step}: loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)
        if step % 500 == 0 or step == a.steps:
            print(
                f"  recall at IoU 0.5 on 100 fresh images: {evaluate(model, 999, 100):.3f}",
                flush=True,
            )
    model.eval()
    onnx.save(to_onnx(model), a.output)
    write_meta(a.output.with_suffix(".meta"), shapes.CLASSES, STRIDES, ANCHORS, a.score)
    print(f"wrote {a.output} and {a.output.with_suffix('.meta')}")


if __name__ == "__main__":
    main()
