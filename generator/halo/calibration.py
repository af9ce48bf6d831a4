"""Calibration inputs for ``--quantize int8``: a folder of .npy/.npz files or one .npz."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np

from halo.errors import OptionError
from halo.ir.graph import Graph

Sample = dict[str, np.ndarray]

_FORMATS = (
    "a folder with one .npy file per sample (models with one input) or one .npz per sample "
    "(arrays named after the inputs), or one .npz whose arrays, named after the inputs, stack "
    "the samples along a new first axis"
)


def _read(path: Path) -> np.ndarray | dict[str, np.ndarray]:
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise OptionError(
            f"calibration file {path.name} cannot be read: {e}",
            hint="write it with numpy.save / numpy.savez",
        ) from e


def files(path: Path) -> list[Path]:
    if not path.exists():
        raise OptionError(f"--calibration {path} does not exist", hint=f"give {_FORMATS}")
    if path.is_file():
        if path.suffix != ".npz":
            raise OptionError(f"--calibration {path.name} is not an .npz file", hint=_FORMATS)
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix in (".npy", ".npz"))
    if not files:
        raise OptionError(f"--calibration folder {path} holds no .npy or .npz files", hint=_FORMATS)
    return files


def digest(path: Path) -> str:
    """A short hash of the calibration data (for the generated files' banner)."""
    h = hashlib.sha256()
    for f in files(path):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def load(path: Path, graph: Graph) -> list[Sample]:
    """The samples, each checked against the graph's inputs (names, shapes, dtypes)."""
    names = [v.name for v in graph.inputs]
    found = files(path)
    samples: list[Sample] = []
    if path.is_file():
        arrays = _read(path)
        assert isinstance(arrays, dict)
        _check_names(path.name, arrays, names)
        count = {
            k: _count(path.name, arrays[k], graph.inputs[i].shape) for i, k in enumerate(names)
        }
        if len(set(count.values())) != 1:
            raise OptionError(f"{path.name}: the inputs hold different numbers of samples {count}")
        n = next(iter(count.values()))
        for i in range(n):
            samples.append({k: _sample(arrays[k], v.shape, i) for k, v in zip(names, graph.inputs)})
    else:
        for f in found:
            data = _read(f)
            if isinstance(data, dict):
                _check_names(f.name, data, names)
                samples.append({k: data[k] for k in names})
            elif len(names) != 1:
                raise OptionError(
                    f"calibration file {f.name} holds one array, the model has {len(names)} inputs",
                    hint="write one .npz per sample with an array per input: " + ", ".join(names),
                )
            else:
                samples.append({names[0]: data})
    for i, s in enumerate(samples):
        for v in graph.inputs:
            a = s[v.name]
            if tuple(a.shape) != v.shape:
                raise OptionError(
                    f"calibration sample {i} ({found[min(i, len(found) - 1)].name}): input "
                    f"'{v.name}' has shape {list(a.shape)}, the model takes {list(v.shape)}",
                    hint="give arrays of the input's shape (after any --input-shape)",
                )
            if a.dtype.kind not in "fiub":
                raise OptionError(f"calibration input '{v.name}' has dtype {a.dtype}, not numbers")
            s[v.name] = a.astype(v.dtype.np)
    if not samples:
        raise OptionError(f"--calibration {path} holds no samples", hint=_FORMATS)
    return samples


def _check_names(where: str, arrays: dict[str, np.ndarray], names: list[str]) -> None:
    missing = [k for k in names if k not in arrays]
    if missing:
        raise OptionError(
            f"calibration file {where} has no array for input(s) {', '.join(missing)} "
            f"(it holds {', '.join(sorted(arrays)) or 'nothing'})",
            hint="name the arrays after the model inputs: " + ", ".join(names),
        )


def _count(where: str, a: np.ndarray, shape: tuple[int, ...]) -> int:
    """How many samples ``a`` holds: one of ``shape``, a stack [S, *shape], or (for a batch-1
    input) S samples along the batch axis."""
    if tuple(a.shape) == shape:
        return 1
    if a.ndim == len(shape) + 1 and tuple(a.shape[1:]) == shape and a.shape[0] > 0:
        return int(a.shape[0])
    if shape[:1] == (1,) and a.ndim == len(shape) and tuple(a.shape[1:]) == shape[1:]:
        return int(a.shape[0])
    raise OptionError(
        f"{where}: an array of shape {list(a.shape)} is neither one sample {list(shape)} nor a "
        f"stack [S, {', '.join(map(str, shape))}]",
        hint="stack the samples along a new first axis",
    )


def _sample(a: np.ndarray, shape: tuple[int, ...], i: int) -> np.ndarray:
    if tuple(a.shape) == shape:
        return a
    return a[i] if a.ndim > len(shape) else a[i : i + 1]
