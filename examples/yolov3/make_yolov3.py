"""Write YOLOv3 as ONNX with seeded weights, laid out like the exported models users have.

    python make_yolov3.py -o build/yolov3.onnx            # 80 classes, Darknet-53, 3 heads

Weights cannot be downloaded here, so the network (benchmarks/bench_models.py: Darknet-53, heads
at strides 32, 16 and 8, three anchors each) gets seeded random weights: the compiled model computes
exactly what ONNX Runtime computes, but its detections mean nothing (the trained small detector,
`detector.onnx`, is the one that finds objects). Like exported YOLOv3 models the file

* takes ``input`` as N x 3 x height x width with symbolic dimensions (`--input-shape` picks 320,
  416 or 608), and
* ends in decoding layers that HALO's application leaves out: each raw head (``head_32``,
  ``head_16``, ``head_8``) goes through a sigmoid, a transpose and a reshape into one
  ``detections`` tensor (N x boxes x 85). The example compiles the subgraph up to the three heads.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
HEADS = ("head_32", "head_16", "head_8")
COCO_ANCHORS = (  # the YOLOv3 paper's COCO anchors (w, h in pixels), per head
    ((116, 90), (156, 198), (373, 326)),
    ((30, 61), (62, 45), (59, 119)),
    ((10, 13), (16, 30), (33, 23)),
)


def with_decoding_tail(
    model: onnx.ModelProto, heads: Sequence[str], per_box: int, input_name: str = "input"
) -> onnx.ModelProto:
    """Rename the graph outputs to ``heads``, append sigmoid/transpose/reshape/concat into a
    ``detections`` output, and make the input's batch and spatial dimensions symbolic."""
    g = model.graph
    renames = {o.name: h for o, h in zip(g.output, heads)}
    for node in g.node:
        node.output[:] = [renames.get(o, o) for o in node.output]
        node.input[:] = [renames.get(i, i) for i in node.input]
    shape = numpy_helper.from_array(np.array([0, -1, per_box], np.int64), "tail_shape")
    g.initializer.append(shape)
    pieces = []
    for h in heads:
        g.node.extend(
            [
                helper.make_node("Sigmoid", [h], [f"{h}_sig"]),
                helper.make_node("Transpose", [f"{h}_sig"], [f"{h}_nhwc"], perm=[0, 2, 3, 1]),
                helper.make_node("Reshape", [f"{h}_nhwc", "tail_shape"], [f"{h}_boxes"]),
            ]
        )
        pieces.append(f"{h}_boxes")
    g.node.append(helper.make_node("Concat", pieces, ["detections"], axis=1))
    del g.output[:]
    g.output.append(helper.make_empty_tensor_value_info("detections"))
    del g.value_info[:]
    for inp in g.input:
        if inp.name == input_name:
            dims = inp.type.tensor_type.shape.dim
            for d, name in zip(dims, ("N", None, "height", "width")):
                if name:
                    d.Clear()
                    d.dim_param = name
    return onnx.shape_inference.infer_shapes(model)


def write_meta(
    path: Path, classes: Sequence[str], strides: Sequence[int], anchors, score: float = 0.5
) -> None:
    """The `.meta` file the application reads: class names, the score threshold, then per head
    its stride and anchors."""
    lines = ["# YOLO detector description: classes, score threshold, one line per model output"]
    lines.append("classes " + " ".join(classes))
    lines.append(f"score {score:g}")
    for stride, pairs in zip(strides, anchors):
        lines.append(f"head {stride} " + " ".join(f"{w:g},{h:g}" for w, h in pairs))
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=Path("build/yolov3.onnx"))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_models import yolov3  # noqa: E402 (the builder the benchmarks use)

    model = with_decoding_tail(yolov3(a.seed, 416, 80), HEADS, 85)
    a.output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, a.output)
    names = (Path(__file__).parent / "coco.names").read_text().split()
    write_meta(a.output.with_suffix(".meta"), names, (32, 16, 8), COCO_ANCHORS)
    print(a.output)


if __name__ == "__main__":
    main()
