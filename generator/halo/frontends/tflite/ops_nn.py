"""TFLite convolution, pooling, fully-connected, batched matmul and softmax operators."""

from __future__ import annotations

import numpy as np

from halo.frontends.tflite.context import TfliteNode
from halo.frontends.tflite.layout import emit_fused, option_pads, positive, to_nchw
from halo.frontends.tflite.registry import converter
from halo.ir.ops import linalg, nn, tensor

OHWI_TO_OIHW = (0, 3, 1, 2)
DEPTHWISE_TO_OIHW = (3, 0, 1, 2)  # [1, H, W, C*mult] -> [C*mult, 1, H, W]


def _conv(n: TfliteNode, perm: tuple[int, ...], key: str, depthwise: bool) -> None:
    x = n.x(0)
    xt = to_nchw(n, x)
    w = n.weight(1, perm, key)
    strides = positive(n, "stride_h", "stride_w")
    dilations = positive(n, "dilation_h_factor", "dilation_w_factor")
    if w.rank != 4:
        raise n.fail(f"expects 4-D weights, got {w.shape}")
    c_in = xt.shape[1]
    if depthwise:
        mult = int(n.opts["depth_multiplier"])
        if w.shape[0] % max(c_in, 1) or (mult and w.shape[0] != c_in * mult):
            raise n.fail(
                f"{w.shape[0]} output channels are not a multiple of {c_in} input channels"
            )
        group = c_in
    else:
        n.opts.ignore("quantized_bias_type")
        if w.shape[1] == 0 or c_in % w.shape[1]:
            raise n.fail(f"{c_in} input channels do not match weights {w.shape} (OIHW)")
        group = c_in // w.shape[1]
    pb, pe = option_pads(n, xt.shape[2:], w.shape[2:], strides, dilations)
    emit_fused(
        n, "Conv", [xt, w, n.input(2)], nn.Conv(group, strides, dilations, pb, pe), nchw=True
    )


@converter("CONV_2D")
def _conv2d(n: TfliteNode) -> None:
    _conv(n, OHWI_TO_OIHW, "oihw", depthwise=False)


@converter("DEPTHWISE_CONV_2D")
def _depthwise(n: TfliteNode) -> None:
    _conv(n, DEPTHWISE_TO_OIHW, "oihw", depthwise=True)


def _pool(n: TfliteNode, op: str) -> None:
    xt = to_nchw(n, n.x(0))
    kernel = positive(n, "filter_height", "filter_width")
    strides = positive(n, "stride_h", "stride_w")
    pb, pe = option_pads(n, xt.shape[2:], kernel, strides, (1, 1))
    # TFLite's average divides by the number of real (unpadded) elements in the window.
    attrs = nn.Pool(kernel, strides, (1, 1), pb, pe, ceil_mode=False, count_include_pad=False)
    emit_fused(n, op, [xt], attrs, nchw=True)


@converter("AVERAGE_POOL_2D")
def _avgpool(n: TfliteNode) -> None:
    _pool(n, "AveragePool")


@converter("MAX_POOL_2D")
def _maxpool(n: TfliteNode) -> None:
    _pool(n, "MaxPool")


@converter("FULLY_CONNECTED")
def _fully_connected(n: TfliteNode) -> None:
    """y = x @ W^T + b with W [out, in]; x is flattened to [-1, in] unless keep_num_dims."""
    x, w = n.x(0), n.x(1)
    n.opts.ignore("asymmetric_quantize_inputs", "quantized_bias_type")
    if int(n.opts["weights_format"]) != 0:
        raise n.fail("shuffled weights formats are not supported", "convert without quantization")
    if w.rank != 2 or w.shape[1] == 0 or x.size % w.shape[1]:
        raise n.fail(f"weights {w.shape} do not match an input of shape {x.shape}")
    keep = bool(n.opts["keep_num_dims"])
    if x.rank != 2 and not (keep and x.rank > 2 and x.shape[-1] == w.shape[1]):
        x = n.tmp("Reshape", [x], tensor.Reshape((x.size // w.shape[1], w.shape[1])))
    emit_fused(n, "Gemm", [x, w, n.input(2)], linalg.Gemm(trans_b=True))


@converter("BATCH_MATMUL")
def _batch_matmul(n: TfliteNode) -> None:
    n.opts.ignore("asymmetric_quantize_inputs")
    attrs = linalg.Gemm(trans_a=bool(n.opts["adj_x"]), trans_b=bool(n.opts["adj_y"]))
    n.emit("Gemm", [n.x(0), n.x(1)], attrs)


@converter("SOFTMAX")
def _softmax(n: TfliteNode) -> None:
    x, beta = n.x(0), n.opts["beta"]
    if beta != 1.0:
        x = n.tmp("Mul", [x, n.const_value(np.array(beta, x.dtype.np), "beta")])
    n.emit("Softmax", [x], nn.Axis(-1))


@converter("LOG_SOFTMAX")
def _log_softmax(n: TfliteNode) -> None:
    n.emit("LogSoftmax", [n.x(0)], nn.Axis(-1))


@converter("TRANSPOSE_CONV")
def _transpose_conv(n: TfliteNode) -> None:
    """Operands: output_shape, weights [O, H, W, I], x (NHWC), optional bias. The output size
    decides the padding: total = (in - 1) * stride + k - out, TF puts the odd pixel at the end;
    VALID pads nothing and crops the end; a negative total becomes output padding."""
    out_shape, xt = n.const_ints(0, "output_shape"), to_nchw(n, n.x(2))
    w = n.weight(1, DEPTHWISE_TO_OIHW, "iohw")  # [O, H, W, I] -> [I, O, H, W]
    strides = positive(n, "stride_h", "stride_w")
    n.opts.ignore("quantized_bias_type")
    if (
        len(out_shape) != 4
        or w.rank != 4
        or w.shape[0] != xt.shape[1]
        or out_shape[3] != w.shape[1]
    ):
        raise n.fail(f"output shape {out_shape}, weights and input {xt.shape} do not match")
    valid = int(n.opts["padding"]) == 1
    pb, pe, extra = [], [], []
    for i in range(2):
        total = (xt.shape[2 + i] - 1) * strides[i] + w.shape[2 + i] - out_shape[1 + i]
        begin = 0 if valid else max(total, 0) // 2
        pb.append(begin)
        pe.append(max(total, 0) - begin)
        extra.append(max(-total, 0))
    attrs = nn.ConvTranspose(1, strides, (1, 1), tuple(pb), tuple(pe), tuple(extra))
    emit_fused(n, "ConvTranspose", [xt, w, n.input(3)], attrs, nchw=True)
