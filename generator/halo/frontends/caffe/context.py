"""The state of one Caffe import and the view a converter gets of its layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from google.protobuf.message import Message

from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends.base import GraphBuilder, ImportOptions
from halo.frontends.caffe.reader import check_blob
from halo.ir.graph import Shape, Value, constant
from halo.ir.ops import tensor

# Settings that only matter for training, for picking an implementation, or for side outputs
# (DetectionOutput's files and on-screen display): they do not change a layer's result.
_IGNORED = {
    "weight_filler",
    "bias_filler",
    "filler",
    "scale_filler",
    "engine",
    "force_nd_im2col",
    "moving_average_fraction",
    "stable_prod_grad",
    "save_output_param",
    "visualize",
    "visualize_threshold",
    "save_file",
}
# LayerParameter fields every layer may set; any other one must be read by the converter.
_COMMON = {
    "name",
    "type",
    "bottom",
    "top",
    "phase",
    "loss_weight",
    "param",
    "blobs",
    "propagate_down",
    "include",
    "exclude",
}


def input_shape(name: str, declared: Shape, options: ImportOptions) -> Shape:
    """An input's shape: the net's, or the one --input-shape gives (same rank)."""
    shape = options.input_shapes.get(name)
    if shape is None:
        if not declared or any(d <= 0 for d in declared):
            raise OptionError(
                f"input '{name}' has no static shape ({list(declared)})",
                hint=f"give it one with --input-shape {name}:1x3x224x224",
            )
        return declared
    if declared and len(shape) != len(declared):
        raise OptionError(
            f"--input-shape {name}: rank {len(shape)} does not match the net's "
            f"rank {len(declared)} {list(declared)}"
        )
    return tuple(shape)


class Params:
    """A layer's parameter message; reading a field marks it as understood."""

    def __init__(self, layer: CaffeLayer, field: str) -> None:
        self._layer, self._field = layer, field
        self._msg: Message = getattr(layer.proto, field)
        self._read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        self._read.add(name)
        return getattr(self._msg, name)

    def has(self, name: str) -> bool:
        self._read.add(name)
        return self._msg.HasField(name)

    def check_all_read(self) -> None:
        unknown = sorted(
            f.name
            for f, _ in self._msg.ListFields()
            if f.name not in self._read and f.name not in _IGNORED
        )
        if unknown:
            raise self._layer.fail(
                f"{self._field} sets {', '.join(unknown)}, which HALO does not "
                "support for this layer",
                hint=f"supported: {', '.join(sorted(self._read)) or 'none'}",
            )


class ImportState:
    """Blob name -> current Value, the weights, and the builder, for one net."""

    def __init__(
        self,
        builder: GraphBuilder,
        options: ImportOptions,
        weights: dict[str, list[Message]] | None,
        weights_name: str,
        last_writer: dict[str, int],
    ) -> None:
        self.b = builder
        self.options = options
        self.weights = weights
        self.weights_name = weights_name
        self.blobs: dict[str, Value] = {}
        self.last_writer = last_writer  # blob -> index of the last layer writing it


