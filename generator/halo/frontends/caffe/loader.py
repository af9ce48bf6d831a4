"""Read a Caffe net (.prototxt + .caffemodel) into the IR."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from google.protobuf.message import Message

from halo.errors import ModelError, OptionError, UnsupportedError
from halo.frontends.base import GraphBuilder, ImportOptions
from halo.frontends.caffe.context import CaffeLayer, ImportState, input_shape
from halo.frontends.caffe.proto import message_class
from halo.frontends.caffe.reader import included, read_net, read_weights
from halo.frontends.caffe.registry import CONVERTERS
from halo.ir.dtype import DType
from halo.ir.graph import Graph, Shape

NetState = message_class("NetState")
TEST_PHASE = 1


def weights_path(model: Path, options: ImportOptions) -> Path | None:
    """--weights, else ``<model stem>.caffemodel`` next to the .prototxt when it exists."""
    if options.weights is not None:
        return Path(options.weights)
    sibling = model.with_suffix(".caffemodel")
    return sibling if sibling.is_file() else None


def test_layers(net: Message) -> list[Message]:
    """The layers of the TEST-phase net (NetStateRule include/exclude filtering)."""
    state = NetState(phase=TEST_PHASE, level=net.state.level, stage=list(net.state.stage))
    return [layer for layer in net.layer if included(layer, state)]


def check_supported(layers: list[Message]) -> None:
    missing: dict[str, list[str]] = defaultdict(list)
    for i, layer in enumerate(layers):
        if CONVERTERS.find(layer.type) is None:
            missing[layer.type or "(no type)"].append(layer.name or f"#{i}")
    if missing:
        lines = [
            f"  {t} x{len(names)}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}"
            for t, names in sorted(missing.items())
        ]
        raise UnsupportedError(
            f"the net uses {len(missing)} unsupported layer type(s):\n" + "\n".join(lines),
            hint="supported Caffe layers: "
            + ", ".join(CONVERTERS.names())
            + " (compile the deploy net, not train_val)",
        )


def _legacy_inputs(net: Message) -> list[tuple[str, Shape]]:
    """Inputs declared by the net's ``input`` with ``input_shape`` or ``input_dim``."""
    names = list(net.input)
    if net.input_shape:
        if len(net.input_shape) != len(names):
            raise ModelError(
                f"the net declares {len(names)} input(s) but {len(net.input_shape)} input_shape(s)"
            )
        return [(n, tuple(int(d) for d in s.dim)) for n, s in zip(names, net.input_shape)]
    dims = [int(d) for d in net.input_dim]
    if len(dims) != 4 * len(names):
        raise ModelError(
            f"the net declares {len(names)} input(s) but {len(dims)} input_dim values "
            "(4 per input)",
            hint="give each input an input_shape",
        )
    return [(n, tuple(dims[4 * i : 4 * i + 4])) for i, n in enumerate(names)]


def net_outputs(net_inputs: list[str], layers: list[Message]) -> list[str]:
    """Caffe's rule: blobs produced and not consumed afterwards, in name order."""
    available = set(net_inputs)
    for layer in layers:
        available.difference_update(layer.bottom)
        available.update(layer.top)
    return sorted(available)


def load(path: Path, options: ImportOptions) -> Graph:
    net = read_net(path)
    wpath = weights_path(path, options)
    weights = read_weights(wpath) if wpath is not None else None
    layers = test_layers(net)
    check_supported(layers)
    last_writer = {top: i for i, layer in enumerate(layers) for top in layer.top}
    state = ImportState(
        GraphBuilder(net.name or path.stem),
        options,
        weights,
        wpath.name if wpath else "",
        last_writer,
    )
    legacy = _legacy_inputs(net)
    declared = [n for n, _ in legacy] + [t for ly in layers if ly.type == "Input" for t in ly.top]
    unknown = set(options.input_shapes) - set(declared)
    if unknown:
        raise OptionError(
            f"--input-shape names unknown input(s): {', '.join(sorted(unknown))}",
            hint="net inputs: " + (", ".join(declared) or "none"),
        )
    for name, shape in legacy:
        state.blobs[name] = state.b.add_input(
            name, DType.FLOAT32, input_shape(name, shape, options)
        )
    for i, layer in enumerate(layers):
        view = CaffeLayer(state, layer, i)
        converter = CONVERTERS.find(layer.type)
        assert converter is not None
        converter(view)
        view.finish()
    graph = state.b.graph
    graph.outputs = [
        state.blobs[n] for n in net_outputs([n for n, _ in legacy], layers) if n in state.blobs
    ]
    if not graph.outputs:
        raise ModelError(f"{path.name} has no outputs: every blob is consumed by a later layer")
    graph.source_files = [path, *([wpath] if wpath else [])]
    return graph
