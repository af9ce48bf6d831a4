"""Reading Caffe files: the net (.prototxt, text format), the weights (.caffemodel, binary) and
weight blobs; every parser failure becomes a ModelError that says where and what to do."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from google.protobuf import text_format
from google.protobuf.message import DecodeError, Message

from halo.errors import ModelError
from halo.frontends.caffe.proto import NetParameter

_LEGACY_LAYERS = re.compile(r"^\s*layers\s*\{", re.MULTILINE)
_UPGRADE_HINT = (
    "upgrade the net with Caffe's tools/upgrade_net_proto_text (and the weights with "
    "upgrade_net_proto_binary)"
)


def read_net(path: Path) -> Message:
    """Parse a .prototxt; syntax errors are reported with line and column."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelError(
            f"{path.name} is not a text file (byte {e.start} is not UTF-8)",
            hint="pass the .prototxt as the model and the binary .caffemodel with --weights",
        ) from None
    if _LEGACY_LAYERS.search(text):
        raise ModelError(f"{path.name} uses the legacy V1 'layers' format", hint=_UPGRADE_HINT)
    net = NetParameter()
    try:
        text_format.Parse(text, net)
    except text_format.ParseError as e:
        line, col = e.GetLine(), e.GetColumn()
        where = f"{path.name}:{line}:{col}" if line is not None else path.name
        detail = str(e).split(" : ", 1)[-1]
        raise ModelError(
            f"{where}: the Caffe net does not parse: {detail}",
            hint="fix the syntax there; HALO knows the fields of BVLC Caffe layers, "
            "SSD's Normalize/Permute/PriorBox/DetectionOutput and Upsample",
        ) from None
    return net


def read_weights(path: Path) -> dict[str, list[Message]]:
    """Layer name -> weight blobs of a binary .caffemodel (``layer`` and legacy ``layers``)."""
    if not path.is_file():
        raise ModelError(f"weights file {path} does not exist", hint="check the --weights path")
    data = path.read_bytes()
    if not data:
        raise ModelError(f"weights file {path.name} is empty", hint="the file is truncated")
    net = NetParameter()
    try:
        net.ParseFromString(data)
    except (DecodeError, RuntimeWarning, ValueError) as e:
        raise ModelError(
            f"{path.name} is not a valid .caffemodel: the protobuf does not parse ({e})",
            hint="the file is truncated or corrupt, or not a binary Caffe model",
        ) from None
    return {layer.name: list(layer.blobs) for layer in [*net.layer, *net.layers] if layer.blobs}


def blob_shape(blob: Message) -> tuple[tuple[int, ...], bool]:
    """The blob's shape and whether it is the legacy num/channels/height/width form."""
    if blob.HasField("shape"):
        return tuple(int(d) for d in blob.shape.dim), False
    return (int(blob.num), int(blob.channels), int(blob.height), int(blob.width)), True


def blob_array(blob: Message, what: str) -> np.ndarray:
    """The blob's data with its own shape (float32)."""
    shape, legacy = blob_shape(blob)
    values = blob.data if len(blob.data) else blob.double_data
    count = int(np.prod(shape, dtype=np.int64))
    if legacy and count == 0 and len(values):
        shape, count = (len(values),), len(values)
    if len(values) != count:
        raise ModelError(
            f"{what} declares shape {list(shape)} ({count} values) but holds {len(values)} values",
            hint="the weights file is corrupt",
        )
    return np.asarray(values, dtype=np.float32).reshape(shape)


def check_blob(blob: Message, expected: tuple[int, ...], what: str) -> np.ndarray:
    """The blob as an array of shape ``expected``; Caffe's rules for legacy 4-D shapes apply."""
    array = blob_array(blob, what)
    shape, legacy = blob_shape(blob)
    if legacy and len(expected) <= 4:
        ok = tuple([1] * (4 - len(expected)) + list(expected)) == shape or array.shape == expected
    else:
        ok = array.shape == tuple(expected)
    if not ok:
        raise ModelError(
            f"{what} has shape {list(shape)}, but the layer needs {list(expected)}",
            hint="the .caffemodel does not belong to this .prototxt, or the "
            "input shape differs from the one the net was trained with",
        )
    return array.reshape(expected)


def included(layer: Message, state: Message) -> bool:
    """Caffe's NetStateRule filtering for a TEST-phase net with the net's level and stages."""
    if layer.include:
        return any(_rule_met(r, state) for r in layer.include)
    return not any(_rule_met(r, state) for r in layer.exclude)


def _rule_met(rule: Message, state: Message) -> bool:
    if rule.HasField("phase") and rule.phase != state.phase:
        return False
    if rule.HasField("min_level") and state.level < rule.min_level:
        return False
    if rule.HasField("max_level") and state.level > rule.max_level:
        return False
    stages = set(state.stage)
    return all(s in stages for s in rule.stage) and not any(s in stages for s in rule.not_stage)
