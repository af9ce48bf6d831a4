"""A runtime's capability list (odla/runtimes/<rt>/capabilities.txt) and the check against it.

The reference runtime's list names every ODLA function its portable kernels implement. Any other
runtime lists the functions its own kernels run (its kernel table); the rest fall back to the
reference runtime's portable kernels, node by node, so a runtime supports the union of both."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from halo import paths
from halo.errors import OptionError, UnsupportedError

PORTABLE = "reference"  # the runtime whose kernels every other runtime falls back to

OpTypes = dict[str, frozenset[str] | None]  # odla function -> element types (None: all)


def _covers(ops: OpTypes, fn: str, dtype: str) -> bool:
    if fn not in ops:
        return False
    types = ops[fn]
    return types is None or not dtype or dtype in types


@dataclass(frozen=True)
class Capabilities:
    runtime: str
    ops: OpTypes  # what the runtime's own kernels run
    fallback: OpTypes  # the portable kernels' list ({} for the reference runtime itself)

    def kernel_for(self, fn: str, dtype: str) -> str | None:
        """Which runtime's kernel runs a call: this runtime's, the portable one, or None."""
        if _covers(self.ops, fn, dtype):
            return self.runtime
        return PORTABLE if _covers(self.fallback, fn, dtype) else None

    def supports(self, fn: str, dtype: str) -> bool:
        return self.kernel_for(fn, dtype) is not None


def _read_list(runtime: str) -> OpTypes:
    path = paths.runtime_dir(runtime) / "capabilities.txt"
    if not path.is_file():
        raise OptionError(
            f"unknown runtime '{runtime}'",
            hint="available runtimes: " + ", ".join(paths.available_runtimes()),
        )
    ops: OpTypes = {}
    for line in path.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            ops[words[0]] = None if words[1:] == ["*"] else frozenset(words[1:])
    return ops


def load_capabilities(runtime: str) -> Capabilities:
    ops = _read_list(runtime)
    return Capabilities(runtime, ops, {} if runtime == PORTABLE else _read_list(PORTABLE))


def check_calls(caps: Capabilities, calls: Sequence[tuple[str, str, str]]) -> None:
    """``calls``: (node name, odla function, element type). Raise one error listing every gap."""
    missing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node, fn, dtype in calls:
        if not caps.supports(fn, dtype):
            missing[(fn, dtype)].append(node)
    if missing:
        lines = [
            f"  {fn} ({dt or 'any'}) x{len(nodes)}: {', '.join(nodes[:5])}"
            for (fn, dt), nodes in sorted(missing.items())
        ]
        raise UnsupportedError(
            f"the '{caps.runtime}' runtime lacks {len(missing)} op/type combination(s) this model "
            "needs:\n" + "\n".join(lines),
            hint="choose another runtime with --runtime, or extend the portable kernels in "
            f"odla/runtimes/{PORTABLE} and its capabilities.txt",
        )
