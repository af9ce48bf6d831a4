"""The pass pipeline: the one place where pass order is decided."""

from __future__ import annotations

import os
from collections.abc import Sequence

from halo.ir.graph import Graph
from halo.ir.verify import verify
from halo.passes.affine_fold import AffineFolding
from halo.passes.base import Pass
from halo.passes.bn_fold import BatchNormFolding
from halo.passes.dce import DeadCodeElimination
from halo.passes.fold import ConstantFolding
from halo.passes.identity import IdentityRemoval
from halo.passes.layout import LayoutOptimization
from halo.passes.qdq import QdqFusion
from halo.passes.subgraph import SubgraphExtraction


def default_pipeline(
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    input_layout: str | None = None,
    output_layout: str | None = None,
) -> list[Pass]:
    """The passes of `halo compile`; the layouts are those of the compiled boundary ("nchw",
    "nhwc", None: the model's own)."""
    return [
        SubgraphExtraction(inputs, outputs),
        DeadCodeElimination(),
        ConstantFolding(),
        LayoutOptimization(input_layout, output_layout),
        IdentityRemoval(),
        BatchNormFolding(),
        AffineFolding(),
        QdqFusion(),
        ConstantFolding(everything=True),
        DeadCodeElimination(),
    ]


def run_pipeline(graph: Graph, passes: Sequence[Pass], check: bool = False) -> dict[str, int]:
    """Run ``passes`` in order; with ``check``, or HALO_VERIFY=1 in the environment (what the test
    suite sets, for every tier and every `halo` the build systems run), verify the IR after each;
    returns changes per pass."""
    check = check or os.environ.get("HALO_VERIFY") == "1"
    changes: dict[str, int] = {}
    for p in passes:
        changes[p.name] = changes.get(p.name, 0) + int(p.run(graph))
        if check:
            verify(graph, after=p.name)
    return changes
