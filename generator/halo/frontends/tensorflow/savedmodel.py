"""SavedModel directories: freeze the serving signature into a GraphDef with constant weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf
from tensorflow.core.framework import graph_pb2
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from halo.errors import ModelError

SERVING_KEY = "serving_default"


@dataclass
class FrozenModel:
    """A GraphDef with constant weights and, for SavedModels, its signature's inputs/outputs."""

    graph_def: graph_pb2.GraphDef
    inputs: list[str]  # tensor names ("x:0") of the signature's placeholders
    outputs: list[str]  # tensor names of the signature's outputs, in signature order
    output_names: list[str]  # the signature's output keys (or the tensor names)
    files: list[Path]  # saved_model.pb and the variables files, for depfiles


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def freeze_saved_model(directory: Path) -> FrozenModel:
    if not (directory / "saved_model.pb").is_file():
        raise ModelError(
            f"{directory} is a directory without saved_model.pb",
            hint="pass a SavedModel directory or a frozen GraphDef .pb file",
        )
    try:
        loaded = tf.saved_model.load(str(directory))
    # TensorFlow reports unreadable SavedModels through many exception types (OSError, ValueError,
    # its own OpError family, protobuf DecodeError, ...): all mean "this SavedModel is unusable".
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(
            f"TensorFlow cannot load the SavedModel {directory.name}: {first}",
            hint="the directory is incomplete or corrupt; export it again",
        ) from None
    signatures = dict(loaded.signatures)
    if SERVING_KEY in signatures:
        func = signatures[SERVING_KEY]
    elif len(signatures) == 1:
        func = next(iter(signatures.values()))
    else:
        raise ModelError(
            f"the SavedModel {directory.name} has no '{SERVING_KEY}' signature "
            f"(it has: {', '.join(sorted(signatures)) or 'none'})",
            hint="export the model with a serving signature, e.g. tf.saved_model.save(m, d, "
            "signatures=m.__call__.get_concrete_function(spec))",
        )
    frozen = convert_variables_to_constants_v2(func)
    inputs = [t.name for t in frozen.inputs if t.dtype != tf.resource]
    outputs = [t.name for t in frozen.outputs]
    structure = func.structured_outputs
    names = sorted(structure) if isinstance(structure, dict) else [o.split(":")[0] for o in outputs]
    if len(names) != len(outputs):
        names = [o.split(":")[0] for o in outputs]
    return FrozenModel(frozen.graph.as_graph_def(), inputs, outputs, names, _files(directory))
