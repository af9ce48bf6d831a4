"""The SCons tool (scons/halo.py): depfile parsing, the scanner that tracks ONNX external data and
the outputs the emitter declares. Only the generator runs here (no C++); the full MNIST build is
the `scons` integration (tests/e2e/integration_scons.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from integration_scons import GENERATOR_LINE, scons_executable
from mnist_example import EXAMPLE, REPO, halo_executable, run

pytestmark = pytest.mark.e2e

SCONSTRUCT = """\
import os
env = Environment(tools=["halo"], toolpath=[{tool_dir!r}], HALO={halo!r}, ENV=os.environ)
SConsignFile(os.path.abspath(".sconsign"))
env.HaloCompile("out", "model.onnx", HALO_NAME="net", HALO_EMIT_DATA_AS_C={as_c!r})
"""


def tool_module():
    pytest.importorskip("SCons")
    spec = importlib.util.spec_from_file_location("halo_scons_tool", REPO / "scons" / "halo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scons(project: Path, *args: str) -> str:
    return run([scons_executable(), "-C", project, *args])


def project(tmp_path: Path, as_c: bool = False) -> Path:
    """A model with its weights in an external data file, and an SConstruct compiling it."""
    import onnx

    model = onnx.load(str(EXAMPLE / "mnist.onnx"))
    onnx.save(
        model,
        str(tmp_path / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.data",
        size_threshold=0,
    )
    tool_dir = run([halo_executable(), "--scons-dir"]).strip()
    (tmp_path / "SConstruct").write_text(
        SCONSTRUCT.format(tool_dir=tool_dir, halo=str(halo_executable()), as_c=as_c)
    )
    return tmp_path


def test_parse_depfile() -> None:
    tool = tool_module()
    text = "a.cc a.h a.o: /m/model.onnx \\\n /m/with\\ space.data\n/x.d: /y\n"
    assert tool.parse_depfile(text) == ["/m/model.onnx", "/m/with space.data", "/y"]


def test_runtime_build_reads_build_txt() -> None:
    tool = tool_module()
    fields = tool.runtime_build(str(REPO / "odla"), "eigen")
    assert "/usr/include/eigen3" in fields["includes"]
    assert all(Path(folder).is_dir() for folder in fields["sources"])


def test_external_data_change_reruns_generator(tmp_path: Path) -> None:
    root = project(tmp_path)
    first = scons(root)
    assert GENERATOR_LINE in first, first
    assert {p.name for p in (root / "out").iterdir()} == {"net.cc", "net.h", "net.o", "net.d"}
    assert str(root / "model.data") in (root / "out" / "net.d").read_text()
    scons(root, "-q")  # exit status 0: everything is up to date

    data = root / "model.data"
    raw = bytearray(data.read_bytes())
    raw[-1] ^= 0x01  # a slightly different last weight
    data.write_bytes(bytes(raw))
    result = subprocess.run(
        [scons_executable(), "-C", root, "-q"], capture_output=True, check=False
    )
    assert result.returncode == 1, "a changed external data file left the outputs up to date"
    assert GENERATOR_LINE in scons(root)
    scons(root, "-q")


def test_emit_data_as_c_declares_its_outputs(tmp_path: Path) -> None:
    root = project(tmp_path, as_c=True)
    scons(root)
    assert {p.name for p in (root / "out").iterdir()} == {"net.cc", "net.h", "net.data.cc", "net.d"}
    scons(root, "-q")
    listing = scons(root, "-c")
    assert not (root / "out" / "net.data.cc").exists(), listing


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
