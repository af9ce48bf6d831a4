"""Run a compiled model's shared library from Python: ``Model("libmnist.so")(x) -> [outputs]``.

Any shared library HALO links (``halo compile --emit-lib``, ``halo run``'s cache) exports, for a
model NAME, ``NAME_init``, ``NAME_fini``, ``NAME(inputs..., outputs...)`` and ``NAME_signature``
(its inputs and outputs: names, dtypes, dims; see codegen/emit.py ``signature_text``).

    from halo.runtime import Model
    with Model("out/libmnist.so") as model:
        print(model.inputs, model.outputs)
        logits, = model(x)                 # inputs in order, or by name: model(input=x)
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from halo.codegen.emit import SIGNATURE_VERSION
from halo.errors import RuntimeExecError
from halo.ir.dtype import DType


@dataclass(frozen=True)
class Tensor:
    """One input or output of a compiled model."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.name}: {self.dtype}[{'x'.join(map(str, self.shape)) or 'scalar'}]"


def parse_signature(text: str) -> tuple[list[Tensor], list[Tensor]]:
    lines = text.splitlines()
    if not lines or lines[0] != SIGNATURE_VERSION:
        raise RuntimeExecError(
            f"unknown model signature {lines[0] if lines else '(empty)'!r}",
            hint=f"rebuild the library with this version of halo ({SIGNATURE_VERSION})",
        )
    found: dict[str, list[Tensor]] = {"input": [], "output": []}
    for line in lines[1:]:
        kind, rest = line.split("\t", 1)
        name, dtype, dims = rest.rsplit("\t", 2)
        shape = tuple(int(d) for d in dims.split("x")) if dims else ()
        found[kind].append(Tensor(name, np.dtype(DType(dtype).np), shape))
    return found["input"], found["output"]


def _model_name(path: Path) -> str:
    stem = path.name.split(".so", 1)[0]
    return stem[3:] if stem.startswith("lib") else stem


class Model:
    """A compiled model loaded from its shared library; call it with numpy arrays."""

    def __init__(self, library: str | Path, name: str | None = None) -> None:
        path = Path(library)
        if not path.is_file():
            raise RuntimeExecError(
                f"no such model library: {path}",
                hint="build one with `halo compile MODEL -o OUT --emit-lib`",
            )
        self.name = name or _model_name(path)
        try:
            self._lib: ctypes.CDLL | None = ctypes.CDLL(str(path.resolve()))
        except OSError as exc:
            raise RuntimeExecError(
                f"cannot load {path}: {exc}", hint="is it a shared library built for this machine?"
            ) from exc
        lib = self._lib
        if not hasattr(lib, f"{self.name}_signature"):
            raise RuntimeExecError(
                f"{path} has no model '{self.name}' (no symbol {self.name}_signature)",
                hint="pass the model's name: Model(path, name=...) (halo compile --name)",
            )
        sig = getattr(lib, f"{self.name}_signature")
        sig.restype = ctypes.c_char_p
        self.inputs, self.outputs = parse_signature(sig().decode())
        self._fn = getattr(lib, self.name)
        self._fn.restype = ctypes.c_int
        init = getattr(lib, f"{self.name}_init")
        init.restype = ctypes.c_int
        if init() != 0:
            raise RuntimeExecError(f"{self.name}_init() failed: {self._last_error()}")

    def _last_error(self) -> str:
        assert self._lib is not None
        msg = self._lib.odla_GetLastErrorMessage
        msg.restype = ctypes.c_char_p
        return (msg() or b"").decode(errors="replace") or "no details"

    def _feeds(self, args: Sequence[np.ndarray], named: dict[str, np.ndarray]) -> list[np.ndarray]:
        if args and named:
            raise RuntimeExecError("pass the inputs either in order or by name, not both")
        if named:
            unknown = sorted(set(named) - {t.name for t in self.inputs})
            missing = [t.name for t in self.inputs if t.name not in named]
            if unknown or missing:
                raise RuntimeExecError(
                    f"inputs by name: unknown {unknown}, missing {missing}",
                    hint="the model's inputs: " + ", ".join(map(str, self.inputs)),
                )
            args = [named[t.name] for t in self.inputs]
        if len(args) != len(self.inputs):
            raise RuntimeExecError(
                f"{self.name} takes {len(self.inputs)} input(s), got {len(args)}",
                hint="the model's inputs: " + ", ".join(map(str, self.inputs)),
            )
        feeds = []
        for t, a in zip(self.inputs, args):
            a = np.asarray(a)
            if a.shape != t.shape:
                raise RuntimeExecError(
                    f"input {t} got an array of shape {a.shape}",
                    hint="reshape it, or recompile with --input-shape",
                )
            if a.dtype != t.dtype and not np.can_cast(a.dtype, t.dtype, "same_kind"):
                raise RuntimeExecError(
                    f"input {t} got {a.dtype} data", hint=f"convert it with .astype(np.{t.dtype})"
                )
            feeds.append(np.ascontiguousarray(a, dtype=t.dtype))
        return feeds

    def __call__(self, *args: np.ndarray, **named: np.ndarray) -> list[np.ndarray]:
        if self._lib is None:
            raise RuntimeExecError(f"model {self.name} was closed", hint="load it again")
        feeds = self._feeds(args, named)
        outputs = [np.empty(t.shape, t.dtype) for t in self.outputs]
        rc = self._fn(*(a.ctypes.data_as(ctypes.c_void_p) for a in [*feeds, *outputs]))
        if rc != 0:
            raise RuntimeExecError(f"model {self.name} returned status {rc}: {self._last_error()}")
        return outputs

    def run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Inputs by name in, outputs by name out."""
        return dict(zip((t.name for t in self.outputs), self(**feeds)))

    def close(self) -> None:
        """Release the computation (NAME_fini); the library stays mapped, as ctypes keeps it."""
        if self._lib is not None:
            getattr(self._lib, f"{self.name}_fini")()
            self._lib = None

    def __enter__(self) -> Model:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        ins = ", ".join(map(str, self.inputs))
        outs = ", ".join(map(str, self.outputs))
        return f"Model({self.name}: ({ins}) -> ({outs}))"
