"""TFLite RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR on NHWC tensors.

TF maps output index o to a source coordinate with scale = in / out, or (in - 1) / (out - 1) with
align_corners: bilinear uses o * scale, or (o + 0.5) * scale - 0.5 with half_pixel_centers (IR
'align_corners' / 'asymmetric' / 'half_pixel'); nearest uses floor(o * scale), round-half-up of
o * scale with align_corners, and floor((o + 0.5) * scale) with half_pixel_centers (IR
'asymmetric' + floor, 'align_corners' + round_prefer_ceil, 'tf_half_pixel_for_nn' + floor).
"""

from __future__ import annotations

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.registry import converter
from halo.ir.ops.nn import Resize


def _resize(n: TfliteNode, mode: str) -> None:
    x = n.x(0)
    size = n.const_ints(1, "size")
    if x.rank != 4 or len(size) != 2 or min(size) < 1:
        raise n.fail(f"expects a 4-D NHWC input and two positive sizes, got {x.shape} and {size}")
    align, half = bool(n.opts["align_corners"]), bool(n.opts["half_pixel_centers"])
    if align and half:
        raise n.fail("align_corners and half_pixel_centers cannot both be set")
    if align:
        coord, nearest = "align_corners", "round_prefer_ceil"
    elif half:
        coord, nearest = ("half_pixel" if mode == "linear" else "tf_half_pixel_for_nn"), "floor"
    else:
        coord, nearest = "asymmetric", "floor"
    sizes = (x.shape[0], size[0], size[1], x.shape[3])
    scales = (1.0, size[0] / x.shape[1], size[1] / x.shape[2], 1.0)
    n.emit("Resize", [x], Resize(sizes, scales, mode, coord, nearest, -0.75, False, 0.0))


@converter("RESIZE_BILINEAR")
def _bilinear(n: TfliteNode) -> None:
    n.opts.ignore("new_height", "new_width")  # deprecated; the size operand rules
    _resize(n, "linear")


@converter("RESIZE_NEAREST_NEIGHBOR")
def _nearest(n: TfliteNode) -> None:
    _resize(n, "nearest")
