"""Shared attribute handling of TensorFlow's spatial ops: data_format, strides, padding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from halo.frontends.rules import same_pads
from halo.frontends.tensorflow.context import TfNode

Ints = tuple[int, ...]
T = TypeVar("T")
_CHANNELS_LAST = {3: "NWC", 4: "NHWC", 5: "NDHWC"}
_CHANNELS_FIRST = {3: "NCW", 4: "NCHW", 5: "NCDHW"}


def channels_last(n: TfNode, rank: int) -> bool:
    """Whether the node's data_format puts channels last (the TensorFlow default)."""
    fmt = n.attrs.str("data_format", _CHANNELS_LAST.get(rank, "NHWC"))
    if fmt == _CHANNELS_LAST.get(rank):
        return True
    if fmt == _CHANNELS_FIRST.get(rank):
        return False
    raise n.fail(
        f"data_format '{fmt}' is not supported for rank-{rank} data",
        f"use {_CHANNELS_LAST.get(rank, 'NHWC')} or {_CHANNELS_FIRST.get(rank, 'NCHW')}",
    )


def spatial_of(
    n: TfNode, name: str, values: Sequence[T], rank: int, last: bool, neutral: object = 1
) -> tuple[T, ...]:
    """The spatial entries of a per-dimension attribute (strides, ksize, dilations, paddings).

    The batch and channel entries must be ``neutral``: TensorFlow cannot stride over them either.
    """
    if len(values) != rank:
        raise n.fail(f"'{name}' has {len(values)} entries, expected {rank}")
    batch, channel = values[0], values[-1] if last else values[1]
    if batch != neutral or channel != neutral:
        raise n.fail(
            f"'{name}' = {list(values)} acts on the batch or channel axis",
            "only spatial strides, windows and dilations are supported",
        )
    return tuple(values[1:-1]) if last else tuple(values[2:])


def pads(
    n: TfNode,
    sizes: Ints,
    kernel: Ints,
    strides: Ints,
    dilations: Ints,
    rank: int,
    last: bool,
    explicit_allowed: bool = True,
) -> tuple[Ints, Ints]:
    """pads_begin / pads_end of the spatial axes from ``padding`` (+ ``explicit_paddings``)."""
    padding = n.attrs.str("padding")
    explicit = n.attrs.ints("explicit_paddings", ()) if explicit_allowed else ()
    if padding == "VALID":
        return (0,) * len(sizes), (0,) * len(sizes)
    if padding == "SAME":
        return same_pads(sizes, kernel, strides, dilations)
    if padding == "EXPLICIT" and explicit_allowed:
        pairs = spatial_of(
            n,
            "explicit_paddings",
            tuple(zip(explicit[::2], explicit[1::2])),
            rank,
            last,
            neutral=(0, 0),
        )
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    raise n.fail(f"padding '{padding}' is not supported", "use SAME, VALID or EXPLICIT")


def spatial_sizes(shape: Ints, last: bool) -> Ints:
    return tuple(shape[1:-1]) if last else tuple(shape[2:])