class CaffeLayer:
    """What a converter sees: typed parameters, bottoms, weights and helpers to emit IR."""

    def __init__(self, state: ImportState, proto: Message, index: int) -> None:
        self.state, self.proto, self.index = state, proto, index
        self.type: str = proto.type
        self.name: str = proto.name or f"{proto.type}_{index}"
        self.b = state.b
        self._params: dict[str, Params] = {}

    def params(self, field: str) -> Params:
        if field not in self._params:
            self._params[field] = Params(self, field)
        return self._params[field]

    def fail(self, msg: str, hint: str = "") -> UnsupportedError:
        return UnsupportedError(f"{self.type} layer '{self.name}': {msg}", hint=hint)

    def error(self, msg: str, hint: str = "") -> ModelError:
        return ModelError(f"{self.type} layer '{self.name}': {msg}", hint=hint)

    def expect(self, bottoms: tuple[int, int], tops: tuple[int, int] = (1, 1)) -> None:
        nb, nt = len(self.proto.bottom), len(self.proto.top)
        if not bottoms[0] <= nb <= bottoms[1] or not tops[0] <= nt <= tops[1]:
            raise self.error(
                f"has {nb} bottom(s) and {nt} top(s); expected {bottoms[0]}..{bottoms[1]}"
                f" bottom(s) and {tops[0]}..{tops[1]} top(s)"
            )

    def bottoms(self) -> list[Value]:
        out = []
        for name in self.proto.bottom:
            v = self.state.blobs.get(name)
            if v is None:
                raise self.error(
                    f"reads blob '{name}', which no earlier layer or input produces",
                    hint="Caffe nets are ordered: define the blob before its use",
                )
            out.append(v)
        return out

    def bottom(self, i: int = 0) -> Value:
        return self.bottoms()[i]

    def num_weights(self) -> int:
        return len(self._blobs())

    def _blobs(self) -> list[Message]:
        w = self.state.weights
        if w is not None and self.name in w:
            return w[self.name]
        return list(self.proto.blobs)

    def weight(self, i: int, shape: Sequence[int], what: str) -> np.ndarray:
        """Weight blob ``i`` as an array of ``shape``; ModelError when missing or mis-shaped."""
        blobs = self._blobs()
        if i >= len(blobs):
            source = self.state.weights_name or "the .prototxt (no weights file given)"
            raise self.error(
                f"has no weight blob {i} ({what}) in {source}",
                hint="pass the matching .caffemodel with --weights"
                if self.state.weights is None
                else "the .caffemodel does not belong to this .prototxt",
            )
        return check_blob(
            blobs[i], tuple(shape), f"{self.type} layer '{self.name}' blob {i} ({what})"
        )

    def const(self, array: np.ndarray | np.generic, hint: str = "c") -> Value:
        return constant(self.b.unique(f"{self.name}_{hint}"), np.asarray(array))

    def tmp(
        self, op: str, inputs: Sequence[Value | None], attrs: Any = None, hint: str = ""
    ) -> Value:
        """Emit an intermediate IR node (auto-named)."""
        return self.b.emit1(op, inputs, attrs, name=f"{self.name}_{hint or op.lower()}")

    def reshape(self, x: Value, shape: Sequence[int]) -> Value:
        return (
            x if tuple(shape) == x.shape else self.tmp("Reshape", [x], tensor.Reshape(tuple(shape)))
        )

    def top_names(self) -> list[str]:
        """A blob's final version takes its Caffe name; earlier (in-place) ones 'blob@layer'."""
        return [
            t if self.state.last_writer.get(t) == self.index else f"{t}@{self.name}"
            for t in self.proto.top
        ]

    def emit(self, op: str, inputs: Sequence[Value | None], attrs: Any = None) -> list[Value]:
        """Emit the IR node producing this layer's tops, and bind them."""
        outs = self.b.emit(op, inputs, attrs, name=self.name, outputs=self.top_names())
        self.bind(*outs)
        return outs

    def bind(self, *values: Value) -> None:
        """Make the layer's tops refer to ``values``."""
        for name, v in zip(self.proto.top, values):
            self.state.blobs[name] = v

    def pass_through(self, x: Value) -> None:
        """Every top is ``x`` unchanged: a no-op Reshape per top keeps the Caffe blob names
        addressable (--outputs); IdentityRemoval drops it after subgraph extraction."""
        for top, name in zip(self.proto.top, self.top_names()):
            self.state.blobs[top] = self.b.emit1(
                "Reshape", [x], tensor.Reshape(x.shape), name=self.name, outputs=[name]
            )

    def finish(self) -> None:
        """Reject parameter fields and parameter messages the converter did not read."""
        for p in self._params.values():
            p.check_all_read()
        for f, _ in self.proto.ListFields():
            if f.name not in _COMMON and f.name not in self._params:
                raise self.fail(f"sets {f.name}, which a {self.type} layer does not take")
