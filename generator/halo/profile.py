"""`halo profile`: run a compiled model repeatedly with the runtime's per-node timing on.

Every ODLA runtime (the shared core in odla/runtimes/common) times every node while
``ODLA_PROFILE`` names a file, and appends the totals when the computation is destroyed
(``NAME_fini``). This module sets the variable, runs the
model through the same library ``halo run`` builds, and reads the file back.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from halo.compiler import CompileOptions, import_and_optimize
from halo.errors import OptionError, RuntimeExecError
from halo.run import EMULATOR, build_library, check_inputs
from halo.runtime import Model


@dataclass(frozen=True)
class NodeTime:
    node: int
    op: str  # ODLA function, e.g. odla_Conv
    value: str  # id of the node's first output
    kernel: str  # the runtime whose kernel ran it (own, or the portable fallback)
    calls: int
    ms: float  # total over all calls


@dataclass(frozen=True)
class Profile:
    runtime: str
    executions: int
    arena_bytes: int  # the activation arena the runtime planned
    wall_ms: float  # mean wall time of one call of the model function
    nodes: list[NodeTime]

    def by_op(self) -> list[tuple[str, int, float]]:
        """(op, node count, total ms), slowest first."""
        acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        for n in self.nodes:
            acc[n.op][0] += 1
            acc[n.op][1] += n.ms
        return sorted(((op, int(c), ms) for op, (c, ms) in acc.items()), key=lambda r: -r[2])


@dataclass(frozen=True)
class ProfileFile:
    header: dict[str, str]  # runtime, executions, arena_bytes
    nodes: list[NodeTime]


def parse(text: str) -> ProfileFile:
    """The runtime's profile file: a '# odla profile' header line of tab-separated key/value pairs
    (runtime, executions, arena_bytes), then 'node<TAB>op<TAB>value<TAB>kernel<TAB>calls<TAB>ns'
    per node. The last computation written wins."""
    header: dict[str, str] = {}
    nodes: list[NodeTime] = []
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("#"):
            header = dict(zip(fields[1::2], fields[2::2]))
            nodes = []
        elif len(fields) == 6:
            nodes.append(
                NodeTime(
                    int(fields[0]),
                    fields[1],
                    fields[2],
                    fields[3],
                    int(fields[4]),
                    int(fields[5]) / 1e6,
                )
            )
    return ProfileFile(header, nodes)


def profile_model(
    model: Path, arrays: Sequence[np.ndarray], options: CompileOptions, repeat: int = 10
) -> Profile:
    if repeat < 1:
        raise OptionError(f"--repeat {repeat} must be at least 1", hint="e.g. --repeat 10")
    if options.runtime == EMULATOR:
        raise OptionError(
            "the profiler times the nodes of a C++ runtime; the emulator has none",
            hint="pass an ODLA runtime with --runtime, e.g. --runtime reference",
        )
    graph = import_and_optimize(model, options)
    feeds = check_inputs(graph, arrays)
    so, name = build_library(model, graph, options)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "profile.tsv"
        previous = os.environ.get("ODLA_PROFILE")
        os.environ["ODLA_PROFILE"] = str(path)
        try:
            Model(so, name).close()  # a fresh computation: earlier calls are not counted
            with Model(so, name) as compiled:
                compiled(*feeds)  # warm-up: builds the plan, fills caches
            with Model(so, name) as compiled:  # closing writes the profile of the timed calls
                start = time.perf_counter()
                for _ in range(repeat):
                    compiled(*feeds)
                wall_ms = (time.perf_counter() - start) * 1e3 / repeat
        finally:
            if previous is None:
                del os.environ["ODLA_PROFILE"]
            else:
                os.environ["ODLA_PROFILE"] = previous
        if not path.is_file():
            raise RuntimeExecError(
                "the runtime wrote no profile",
                hint="this is a HALO bug: every runtime reads ODLA_PROFILE",
            )
        result = parse(path.read_text())
    h = result.header
    return Profile(
        h.get("runtime", options.runtime),
        int(h.get("executions", 0)),
        int(h.get("arena_bytes", 0)),
        wall_ms,
        result.nodes,
    )


def format_profile(p: Profile, top: int = 15) -> str:
    total = sum(n.ms for n in p.nodes) or 1.0
    per_call = total / max(p.executions, 1)
    lines = [
        f"{p.runtime} runtime, {p.executions} timed calls: {p.wall_ms:.3f} ms per call, "
        f"{per_call:.3f} ms of it in {len(p.nodes)} runtime nodes; "
        f"activation arena {p.arena_bytes / 2**20:.2f} MiB",
        "",
        "by op:",
        f"  {'op':<28}{'nodes':>6}{'ms/call':>10}{'share':>8}",
    ]
    for op, count, ms in p.by_op():
        lines.append(f"  {op:<28}{count:>6}{ms / p.executions:>10.3f}{100 * ms / total:>7.1f}%")
    lines += [
        "",
        f"slowest {min(top, len(p.nodes))} nodes:",
        f"  {'op':<20}{'output':<36}{'kernel':<12}{'ms/call':>10}{'share':>8}",
    ]
    for n in sorted(p.nodes, key=lambda n: -n.ms)[:top]:
        lines.append(
            f"  {n.op:<20}{n.value[:35]:<36}{n.kernel:<12}{n.ms / n.calls:>10.3f}"
            f"{100 * n.ms / total:>7.1f}%"
        )
    return "\n".join(lines)
