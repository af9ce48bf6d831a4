"""Caffe Convolution, Deconvolution, Pooling and InnerProduct."""

from __future__ import annotations

import math

import numpy as np

from halo.frontends.caffe.context import CaffeLayer, Params
from halo.frontends.caffe.registry import converter
from halo.ir.graph import Value
from halo.ir.ops import linalg, nn, tensor

Ints = tuple[int, ...]


def _values(p: Params, name: str) -> list[int]:
    """A field that is repeated in ConvolutionParameter and optional in PoolingParameter."""
    raw = getattr(p, name)
    if isinstance(raw, int):
        return [raw] if p.has(name) else []
    return [int(v) for v in raw]


def _per_axis(
    layer: CaffeLayer, p: Params, name: str, hw: tuple[str, str] | None, n: int, default: int | None
) -> Ints:
    """Caffe's rules for ``name`` (one value, or one per spatial axis) or its ``_h``/``_w`` form."""
    values = _values(p, name)
    if hw is not None and (p.has(hw[0]) or p.has(hw[1])):
        if n != 2 or values:
            raise layer.error(f"{hw[0]}/{hw[1]} need 2-D data and exclude {name}")
        if default is None and not (p.has(hw[0]) and p.has(hw[1])):
            raise layer.error(f"give both {hw[0]} and {hw[1]}")
        return int(getattr(p, hw[0])), int(getattr(p, hw[1]))
    if not values:
        if default is None:
            raise layer.error(f"{name} is required")
        return (default,) * n
    if len(values) == 1:
        return (values[0],) * n
    if len(values) != n:
        raise layer.error(f"{name} has {len(values)} values for {n} spatial axes")
    return tuple(values)


def _geometry(layer: CaffeLayer, p: Params, n: int) -> tuple[Ints, Ints, Ints]:
    """kernel, pads, strides."""
    kernel = _per_axis(layer, p, "kernel_size", ("kernel_h", "kernel_w"), n, None)
    pads = _per_axis(layer, p, "pad", ("pad_h", "pad_w"), n, 0)
    strides = _per_axis(layer, p, "stride", ("stride_h", "stride_w"), n, 1)
    if min(kernel) <= 0 or min(strides) <= 0:
        raise layer.error(f"kernel {list(kernel)} and stride {list(strides)} must be positive")
    return kernel, pads, strides


def _conv_setup(layer: CaffeLayer) -> tuple[Value, Params, int, Ints, Ints, Ints, Ints]:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("convolution_param")
    if p.axis not in (1, 1 - x.rank):
        raise layer.fail(f"axis={p.axis} is not supported (only the channel axis 1)")
    if x.rank < 3:
        raise layer.error(f"needs a rank >= 3 input, got {list(x.shape)}")
    if not p.has("num_output") or p.num_output == 0:
        raise layer.error("num_output is required")
    n = x.rank - 2
    kernel, pads, strides = _geometry(layer, p, n)
    dilations = _per_axis(layer, p, "dilation", None, n, 1)
    group = int(p.group)
    if group < 1 or x.shape[1] % group or p.num_output % group:
        raise layer.error(
            f"group={group} does not divide {x.shape[1]} input and {p.num_output} output channels"
        )
    return x, p, group, kernel, pads, strides, dilations


