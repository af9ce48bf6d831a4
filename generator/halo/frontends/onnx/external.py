"""Safe loading of ONNX external data: every file must lie inside the model's folder."""

from __future__ import annotations

import os
from pathlib import Path

import onnx

from halo.errors import ModelError


def _entries(t: onnx.TensorProto) -> dict[str, str]:
    return {e.key: e.value for e in t.external_data}


def resolve_location(model_dir: Path, tensor: onnx.TensorProto) -> Path:
    location = _entries(tensor).get("location", "")
    hint = "keep external data files inside the model's folder and refer to them by relative path"
    if not location:
        raise ModelError(f"initializer '{tensor.name}' is external but names no location")
    if os.path.isabs(location) or Path(location).drive:
        raise ModelError(
            f"initializer '{tensor.name}' points to the absolute path {location}", hint=hint
        )
    base = model_dir.resolve()
    target = (base / location).resolve()  # follows symlinks
    if base != target and base not in target.parents:
        raise ModelError(
            f"initializer '{tensor.name}' points outside the model's folder: {location}", hint=hint
        )
    if not target.is_file():
        raise ModelError(
            f"external data file {location} of initializer '{tensor.name}' is missing",
            hint="copy the data file next to the model",
        )
    return target


def load_external(model_dir: Path, model: onnx.ModelProto) -> list[Path]:
    """Read every external initializer into the model; return the data files (for depfiles)."""
    files: set[Path] = set()
    for t in model.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        path = resolve_location(model_dir, t)
        entries = _entries(t)
        offset, length = int(entries.get("offset", 0)), entries.get("length")
        size = path.stat().st_size
        n = size - offset if length is None else int(length)
        if offset < 0 or n < 0 or offset + n > size:
            raise ModelError(
                f"external data of '{t.name}' ({offset}+{n} bytes) runs past the end "
                f"of {path.name} ({size} bytes)",
                hint="the data file is truncated",
            )
        with path.open("rb") as f:
            f.seek(offset)
            t.raw_data = f.read(n)
        del t.external_data[:]
        t.data_location = onnx.TensorProto.DEFAULT
        files.add(path)
    return sorted(files)
