"""`halo info`'s activation plan is the reference runtime's: same grouping, same placement."""

from __future__ import annotations

import sys
from pathlib import Path

import onnx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import models  # noqa: E402
from halo.analysis import Block, lower_bound, place_blocks, plan_memory  # noqa: E402
from halo.bench import prepare  # noqa: E402
from halo.compiler import CompileOptions, import_and_optimize  # noqa: E402

pytestmark = pytest.mark.unit
MNIST = Path(__file__).resolve().parents[2] / "examples" / "mnist" / "mnist.onnx"


def _model(name: str, tmp_path: Path) -> Path:
    if name == "mnist":
        return MNIST
    path = tmp_path / f"{name}.onnx"
    onnx.save(getattr(models, name)(), path)
    return path


def test_freed_space_is_reused_and_offsets_are_aligned() -> None:
    blocks = [Block(("a",), 100, 0, 1), Block(("b",), 100, 1, 2), Block(("c",), 100, 2, 3)]
    offsets, arena = place_blocks(blocks)
    assert offsets == [0, 128, 0]  # c reuses a's space once a is dead
    assert arena == 256 == lower_bound(blocks)


def test_the_best_fitting_gap_wins_over_the_first() -> None:
    # Placed largest first: big [0,1024) and small-gap neighbours leave two holes; the 64-byte
    # block takes the 64-byte hole, not the first (larger) one.
    blocks = [
        Block(("x",), 1024, 0, 0),
        Block(("y",), 256, 1, 3),
        Block(("z",), 64, 1, 3),
        Block(("p",), 512, 1, 1),
        Block(("q",), 64, 2, 2),
    ]
    offsets, arena = place_blocks(blocks)
    assert offsets[0] == 0 and arena >= lower_bound(blocks)
    live_at_2 = sorted((offsets[i], offsets[i] + -(-blocks[i].bytes // 64) * 64) for i in (1, 2, 4))
    assert all(a[1] <= b[0] for a, b in zip(live_at_2, live_at_2[1:]))  # no overlap


@pytest.mark.parametrize("name", ["mnist", "mnist_cnn", "resnet18", "mobilenet_v2"])
def test_plan_is_at_least_the_liveness_lower_bound(name: str, tmp_path: Path) -> None:
    plan = plan_memory(import_and_optimize(_model(name, tmp_path), CompileOptions()))
    assert plan.lower_bound > 0
    assert plan.arena_bytes >= plan.lower_bound
    assert all(off % 64 == 0 for off in plan.offsets.values())


@pytest.mark.parametrize("name", ["mnist", "resnet18"])
def test_plan_equals_the_runtime_arena(name: str, tmp_path: Path) -> None:
    path = _model(name, tmp_path)
    prepared = prepare(path, CompileOptions(), tmp_path)
    arena, source = prepared.arena(threads=2)  # one call in a process with ODLA_PROFILE set
    assert source == "runtime"  # read from the runtime's profile header, not halo.analysis
    assert plan_memory(prepared.graph).arena_bytes == arena