@converter("Convolution")
def _convolution(layer: CaffeLayer) -> None:
    x, p, group, kernel, pads, strides, dilations = _conv_setup(layer)
    cout = int(p.num_output)
    w = layer.const(layer.weight(0, (cout, x.shape[1] // group, *kernel), "weights"), "weights")
    b = layer.const(layer.weight(1, (cout,), "bias"), "bias") if p.bias_term else None
    layer.emit("Conv", [x, w, b], nn.Conv(group, strides, dilations, pads, pads))


@converter("Deconvolution")
def _deconvolution(layer: CaffeLayer) -> None:
    x, p, group, kernel, pads, strides, dilations = _conv_setup(layer)
    cout = int(p.num_output)
    w = layer.const(layer.weight(0, (x.shape[1], cout // group, *kernel), "weights"), "weights")
    b = layer.const(layer.weight(1, (cout,), "bias"), "bias") if p.bias_term else None
    attrs = nn.ConvTranspose(group, strides, dilations, pads, pads, (0,) * len(kernel))
    layer.emit("ConvTranspose", [x, w, b], attrs)


def caffe_pool_size(size: int, k: int, s: int, pad: int, any_pad: bool, ceil: bool) -> int:
    """Caffe's pooled size: ceil or floor, then drop a last window starting in the end padding."""
    span = (size + 2 * pad - k) / s
    out = (math.ceil(span) if ceil else math.floor(span)) + 1
    if any_pad and (out - 1) * s >= size + pad:
        out -= 1
    return out


@converter("Pooling")
def _pooling(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("pooling_param")
    if x.rank != 4:
        raise layer.error(f"needs a 4-D input, got {list(x.shape)}")
    if p.pool not in (0, 1):
        raise layer.fail("only MAX and AVE pooling are supported (STOCHASTIC is not)")
    if p.global_pooling:
        if p.has("kernel_size") or p.has("kernel_h") or p.has("kernel_w"):
            raise layer.error("global_pooling excludes kernel_size/kernel_h/kernel_w")
        kernel: Ints = x.shape[2:]
        pads = _per_axis(layer, p, "pad", ("pad_h", "pad_w"), 2, 0)
        strides = _per_axis(layer, p, "stride", ("stride_h", "stride_w"), 2, 1)
        if any(pads) or any(s != 1 for s in strides):
            raise layer.error("global pooling needs pad 0 and stride 1")
    else:
        kernel, pads, strides = _geometry(layer, p, 2)
    if any(pd >= k for pd, k in zip(pads, kernel)):
        raise layer.error(f"pad {list(pads)} must be smaller than the kernel {list(kernel)}")
    ceil = p.round_mode == 0
    attrs = nn.Pool(tuple(kernel), strides, (1, 1), pads, pads, ceil, count_include_pad=True)
    want = [
        caffe_pool_size(x.shape[2 + i], kernel[i], strides[i], pads[i], any(pads), ceil)
        for i in range(2)
    ]
    got = [
        nn.pool_output_size(x.shape[2 + i], kernel[i], strides[i], 1, pads[i], pads[i], ceil)
        for i in range(2)
    ]
    if want != got:
        raise layer.fail(
            f"Caffe's output size {want} has a window entirely outside the input "
            f"(kernel {list(kernel)} smaller than stride {list(strides)} without pad)"
        )
    layer.emit("MaxPool" if p.pool == 0 else "AveragePool", [x], attrs)


@converter("InnerProduct")
def _inner_product(layer: CaffeLayer) -> None:
    layer.expect((1, 1))
    x = layer.bottom()
    p = layer.params("inner_product_param")
    if not p.has("num_output") or p.num_output == 0:
        raise layer.error("num_output is required")
    axis = p.axis + x.rank if p.axis < 0 else p.axis
    if not 0 <= axis < x.rank:
        raise layer.error(f"axis {p.axis} is out of range for a rank-{x.rank} input")
    n = int(p.num_output)
    k = int(np.prod(x.shape[axis:], dtype=np.int64))
    m = int(np.prod(x.shape[:axis], dtype=np.int64))
    w = layer.const(layer.weight(0, (k, n) if p.transpose else (n, k), "weights"), "weights")
    b = layer.const(layer.weight(1, (n,), "bias"), "bias") if p.bias_term else None
    out_shape = (*x.shape[:axis], n)
    attrs = linalg.Gemm(trans_b=not p.transpose)
    x2 = layer.reshape(x, (m, k))
    if out_shape == (m, n):
        layer.emit("Gemm", [x2, w, b], attrs)
    else:
        y = layer.tmp("Gemm", [x2, w, b], attrs)
        layer.emit("Reshape", [y], tensor.Reshape(out_shape))
