"""The ODLA runtimes the tests run on: every runtime under odla/runtimes/, found at collection.

A test that takes a ``runtime`` argument runs once per runtime (conftest.py). On a runtime other
than the reference one, a model none of whose nodes runs on that runtime's own kernels is skipped:
every node would fall back to the portable kernels, which the reference run already tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from halo import paths
from halo.codegen.capabilities import PORTABLE, load_capabilities
from halo.codegen.emit import placement
from halo.compiler import CompileOptions, import_and_optimize
from halo.ir.graph import Graph

RUNTIMES = paths.available_runtimes()


def native_nodes(graph: Graph, runtime: str) -> int:
    """How many of the graph's nodes run on ``runtime``'s own kernels."""
    return sum(k == runtime for _, _, k in placement(graph, load_capabilities(runtime)))


def int8_runtimes(graph: Graph) -> list[str]:
    """The runtimes besides the reference one whose own kernels run some of the graph's nodes
    (oneDNN's int8 primitives, XNNPACK's qs8 operators): a quantized model's result on each must
    be the reference runtime's, bit for bit (ODLA's integer semantics are exact)."""
    return [rt for rt in RUNTIMES if rt != PORTABLE and native_nodes(graph, rt) > 0]


def skip_if_all_fall_back(model: Path, options: CompileOptions) -> None:
    if options.runtime in (PORTABLE, "emulator"):
        return
    graph = import_and_optimize(model, options)
    if native_nodes(graph, options.runtime) == 0:
        pytest.skip(f"no node runs on {options.runtime}'s own kernels (all fall back to the "
                    f"portable ones, tested on {PORTABLE})")
