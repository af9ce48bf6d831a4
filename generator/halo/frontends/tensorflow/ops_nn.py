"""TensorFlow normalization, bias, softmax, LRN and image resizing."""

from __future__ import annotations

from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.frontends.tensorflow.spatial import channels_last
from halo.ir.ops import nn, tensor


@converter("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3")
def _fused_bn(n: TfNode) -> None:
    x, scale, offset, mean, var = (n.input(i) for i in range(5))
    if n.attrs.bool("is_training", True):
        raise n.fail(
            "training-mode batch normalization (batch statistics) is not supported",
            "freeze the model for inference (training=False)",
        )
    if n.attrs.float("exponential_avg_factor", 1.0) != 1.0:
        raise n.fail("exponential_avg_factor only applies in training mode")
    last = channels_last(n, x.rank)
    n.emit_layout(
        "BatchNormalization",
        [x, scale, offset, mean, var],
        nn.Norm(n.attrs.float("epsilon", 1e-4)),
        last,
    )
    n.bind(n.state.values[(n.name, 0)], mean, var)  # batch_mean / batch_variance in inference


@converter("BiasAdd", "BiasAddV1")
def _bias_add(n: TfNode) -> None:
    x, b = n.input(0), n.input(1)
    fmt = n.attrs.str("data_format", "NHWC") if n.op == "BiasAdd" else "NHWC"
    if fmt not in ("NHWC", "NCHW"):
        raise n.fail(f"data_format '{fmt}' is not supported", "use NHWC or NCHW")
    if fmt == "NCHW" and x.rank > 2:
        b = n.tmp("Reshape", [b], tensor.Reshape((b.size, *(1,) * (x.rank - 2))), "bias")
    n.emit("Add", [x, b])


@converter("Softmax", "LogSoftmax")
def _softmax(n: TfNode) -> None:
    n.emit(n.op, [n.input(0)], nn.Axis(-1))


@converter("LRN")
def _lrn(n: TfNode) -> None:
    x = n.input(0)
    size = 2 * n.attrs.int("depth_radius", 5) + 1
    attrs = nn.LRN(
        size,
        n.attrs.float("alpha", 1.0) * size,
        n.attrs.float("beta", 0.5),
        n.attrs.float("bias", 1.0),
    )
    n.emit_layout("LRN", [x], attrs, True)


@converter("ResizeBilinear", "ResizeNearestNeighbor")
def _resize(n: TfNode) -> None:
    x = n.input(0)
    height, width = n.const_ints(1, "size")
    align = n.attrs.bool("align_corners", False)
    half = n.attrs.bool("half_pixel_centers", False)
    nearest = n.op == "ResizeNearestNeighbor"
    if x.rank != 4:
        raise n.fail(f"expects NHWC images, got rank {x.rank}")
    if align and half:
        raise n.fail("align_corners and half_pixel_centers cannot both be set")
    if align:
        coord = "align_corners"
    elif half:
        coord = "tf_half_pixel_for_nn" if nearest else "half_pixel"
    else:
        coord = "asymmetric"
    # TF nearest: floor of the source coordinate, or round-half-away (ceil) with align_corners
    rounding = "round_prefer_ceil" if align else "floor"
    batch, h, w, c = x.shape
    attrs = nn.Resize(
        (batch, c, height, width),
        (1.0, 1.0, height / h, width / w),
        "nearest" if nearest else "linear",
        coord,
        rounding,
        -0.75,
        False,
        0.0,
    )
    n.emit_layout("Resize", [x], attrs, True)
