"""ONNX DFT, STFT and Col2Im as products with constant matrices (static shapes make these linear
maps fixed): the DFT matrix interleaves real and imaginary parts, Col2Im's matrix adds every
column entry into its image position. DFT products run in float64."""

from __future__ import annotations

import math

import numpy as np

from halo.frontends.onnx.context import OnnxNode
from halo.frontends.onnx.registry import converter
from halo.ir.dtype import DType
from halo.ir.graph import Value
from halo.ir.ops import elementwise as ew
from halo.ir.ops import linalg
from halo.ir.ops import tensor as t
from halo.ir.ops.registry import norm_axis


def dft_matrix(
    n_in: int, complex_in: bool, length: int, onesided: bool, inverse: bool
) -> np.ndarray:
    """[n_in * (2 if complex_in else 1), out * c_out]: maps interleaved (re, im) samples to
    interleaved spectra (c_out = 2), or to real samples for a one-sided inverse (c_out = 1)."""
    c_in = 2 if complex_in else 1
    if inverse and onesided:  # Hermitian input of n_in bins -> `length` real samples
        k = np.arange(n_in)[:, None]
        tt = np.arange(length)[None, :]
        theta = 2 * np.pi * k * tt / length
        weight = np.where((k == 0) | ((length % 2 == 0) & (k == length // 2)), 1.0, 2.0) / length
        w = np.zeros((n_in, c_in, length, 1))
        w[:, 0, :, 0] = weight * np.cos(theta)
        if complex_in:
            w[:, 1, :, 0] = -weight * np.sin(theta)
        return w.reshape(n_in * c_in, length)
    bins = length // 2 + 1 if onesided else length
    used = min(n_in, length)  # samples past dft_length are dropped, missing ones are zero
    j = np.arange(used)[:, None]
    k = np.arange(bins)[None, :]
    theta = 2 * np.pi * j * k / length
    sign, scale = (1.0, 1.0 / length) if inverse else (-1.0, 1.0)
    cos, sin = np.cos(theta) * scale, sign * np.sin(theta) * scale
    w = np.zeros((n_in, c_in, bins, 2))
    w[:used, 0, :, 0], w[:used, 0, :, 1] = cos, sin  # real input part
    if complex_in:
        w[:used, 1, :, 0], w[:used, 1, :, 1] = -sin, cos  # i * (cos + i sin)
    return w.reshape(n_in * c_in, bins * 2)


def _apply(n: OnnxNode, x: Value, matrix: np.ndarray) -> Value:
    """float(x) @ matrix over the last axis, computed in float64."""
    x64 = n.tmp("Cast", [x], ew.Cast(DType.FLOAT64)) if x.dtype is not DType.FLOAT64 else x
    y = n.tmp("Gemm", [x64, n.const_value(matrix.astype(np.float64), "matrix")], linalg.Gemm())
    return y if x.dtype is DType.FLOAT64 else n.tmp("Cast", [y], ew.Cast(x.dtype))


@converter("DFT", since=17)
def _dft(n: OnnxNode) -> None:
    x = n.need(0, "input")
    length = n.scalar(1, "dft_length")
    if n.opset >= 20:
        axis = n.scalar(2, "axis")
        axis = -2 if axis is None else int(axis)
    else:
        axis = n.attrs.int("axis", 1)
    inverse, onesided = bool(n.attrs.int("inverse", 0)), bool(n.attrs.int("onesided", 0))
    axis = norm_axis(axis, x.rank, "DFT")
    if axis == x.rank - 1 or x.shape[-1] not in (1, 2):
        raise n.fail(
            f"needs a last axis of 1 (real) or 2 (complex) and another signal axis, got {x.shape}"
        )
    signal = x.shape[axis]
    length = signal if length is None else int(length)
    if inverse and onesided:
        length = 2 * (signal - 1) if n.input(1) is None else length
    perm = tuple(i for i in range(x.rank - 1) if i != axis) + (axis, x.rank - 1)
    moved = n.tmp("Transpose", [x], t.Transpose(perm)) if perm != tuple(range(x.rank)) else x
    lead = moved.shape[:-2]
    flat = n.tmp("Reshape", [moved], t.Reshape((*lead, signal * x.shape[-1])))
    matrix = dft_matrix(signal, x.shape[-1] == 2, length, onesided, inverse)
    y = _apply(n, flat, matrix)
    c_out = 1 if inverse and onesided else 2
    y = n.tmp("Reshape", [y], t.Reshape((*lead, matrix.shape[1] // c_out, c_out)))
    back = tuple(int(i) for i in np.argsort(perm))
    n.bind(n.tmp("Transpose", [y], t.Transpose(back)) if perm != tuple(range(x.rank)) else y)


@converter("STFT", since=17)
def _stft(n: OnnxNode) -> None:
    x, window = n.need(0, "signal"), n.input(2)
    step = int(n.need_scalar(1, "frame_step"))
    size = n.scalar(3, "frame_length")
    size = window.shape[0] if size is None and window is not None else size
    if size is None:
        raise n.fail("needs a window or a frame_length")
    size, onesided = int(size), bool(n.attrs.int("onesided", 1))
    batch, total, comp = x.shape
    frames = (total - size) // step + 1
    starts = np.arange(frames)[:, None] * step + np.arange(size)[None, :]
    framed = n.tmp("Gather", [x, n.const_value(starts.astype(np.int64), "frames")], t.Gather(1))
    if window is not None:  # [batch, frames, size, comp] * window per sample
        shaped = n.tmp("Reshape", [window], t.Reshape((1, 1, size, 1)))
        framed = n.tmp(
            "Mul",
            [
                framed,
                n.tmp("Cast", [shaped], ew.Cast(x.dtype)) if shaped.dtype != x.dtype else shaped,
            ],
        )
    flat = n.tmp("Reshape", [framed], t.Reshape((batch, frames, size * comp)))
    matrix = dft_matrix(size, comp == 2, size, onesided, False)
    y = _apply(n, flat, matrix)
    n.bind(n.tmp("Reshape", [y], t.Reshape((batch, frames, matrix.shape[1] // 2, 2))))


@converter("Col2Im")
def _col2im(n: OnnxNode) -> None:
    x = n.need(0, "input")
    image = [int(d) for d in n.need_const(1, "image_shape")]
    block = [int(d) for d in n.need_const(2, "block_shape")]
    k = len(image)
    dil = n.attrs.ints("dilations", None) or (1,) * k
    pads = n.attrs.ints("pads", None) or (0,) * (2 * k)
    strides = n.attrs.ints("strides", None) or (1,) * k
    counts = [
        (image[i] + pads[i] + pads[k + i] - dil[i] * (block[i] - 1) - 1) // strides[i] + 1
        for i in range(k)
    ]
    kernel, slots = math.prod(block), math.prod(counts)
    batch, rows, cols = x.shape
    if rows % kernel or cols != slots:
        raise n.fail(f"input {x.shape} does not match block {block} and {slots} block positions")
    offs = np.indices(block).reshape(k, -1).T  # [kernel, k]
    where = np.indices(counts).reshape(k, -1).T  # [slots, k]
    coord = (
        where[None, :, :] * np.array(strides)
        - np.array(pads[:k])
        + offs[:, None, :] * np.array(dil)
    )
    inside = np.all((coord >= 0) & (coord < np.array(image)), axis=-1)  # [kernel, slots]
    target = np.ravel_multi_index(
        tuple(np.moveaxis(np.where(inside[..., None], coord, 0), -1, 0)), image
    )
    matrix = np.zeros((kernel * slots, math.prod(image)), x.dtype.np)
    np.add.at(
        matrix,
        (np.arange(kernel * slots)[inside.reshape(-1)], target.reshape(-1)[inside.reshape(-1)]),
        1,
    )
    channels = rows // kernel
    flat = n.tmp("Reshape", [x], t.Reshape((batch, channels, kernel * slots)))
    y = n.tmp("Gemm", [flat, n.const_value(matrix, "scatter")], linalg.Gemm())
    n.bind(n.tmp("Reshape", [y], t.Reshape((batch, channels, *image))))
