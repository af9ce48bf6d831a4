"""The converter registry every frontend uses: source op name -> converter function.

ONNX registers a converter per op, domain and the first opset whose semantics it implements
(``since``); the other formats register one converter per op name (``since`` stays 1).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Generic, TypeVar

N = TypeVar("N")
Converter = Callable[[N], None]


class Converters(Generic[N]):
    """The converters of one frontend; ``what`` names its source ops in messages."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._versions: dict[tuple[str, str], list[tuple[int, Converter[N]]]] = {}

    def register(
        self, *names: str, since: int = 1, domain: str = ""
    ) -> Callable[[Converter[N]], Converter[N]]:
        """Decorator: ``fn`` converts each of ``names`` from version ``since`` on (until a
        registration with a later ``since``)."""

        def wrap(fn: Converter[N]) -> Converter[N]:
            for name in names:
                versions = self._versions.setdefault((domain, name), [])
                if any(v == since for v, _ in versions):
                    raise RuntimeError(f"{self.what} {name} (since {since}) registered twice")
                bisect.insort(versions, (since, fn), key=lambda t: t[0])
            return fn

        return wrap

    def find(self, name: str, version: int | None = None, domain: str = "") -> Converter[N] | None:
        """The converter of ``name`` for ``version`` (None: the latest), or None."""
        best = None
        for since, fn in self._versions.get((domain, name), []):
            if version is None or since <= version:
                best = fn
        return best

    def names(self) -> list[str]:
        """The registered op names, sorted (every domain)."""
        return sorted({name for _, name in self._versions})
