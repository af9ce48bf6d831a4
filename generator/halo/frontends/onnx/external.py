"""Safe loading of ONNX external data: every file must lie inside the model's folder, and no
entry is read before its size is checked against the file and the tensor's shape."""

from __future__ import annotations

import os
from pathlib import Path

import onnx

from halo.errors import ModelError
from halo.frontends.limits import check_tensor_bytes

_HINT = "keep external data files inside the model's folder and refer to them by relative path"


def _entries(t: onnx.TensorProto) -> dict[str, str]:
    return {e.key: e.value for e in t.external_data}


def _inside(base: Path, target: Path) -> bool:
    return base == target or base in target.parents


def resolve_location(model_dir: Path, tensor: onnx.TensorProto) -> Path:
    location = _entries(tensor).get("location", "")
    if not location:
        raise ModelError(f"initializer '{tensor.name}' is external but names no location")
    if "\0" in location:
        raise ModelError(
            f"initializer '{tensor.name}': the location {location!r} holds a NUL byte", hint=_HINT
        )
    if os.path.isabs(location) or Path(location).drive:
        raise ModelError(
            f"initializer '{tensor.name}' points to the absolute path {location}", hint=_HINT
        )
    try:
        base = model_dir.resolve()
        target = (base / location).resolve(strict=False)  # follows symlinks
        is_file = target.is_file()
    except (OSError, RuntimeError) as e:  # a symlink loop, a name too long, ...
        raise ModelError(
            f"external data file {location} of initializer '{tensor.name}' cannot be resolved: "
            f"{getattr(e, 'strerror', None) or e}",
            hint=_HINT,
        ) from None
    if not _inside(base, target):
        raise ModelError(
            f"initializer '{tensor.name}' points outside the model's folder: {location}", hint=_HINT
        )
    if not is_file:
        raise ModelError(
            f"external data file {location} of initializer '{tensor.name}' is missing",
            hint="copy the data file next to the model",
        )
    st = target.stat()
    if st.st_nlink > 1:  # a hard link can make a file outside the folder appear inside it
        raise ModelError(
            f"external data file {location} of initializer '{tensor.name}' has "
            f"{st.st_nlink} hard links; HALO reads only files it can tell lie inside the folder",
            hint="copy the data file into the model's folder instead of hard-linking it",
        )
    return target


def _number(t: onnx.TensorProto, entries: dict[str, str], key: str) -> int | None:
    text = entries.get(key)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ModelError(
            f"external data of '{t.name}': '{key}' is {text!r}, not a byte count",
            hint="the model is malformed; save it again with save_as_external_data=True",
        )
    return value


def _expected_bytes(t: onnx.TensorProto) -> int:
    try:
        itemsize = onnx.helper.tensor_dtype_to_np_dtype(t.data_type).itemsize
    except (KeyError, ValueError, TypeError):
        raise ModelError(
            f"initializer '{t.name}' has the unknown element type code {t.data_type}",
            hint="the model is malformed; re-export it",
        ) from None
    return check_tensor_bytes(f"initializer '{t.name}'", tuple(t.dims), itemsize=itemsize)


def load_external(model_dir: Path, model: onnx.ModelProto) -> list[Path]:
    """Read every external initializer into the model; return the data files (for depfiles)."""
    files: set[Path] = set()
    for t in model.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            continue
        path = resolve_location(model_dir, t)
        entries = _entries(t)
        offset = _number(t, entries, "offset") or 0
        length = _number(t, entries, "length")
        size = path.stat().st_size
        expected = _expected_bytes(t)
        n = expected if length is None else length
        if n != expected:
            raise ModelError(
                f"external data of '{t.name}' is {n} bytes long, but its shape {list(t.dims)} "
                f"needs {expected} bytes",
                hint="the model is malformed; re-export it",
            )
        if offset + n > size:
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
