"""halo_add_model() in a real CMake + Ninja build of examples/mnist."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from integration_cmake import cmake_host
from mnist_example import (
    REPO,
    build,
    cmake_cache,
    configure,
    copy_example,
    onnxruntime_output,
    require_tools,
    run,
)

# For --dist loadgroup: the module fixture is built on one worker only.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_cmake")]

GENERATED = ("mnist.h", "mnist.cc", "mnist.o")


@pytest.fixture(scope="module")
def host_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `cmake` integration's build (tests/e2e/integration_cmake.py), kept for the tests below;
    test_integrations.py leaves that integration to this module."""
    require_tools("cmake", "ninja", "g++")
    root = tmp_path_factory.mktemp("cmake_host")
    cmake_host(root)
    return root / "build"


def test_example_prints_onnxruntime_predictions(host_build: Path) -> None:
    assert run([host_build / "mnist"]) == onnxruntime_output()


def test_ctest_runs_the_example(host_build: Path) -> None:
    assert "100% tests passed" in run(["ctest", "--output-on-failure"], cwd=host_build)


def test_rebuild_runs_generator_only_when_model_changes(host_build: Path) -> None:
    header = host_build / "mnist_model" / "mnist.h"
    model = host_build.parent / "src" / "mnist.onnx"
    build(host_build)  # catches up with edits of the ODLA sources since the fixture built
    output = build(host_build)
    assert "ninja: no work to do." in output, output

    before = header.stat().st_mtime_ns
    later = max(model.stat().st_mtime_ns, before) + 2_000_000_000
    os.utime(model, ns=(later, later))
    output = build(host_build, "-d", "explain")
    assert "HALO: compiling mnist.onnx" in output, output
    assert header.stat().st_mtime_ns > before
    assert "Linking CXX executable mnist" in output, output

    output = build(host_build)
    assert "ninja: no work to do." in output, output


def test_generated_files_do_not_depend_on_folders(tmp_path: Path) -> None:
    """Two source copies and build folders give byte-identical generated files."""
    require_tools("cmake", "ninja", "g++")
    builds = []
    for folder in ("one", "other"):
        source = copy_example(tmp_path / folder / "src")
        configure(source, tmp_path / folder / "build")
        builds.append(tmp_path / folder / "build" / "mnist_model")
    for build_dir in builds:  # only the generator's outputs, one right after the other
        build(build_dir.parent, *(f"mnist_model/{name}" for name in GENERATED))
    for name in GENERATED:
        first, other = ((build_dir / name).read_bytes() for build_dir in builds)
        assert first == other, f"{name} differs"


def _installed_halo(tmp_path: Path) -> Path:
    """Build a wheel of the repository and install it, without dependencies, into a new venv
    that borrows this environment's packages (numpy, onnx, ...) through a .pth file."""
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, REPO])
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(run([python, "-c", purelib]).strip())
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    wheel = next(wheels.glob("halo-*.whl"))
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel])
    return venv / "bin" / "halo"


@pytest.mark.slow
def test_find_package_from_installed_wheel(tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    halo = _installed_halo(tmp_path)
    cmake_dir = Path(run([halo, "--cmake-dir"]).strip())
    assert cmake_dir.is_relative_to(tmp_path / "venv"), cmake_dir
    assert not cmake_dir.is_relative_to(REPO), cmake_dir

    source = copy_example(tmp_path / "src")
    build_dir = tmp_path / "build"
    configure(source, build_dir, halo=halo)
    assert Path(cmake_cache(build_dir, "HALO_EXECUTABLE")) == halo
    assert Path(cmake_cache(build_dir, "HALO_ODLA_DIR")).is_relative_to(tmp_path / "venv")
    build(build_dir)
    assert run([build_dir / "mnist"]) == onnxruntime_output()


def test_missing_model_is_a_configure_time_error(tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    source = copy_example(tmp_path / "src")
    cmakelists = source / "CMakeLists.txt"
    text = cmakelists.read_text().replace("MODEL mnist.onnx", "MODEL")
    cmakelists.write_text(text)
    configure_cmd = [
        "cmake",
        "-S",
        source,
        "-B",
        tmp_path / "build",
        f"-DHalo_DIR={REPO / 'cmake'}",
    ]
    result = subprocess.run(
        configure_cmd,
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "MODEL <file> is required" in result.stderr


def test_quantize_int8_with_calibration(host_build: Path) -> None:
    """QUANTIZE int8 CALIBRATION <.npz>: a second model target in the fixture's build (its runtime
    is built already); the int8 program classifies within 0.5 points of the float one, and a
    changed calibration file re-runs the generator."""
    import numpy as np

    sys.path.insert(0, str(REPO / "examples" / "mnist"))
    import digits

    source = host_build.parent / "src"
    images, _ = digits.read(source / "digits_test.bin")
    np.savez(source / "calibration.npz", input=images[:60])
    cmakelists = source / "CMakeLists.txt"
    cmakelists.write_text(cmakelists.read_text() + """
halo_add_model(mnist_int8_model MODEL mnist.onnx NAME mnist QUANTIZE int8
               CALIBRATION calibration.npz CALIBRATION_METHOD percentile)
add_executable(mnist_int8 main.cc)
target_compile_features(mnist_int8 PRIVATE cxx_std_17)
target_compile_definitions(mnist_int8
  PRIVATE MNIST_DIGITS_FILE="${CMAKE_CURRENT_SOURCE_DIR}/digits_test.bin")
target_link_libraries(mnist_int8 PRIVATE mnist_int8_model)
""")
    build(host_build)
    float_acc = float(run([host_build / "mnist"]).split("accuracy: ")[1].split()[0])
    int8_acc = float(run([host_build / "mnist_int8"]).split("accuracy: ")[1].split()[0])
    assert int8_acc >= float_acc - 0.005, (float_acc, int8_acc)
    assert "QLinearConv" in (host_build / "mnist_int8_model" / "mnist.cc").read_text()

    np.savez(source / "calibration.npz", input=images[60:120])
    output = build(host_build)
    assert "HALO: compiling mnist.onnx into mnist.h" in output, output
