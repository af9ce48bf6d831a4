"""ONNX convolution, pooling, normalization, softmax and matrix-product ops."""

from __future__ import annotations

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.ops_norm_ext import batch_norm_training
from halo.frontends.onnx.ops_pool_ext import (
    SMALL_INTS,
    avg_pool_dilated,
    max_pool_small_int,
    max_pool_with_indices,
)
from halo.frontends.onnx.registry import UseFunctionBody, converter
from halo.frontends.rules import same_pads
from halo.ir.graph import Value
from halo.ir.ops import linalg, nn, reduce, tensor


def spatial_attrs(n: OnnxNode, x: Value, kernel: tuple[int, ...]) -> tuple:
    """strides, dilations, pads_begin, pads_end with auto_pad resolved to explicit pads."""
    k = len(kernel)
    strides = n.attrs.ints("strides", None) or (1,) * k
    dilations = n.attrs.ints("dilations", None) or (1,) * k
    pads = n.attrs.ints("pads", None) or (0,) * (2 * k)
    auto = n.attrs.str("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        sizes = x.shape[2 : 2 + k]
        begin, end = same_pads(sizes, kernel, strides, dilations, lower=auto == "SAME_LOWER")
        return strides, dilations, begin, end
    if auto == "VALID":
        return strides, dilations, (0,) * k, (0,) * k
    if auto != "NOTSET":
        raise n.fail(f"unknown auto_pad '{auto}'", "use NOTSET, SAME_UPPER, SAME_LOWER or VALID")
    return strides, dilations, tuple(pads[:k]), tuple(pads[k:])


@converter("Conv")
def _conv(n: OnnxNode) -> None:
    x, w, b = n.need(0, "X"), n.need(1, "W"), n.input(2)
    kernel = n.attrs.ints("kernel_shape", None) or w.shape[2:]
    s, d, pb, pe = spatial_attrs(n, x, kernel)
    n.emit("Conv", [x, w, b], nn.Conv(n.attrs.int("group", 1), s, d, pb, pe))


@converter("ConvTranspose")
def _conv_transpose(n: OnnxNode) -> None:
    x, w, b = n.need(0, "X"), n.need(1, "W"), n.input(2)
    k = w.rank - 2
    kernel = n.attrs.ints("kernel_shape", None) or w.shape[2:]
    strides = n.attrs.ints("strides", None) or (1,) * k
    dil = n.attrs.ints("dilations", None) or (1,) * k
    out_pad = list(n.attrs.ints("output_padding", None) or (0,) * k)
    pads = n.attrs.ints("pads", None) or (0,) * (2 * k)
    auto = n.attrs.str("auto_pad", "NOTSET")
    out_shape = n.attrs.ints("output_shape", None)
    pb, pe = list(pads[:k]), list(pads[k:])
    if out_shape is not None or auto in ("SAME_UPPER", "SAME_LOWER"):
        target = out_shape[-k:] if out_shape else [x.shape[2 + i] * strides[i] for i in range(k)]
        for i in range(k):
            full = (x.shape[2 + i] - 1) * strides[i] + out_pad[i] + (kernel[i] - 1) * dil[i] + 1
            total = full - target[i]
            if total < 0:
                out_pad[i] += -total
                total = 0
            first = total // 2 if auto != "SAME_LOWER" else total - total // 2
            pb[i], pe[i] = first, total - first
    attrs = nn.ConvTranspose(
        n.attrs.int("group", 1), strides, dil, tuple(pb), tuple(pe), tuple(out_pad)
    )
    n.emit("ConvTranspose", [x, w, b], attrs)


def _pool(n: OnnxNode, op: str) -> None:
    x = n.need(0, "input")
    kernel = n.attrs.ints("kernel_shape")
    s, d, pb, pe = spatial_attrs(n, x, kernel)
    storage_order = n.attrs.int("storage_order", 0)
    ceil = bool(n.attrs.int("ceil_mode", 0))
    include = bool(n.attrs.int("count_include_pad", 0)) if op == "AveragePool" else False
    attrs = nn.Pool(kernel, s, d, pb, pe, ceil, include)
    if len(n.proto.output) > 1 and n.proto.output[1]:
        n.bind(*max_pool_with_indices(n, x, attrs, storage_order))
    elif op == "MaxPool" and x.dtype in SMALL_INTS:
        n.bind(max_pool_small_int(n, x, attrs))
    elif op == "AveragePool" and any(v != 1 for v in d):
        n.bind(avg_pool_dilated(n, x, attrs))
    else:
        n.emit(op, [x], attrs)


@converter("MaxPool")
def _maxpool(n: OnnxNode) -> None:
    _pool(n, "MaxPool")


@converter("AveragePool")
def _avgpool(n: OnnxNode) -> None:
    _pool(n, "AveragePool")


@converter("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(n: OnnxNode) -> None:
    x = n.need(0, "input")
    op = "ReduceMean" if n.proto.op_type == "GlobalAveragePool" else "ReduceMax"
    n.emit(op, [x], reduce.Reduce(tuple(range(2, x.rank)), True))


@converter("BatchNormalization")
def _bn(n: OnnxNode) -> None:
    for legacy in ("spatial", "is_test", "consumed_inputs", "momentum", "training_mode"):
        n.attrs.has(legacy)
    if n.attrs.int("training_mode", 0) or len([o for o in n.proto.output if o]) > 1:
        batch_norm_training(n, n.attrs.float("epsilon", 1e-5), n.attrs.float("momentum", 0.9))
        return
    n.emit("BatchNormalization", n.inputs()[:5], nn.Norm(n.attrs.float("epsilon", 1e-5)))


@converter("InstanceNormalization")
def _instance_norm(n: OnnxNode) -> None:
    n.emit("InstanceNormalization", n.inputs(), nn.Norm(n.attrs.float("epsilon", 1e-5)))


@converter("LayerNormalization", since=17)
def _layer_norm(n: OnnxNode) -> None:
    n.attrs.has("stash_type")
    if len([o for o in n.proto.output if o]) > 1:
        raise UseFunctionBody  # Mean/InvStdDev outputs: the standard's decomposition computes them
    attrs = nn.LayerNorm(n.attrs.int("axis", -1), n.attrs.float("epsilon", 1e-5))
    n.emit("LayerNormalization", n.inputs(), attrs)


@converter("LRN")
def _lrn(n: OnnxNode) -> None:
    attrs = nn.LRN(
        n.attrs.int("size"),
        n.attrs.float("alpha", 1e-4),
        n.attrs.float("beta", 0.75),
        n.attrs.float("bias", 1.0),
    )
    n.emit("LRN", n.inputs(), attrs)


@converter("Softmax", "LogSoftmax", "Hardmax")
def _softmax_2d(n: OnnxNode) -> None:
    """Before opset 13 the input is coerced to 2-D at ``axis`` and normalized over axis 1."""
    x = n.need(0, "input")
    axis = n.attrs.int("axis", 1) % max(x.rank, 1)
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    flat = n.tmp("Reshape", [x], tensor.Reshape((outer, x.size // max(outer, 1))))
    y = n.tmp(n.proto.op_type, [flat], nn.Axis(1))
    n.emit("Reshape", [y], tensor.Reshape(x.shape))


@converter("Softmax", "LogSoftmax", "Hardmax", since=13)
def _softmax(n: OnnxNode) -> None:
    n.emit(n.proto.op_type, n.inputs(), nn.Axis(n.attrs.int("axis", -1)))


@converter("Gemm")
def _gemm(n: OnnxNode) -> None:
    n.attrs.has("broadcast")
    a, b, c = n.input(0), n.input(1), n.input(2)
    attrs = linalg.Gemm(
        bool(n.attrs.int("transA", 0)),
        bool(n.attrs.int("transB", 0)),
        n.attrs.float("alpha", 1.0),
        n.attrs.float("beta", 1.0),
    )
    if c is not None and attrs.beta == 0.0:
        c = None
    n.emit("Gemm", [a, b, c], attrs)


@converter("MatMul")
def _matmul(n: OnnxNode) -> None:
    a, b = n.need(0, "A"), n.need(1, "B")
    a2 = n.tmp("Reshape", [a], tensor.Reshape((1, a.shape[0]))) if a.rank == 1 else a
    b2 = n.tmp("Reshape", [b], tensor.Reshape((b.shape[0], 1))) if b.rank == 1 else b
    if a.rank > 1 and b.rank > 1:
        n.emit("Gemm", [a2, b2], linalg.Gemm())
        return
    y = n.tmp("Gemm", [a2, b2], linalg.Gemm())
    shape = (
        y.shape[:-2]
        + (() if a.rank == 1 else y.shape[-2:-1])
        + (() if b.rank == 1 else y.shape[-1:])
    )
    n.emit("Reshape", [y], tensor.Reshape(shape))


@converter("Dropout")
def _dropout(n: OnnxNode) -> None:
    for a in ("ratio", "is_test", "seed", "consumed_inputs"):
        n.attrs.has(a)
    x = n.need(0, "input")
    training = n.const(2, "training_mode")
    if training is not None and bool(np.asarray(training).reshape(-1)[0]):
        raise n.fail("training-mode Dropout is random", "export the model in eval mode")
    n.bind(x, n.const_value(np.ones(x.shape, bool), "mask"))  # inference: identity, mask all true
