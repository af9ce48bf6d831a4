"""TensorFlow convolutions and pooling (NHWC data is wrapped in transposes around NCHW IR ops)."""

from __future__ import annotations

from halo.frontends.rules import same_pads
from halo.frontends.tensorflow.context import TfNode
from halo.frontends.tensorflow.registry import converter
from halo.frontends.tensorflow.spatial import channels_last, pads, spatial_of, spatial_sizes
from halo.ir.graph import Value
from halo.ir.ops import nn, tensor


def _filter_oihw(n: TfNode, w: Value) -> Value:
    """TF filters are [k..., in, out]; the IR wants [out, in, k...]."""
    k = w.rank - 2
    return n.tmp("Transpose", [w], tensor.Transpose((k + 1, k, *range(k))), "filter")


def _window(
    n: TfNode, x: Value, kernel: tuple[int, ...], last: bool, explicit: bool = True
) -> tuple[tuple[int, ...], ...]:
    rank = x.rank
    strides = spatial_of(n, "strides", n.attrs.ints("strides"), rank, last)
    dilations = spatial_of(n, "dilations", n.attrs.ints("dilations", (1,) * rank), rank, last)
    pb, pe = pads(n, spatial_sizes(x.shape, last), kernel, strides, dilations, rank, last, explicit)
    return strides, dilations, pb, pe


@converter("Conv2D", "Conv3D")
def _conv(n: TfNode) -> None:
    x, w = n.input(0), n.input(1)
    n.attrs.bool("use_cudnn_on_gpu", True)
    last = channels_last(n, x.rank)
    if w.rank != x.rank:
        raise n.fail(f"filter rank {w.rank} does not match input rank {x.rank}")
    strides, dilations, pb, pe = _window(n, x, w.shape[:-2], last, n.op == "Conv2D")
    channels = x.shape[-1] if last else x.shape[1]
    if channels % w.shape[-2]:
        raise n.fail(f"{channels} input channels are not a multiple of the filter's {w.shape[-2]}")
    attrs = nn.Conv(channels // w.shape[-2], strides, dilations, pb, pe)
    n.emit_layout("Conv", [x, _filter_oihw(n, w)], attrs, last)


@converter("DepthwiseConv2dNative")
def _depthwise(n: TfNode) -> None:
    x, w = n.input(0), n.input(1)
    last = channels_last(n, x.rank)
    kh, kw, c, m = w.shape
    strides, dilations, pb, pe = _window(n, x, (kh, kw), last)
    flat = n.tmp("Reshape", [w], tensor.Reshape((kh, kw, 1, c * m)), "filter_flat")
    n.emit_layout("Conv", [x, _filter_oihw(n, flat)], nn.Conv(c, strides, dilations, pb, pe), last)


@converter("Conv2DBackpropInput")
def _deconv(n: TfNode) -> None:
    sizes, w, x = n.const_ints(0, "input_sizes"), n.input(1), n.input(2)
    n.attrs.bool("use_cudnn_on_gpu", True)
    last = channels_last(n, x.rank)
    kernel = w.shape[:-2]
    strides, dilations, pb, _ = _window(n, x, kernel, last)
    target = spatial_sizes(tuple(sizes), last)
    if n.attrs.str("padding") == "SAME":  # the forward conv's SAME pads, from target to x
        pb = same_pads(target, kernel, strides, dilations, outputs=spatial_sizes(x.shape, last))[0]
    begin, end, extra = [], [], []
    for i, o, s, k, d, b in zip(
        spatial_sizes(x.shape, last), target, strides, kernel, dilations, pb
    ):
        crop_end = (i - 1) * s + (k - 1) * d + 1 - b - o
        begin.append(b)
        end.append(max(crop_end, 0))
        extra.append(max(-crop_end, 0))
    weights = n.tmp("Transpose", [w], tensor.Transpose((3, 2, 0, 1)), "filter")
    attrs = nn.ConvTranspose(1, strides, dilations, tuple(begin), tuple(end), tuple(extra))
    n.emit_layout("ConvTranspose", [x, weights], attrs, last)


def _pool(n: TfNode, op: str, ksize: tuple[int, ...], strides_attr: tuple[int, ...]) -> None:
    x = n.input(0)
    last = channels_last(n, x.rank)
    kernel = spatial_of(n, "ksize", ksize, x.rank, last)
    strides = spatial_of(n, "strides", strides_attr, x.rank, last)
    ones = (1,) * len(kernel)
    pb, pe = pads(
        n,
        spatial_sizes(x.shape, last),
        kernel,
        strides,
        ones,
        x.rank,
        last,
        explicit_allowed=n.op == "MaxPool",
    )
    n.emit_layout(op, [x], nn.Pool(kernel, strides, ones, pb, pe, False, False), last)


@converter("MaxPool", "MaxPool3D")
def _maxpool(n: TfNode) -> None:
    _pool(n, "MaxPool", n.attrs.ints("ksize"), n.attrs.ints("strides"))


@converter("MaxPoolV2")
def _maxpool_v2(n: TfNode) -> None:
    _pool(n, "MaxPool", tuple(n.const_ints(1, "ksize")), tuple(n.const_ints(2, "strides")))


@converter("AvgPool", "AvgPool3D")
def _avgpool(n: TfNode) -> None:
    _pool(n, "AveragePool", n.attrs.ints("ksize"), n.attrs.ints("strides"))
