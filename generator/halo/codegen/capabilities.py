"""A runtime's capability list (odla/runtimes/<rt>/capabilities.txt) and the check against it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from halo import paths
from halo.errors import OptionError, UnsupportedError


@dataclass(frozen=True)
class Capabilities:
    runtime: str
    ops: dict[str, frozenset[str] | None]  # odla function -> element types (None: all)

    def supports(self, fn: str, dtype: str) -> bool:
        if fn not in self.ops:
            return False
        types = self.ops[fn]
        return types is None or not dtype or dtype in types


def load_capabilities(runtime: str) -> Capabilities:
    path = paths.runtime_dir(runtime) / "capabilities.txt"
    if not path.is_file():
        raise OptionError(f"unknown runtime '{runtime}'",
                          hint="available runtimes: " + ", ".join(paths.available_runtimes()))
    ops: dict[str, frozenset[str] | None] = {}
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            ops[words[0]] = None if words[1:] == ["*"] else frozenset(words[1:])
    return Capabilities(runtime, ops)


def check_calls(caps: Capabilities, calls: Sequence[tuple[str, str, str]]) -> None:
    """``calls``: (node name, odla function, element type). Raise one error listing every gap."""
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, fn, dtype in calls:
        if not caps.supports(fn, dtype):
            missing[(fn, dtype)].append(node)
    if missing:
        lines = [f"  {fn} ({dt or 'any'}) x{len(nodes)}: {', '.join(nodes[:5])}"
                 for (fn, dt), nodes in sorted(missing.items())]
        raise UnsupportedError(
            f"the '{caps.runtime}' runtime lacks {len(missing)} op/type combination(s) this model "
            "needs:\n" + "\n".join(lines),
            hint="choose another runtime with --runtime, or extend "
            f"odla/runtimes/{caps.runtime} and its capabilities.txt")
