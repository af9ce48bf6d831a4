"""`halo profile`: per-node timing from the runtime, read back and summarised."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from onnx_util import make_model  # noqa: E402

from halo.compiler import CompileOptions  # noqa: E402
from halo.errors import OptionError  # noqa: E402
from halo.profile import parse, profile_model  # noqa: E402

pytestmark = pytest.mark.unit


@pytest.fixture
def conv_sigmoid(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 16, 16)).astype(np.float32)
    w = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Sigmoid", ["c"], ["y"], name="sigmoid")]  # not fused into the conv
    path = tmp_path / "conv_sigmoid.onnx"
    onnx.save(make_model(nodes, {"x": x}, ["y"], {"w": w}), path)
    return path


def test_every_node_is_timed_once_per_call(conv_sigmoid: Path) -> None:
    x = np.ones((1, 3, 16, 16), np.float32)
    p = profile_model(conv_sigmoid, [x], CompileOptions(), repeat=4)
    assert p.executions == 4 and p.runtime == "reference" and p.arena_bytes > 0
    assert sorted(n.op for n in p.nodes) == ["odla_Conv", "odla_Sigmoid"]
    assert all(n.calls == 4 and n.ms > 0 for n in p.nodes)
    assert {op for op, _, _ in p.by_op()} == {"odla_Conv", "odla_Sigmoid"}
    assert 0 < sum(n.ms for n in p.nodes) / 4 <= p.wall_ms


def test_cli_prints_the_table(conv_sigmoid: Path, tmp_path: Path) -> None:
    arr = tmp_path / "x.npy"
    np.save(arr, np.ones((1, 3, 16, 16), np.float32))
    proc = subprocess.run([sys.executable, "-m", "halo", "profile", str(conv_sigmoid), "--input",
                           str(arr), "--repeat", "3"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "3 timed calls" in proc.stdout and "odla_Conv" in proc.stdout, proc.stdout


def test_parse_keeps_the_last_computation() -> None:
    text = ("# odla profile\truntime\treference\texecutions\t2\tarena_bytes\t64\n"
            "0\todla_Add\ta\treference\t2\t4000\n"
            "# odla profile\truntime\treference\texecutions\t3\tarena_bytes\t128\n"
            "1\todla_Mul\tb\treference\t3\t9000000\n")
    result = parse(text)
    assert result.header == {"runtime": "reference", "executions": "3", "arena_bytes": "128"}
    assert [(n.op, n.value, n.kernel, n.calls, n.ms) for n in result.nodes] == [
        ("odla_Mul", "b", "reference", 3, 9.0)]


def test_bad_options(conv_sigmoid: Path) -> None:
    x = np.ones((1, 3, 16, 16), np.float32)
    with pytest.raises(OptionError, match="--repeat"):
        profile_model(conv_sigmoid, [x], CompileOptions(), repeat=0)
    with pytest.raises(OptionError, match="emulator"):
        profile_model(conv_sigmoid, [x], CompileOptions(runtime="emulator"))
