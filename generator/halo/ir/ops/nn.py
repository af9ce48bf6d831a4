"""Neural-network ops on channels-first tensors: conv, pooling, normalization, softmax, resize."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from halo.ir.dtype import FLOAT_DTYPES, DType
from halo.ir.graph import Node, Shape, Value
from halo.ir.ops.registry import (
    InPlace,
    Layout,
    Perm,
    TypeShape,
    fail,
    flops_rule,
    identity_rule,
    norm_axis,
    permute_rule,
    register_op,
)

Ints = tuple[int, ...]


@dataclass(frozen=True)
class Conv:
    group: int
    strides: Ints
    dilations: Ints
    pads_begin: Ints
    pads_end: Ints


@dataclass(frozen=True)
class ConvTranspose:
    group: int
    strides: Ints
    dilations: Ints
    pads_begin: Ints
    pads_end: Ints
    output_padding: Ints


@dataclass(frozen=True)
class Pool:
    kernel: Ints
    strides: Ints
    dilations: Ints
    pads_begin: Ints
    pads_end: Ints
    ceil_mode: bool
    count_include_pad: bool = False  # AveragePool only


@dataclass(frozen=True)
class Norm:
    """BatchNormalization / InstanceNormalization: epsilon only."""

    epsilon: float


@dataclass(frozen=True)
class LayerNorm:
    axis: int  # normalize over axes [axis, rank)
    epsilon: float


@dataclass(frozen=True)
class LRN:
    size: int
    alpha: float
    beta: float
    bias: float


@dataclass(frozen=True)
class Axis:
    """Softmax, LogSoftmax, Hardmax."""

    axis: int


@dataclass(frozen=True)
class Resize:
    sizes: Ints
    scales: tuple[float, ...]
    mode: str  # nearest | linear | cubic
    coordinate_mode: str
    nearest_mode: str
    cubic_coeff_a: float
    exclude_outside: bool
    extrapolation_value: float


def _spatial(op: str, x: Value, n: int) -> Shape:
    if x.rank != n + 2:
        raise fail(op, f"expects a rank-{n + 2} channels-first input", [x])
    return x.shape[2:]


def _check_lens(op: str, n: int, **fields: Ints) -> None:
    for k, v in fields.items():
        if len(v) != n:
            raise fail(op, f"{k} has {len(v)} entries, expected {n} (one per spatial axis)")


def _check_positive(op: str, **fields: Ints) -> None:
    for k, v in fields.items():
        if min(v, default=1) <= 0:
            raise fail(op, f"{k} {list(v)} must be positive")


def _check_window(op: str, a: Conv | ConvTranspose, w: Value) -> int:
    """The number of spatial axes of a conv with weights ``w``, after checking the attributes."""
    if w.rank < 3:
        raise fail(op, f"expects weights of rank >= 3, got {list(w.shape)}", [w])
    n = w.rank - 2
    _check_lens(
        op, n, strides=a.strides, dilations=a.dilations, pads=a.pads_begin, pads_end=a.pads_end
    )
    _check_positive(op, strides=a.strides, dilations=a.dilations, group=(a.group,))
    if min(a.pads_begin + a.pads_end, default=0) < 0:
        raise fail(op, f"pads {list(a.pads_begin + a.pads_end)} must not be negative")
    return n


@register_op("Conv", Conv, inputs=(2, 3), dtypes=FLOAT_DTYPES)
def _conv(a: Conv, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, w = ins[0], ins[1]
    assert x is not None and w is not None
    n = _check_window("Conv", a, w)
    spatial = _spatial("Conv", x, n)
    if x.shape[1] != w.shape[1] * a.group or w.shape[0] % a.group:
        raise fail("Conv", f"channels do not match the weights with group={a.group}", ins)
    out = []
    for i in range(n):
        span = (w.shape[2 + i] - 1) * a.dilations[i] + 1
        size = (spatial[i] + a.pads_begin[i] + a.pads_end[i] - span) // a.strides[i] + 1
        if size <= 0:
            raise fail("Conv", f"the kernel does not fit into spatial axis {i}", ins)
        out.append(size)
    return [(x.dtype, (x.shape[0], w.shape[0], *out))]


@register_op("ConvTranspose", ConvTranspose, inputs=(2, 3), dtypes=FLOAT_DTYPES)
def _deconv(a: ConvTranspose, ins: Sequence[Value | None]) -> list[TypeShape]:
    x, w = ins[0], ins[1]
    assert x is not None and w is not None
    n = _check_window("ConvTranspose", a, w)
    _check_lens("ConvTranspose", n, output_padding=a.output_padding)
    spatial = _spatial("ConvTranspose", x, n)
    if x.shape[1] != w.shape[0] or w.shape[0] % a.group:
        raise fail("ConvTranspose", "input channels do not match the weights", ins)
    out = []
    for i in range(n):
        span = (w.shape[2 + i] - 1) * a.dilations[i] + 1
        size = (spatial[i] - 1) * a.strides[i] + a.output_padding[i] + span
        out.append(size - a.pads_begin[i] - a.pads_end[i])
    if min(out, default=1) <= 0:
        raise fail("ConvTranspose", f"the output would have the empty shape {out}", ins)
    return [(x.dtype, (x.shape[0], w.shape[1] * a.group, *out))]


def pool_output_size(size: int, k: int, s: int, d: int, pb: int, pe: int, ceil: bool) -> int:
    span = (k - 1) * d + 1
    num = size + pb + pe - span
    out = -(-num // s) + 1 if ceil else num // s + 1
    if ceil and (out - 1) * s >= size + pb:
        out -= 1  # the last window would start inside the end padding
    return out


def _pool(op: str, dtypes: Sequence[DType], monotone: bool) -> None:
    @register_op(op, Pool, inputs=1, dtypes=dtypes, monotone=monotone)
    def infer(a: Pool, ins: Sequence[Value | None]) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        n = len(a.kernel)
        spatial = _spatial(op, x, n)
        _check_lens(
            op, n, strides=a.strides, dilations=a.dilations, pads=a.pads_begin, pads_end=a.pads_end
        )
        _check_positive(op, kernel=a.kernel, strides=a.strides, dilations=a.dilations)
        out = [
            pool_output_size(
                spatial[i],
                a.kernel[i],
                a.strides[i],
                a.dilations[i],
                a.pads_begin[i],
                a.pads_end[i],
                a.ceil_mode,
            )
            for i in range(n)
        ]
        if min(out, default=1) <= 0:
            raise fail(op, "the window does not fit into the input", ins)
        return [(x.dtype, (*x.shape[:2], *out))]


_pool("MaxPool", (*FLOAT_DTYPES, DType.INT8, DType.UINT8), monotone=True)
_pool("AveragePool", FLOAT_DTYPES, monotone=False)


@register_op("BatchNormalization", Norm, inputs=5, dtypes=FLOAT_DTYPES, inplace=InPlace.FIRST)
def _bn(a: Norm, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    if x.rank < 2 or any(v is None or v.shape != (x.shape[1],) for v in ins[1:]):
        raise fail(
            "BatchNormalization", "scale/bias/mean/var must be vectors of the channel count", ins
        )
    return [(x.dtype, x.shape)]


@register_op("InstanceNormalization", Norm, inputs=3, dtypes=FLOAT_DTYPES)
def _in(a: Norm, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    if x.rank < 3:
        raise fail("InstanceNormalization", "expects rank >= 3", ins)
    return [(x.dtype, x.shape)]


@register_op("LayerNormalization", LayerNorm, inputs=(1, 3), dtypes=FLOAT_DTYPES)
def _ln(a: LayerNorm, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    axis = norm_axis(a.axis, x.rank, "LayerNormalization")
    for v in ins[1:]:
        if v is not None and v.size != x.size // max(1, _prod(x.shape[:axis])):
            raise fail("LayerNormalization", "scale/bias must cover the normalized axes", ins)
    return [(x.dtype, x.shape)]


def _prod(dims: Sequence[int]) -> int:
    p = 1
    for d in dims:
        p *= d
    return p


@register_op("LRN", LRN, inputs=1, dtypes=FLOAT_DTYPES)
def _lrn(a: LRN, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    return [(x.dtype, x.shape)]


for _op in ("Softmax", "LogSoftmax", "Hardmax"):

    @register_op(
        _op,
        Axis,
        inputs=1,
        dtypes=FLOAT_DTYPES,
        layout=Layout.FIRST,
        inplace=InPlace.NONE if _op == "Hardmax" else InPlace.FIRST,
    )
    def _softmax(a: Axis, ins: Sequence[Value | None], _op: str = _op) -> list[TypeShape]:
        x = ins[0]
        assert x is not None
        norm_axis(a.axis, x.rank, _op)
        return [(x.dtype, x.shape)]


@register_op(
    "Resize", Resize, inputs=1, dtypes=(*FLOAT_DTYPES, DType.INT8, DType.UINT8, DType.INT32)
)
def _resize(a: Resize, ins: Sequence[Value | None]) -> list[TypeShape]:
    x = ins[0]
    assert x is not None
    if len(a.sizes) != x.rank or len(a.scales) != x.rank:
        raise fail("Resize", "sizes/scales need one entry per axis", ins)
    return [(x.dtype, a.sizes)]


# --- facts -----------------------------------------------------------------------------------


def _volume(dims: Sequence[int]) -> int:
    return int(np.prod(dims, dtype=np.int64))


@flops_rule("Conv")
def _conv_flops(n: Node) -> int:
    return 2 * n.outputs[0].size * _volume(n.operand(1).shape[1:])  # C_in/group * kernel


@flops_rule("ConvTranspose")
def _conv_transpose_flops(n: Node) -> int:
    return 2 * n.operand(0).size * _volume(n.operand(1).shape[1:])


@flops_rule("MaxPool", "AveragePool")
def _pool_flops(n: Node) -> int:
    return n.outputs[0].size * _volume(n.attrs.kernel)


@flops_rule("Softmax", "LogSoftmax", "LayerNormalization")
def _normalize_flops(n: Node) -> int:
    return 5 * n.operand(0).size


@identity_rule("Resize")
def _resize_identity(n: Node) -> bool:
    return all(s == 1.0 for s in n.attrs.scales)


@permute_rule("Softmax", "LogSoftmax", "Hardmax")
def _axis_permuted(a: Axis, p: Perm) -> tuple[Axis, Perm]:
    return replace(a, axis=p[a.axis % len(p)]), p
