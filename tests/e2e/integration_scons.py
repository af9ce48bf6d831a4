"""SCons integration: examples/scons/SConstruct (env.HaloModel + env.OdlaRuntime from the halo tool,
`halo --scons-dir`) builds examples/mnist in a private folder; a second run rebuilds nothing and a
changed model runs the generator again."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from integrations import integration
from mnist_example import REPO, copy_example, run

SCONSTRUCT = REPO / "examples" / "scons" / "SConstruct"
GENERATOR_LINE = "halo compile "


def scons_executable() -> Path:
    """The SCons of the environment running the tests (the test extras install it)."""
    scons = Path(sys.executable).parent / "scons"
    assert scons.is_file(), f"no scons next to {sys.executable}: pip install -e '.[test]'"
    return scons


def scons(workdir: Path, *args: str) -> str:
    return run([scons_executable(), "-C", workdir, "-j2", "MNIST_DIR=src", *args])


def change_model(model: Path) -> None:
    """The same network with another doc string: a new file content, the same predictions."""
    import onnx

    proto = onnx.load(str(model))
    proto.doc_string = (proto.doc_string or "") + " (changed by the SCons integration check)"
    onnx.save(proto, str(model))


@integration("scons", tools=("g++",))
def scons_host(workdir: Path) -> str:
    copy_example(workdir / "src")
    shutil.copy2(SCONSTRUCT, workdir / "SConstruct")
    first = scons(workdir)
    assert GENERATOR_LINE in first, f"the generator did not run:\n{first}"
    program = workdir / "build" / "mnist"
    output = run([program])

    # Nothing changed: `scons -q` exits 0 only when every target is up to date.
    scons(workdir, "-q")
    again = scons(workdir)
    assert "is up to date" in again and GENERATOR_LINE not in again, again

    change_model(workdir / "src" / "mnist.onnx")
    changed = scons(workdir)
    assert GENERATOR_LINE in changed, f"a changed model did not rerun the generator:\n{changed}"
    scons(workdir, "-q")
    rerun = run([program])
    assert rerun == output, f"before the change:\n{output}\nafter:\n{rerun}"
    return output
