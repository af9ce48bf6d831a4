"""The ODLA project on its own: odla/ configured with CMake as shared libraries, its C/C++ tests run
by ctest (the headers as strict C99, the reference kernels per ISA, every runtime's API and kernel
table), installed, and every runtime used by a plain CMake consumer (find_package(odla),
odla::<runtime>) that compiles MNIST with halo_add_model and runs it."""

from __future__ import annotations

from pathlib import Path

import pytest
from mnist_example import (
    EXAMPLE,
    REPO,
    build,
    configure,
    onnxruntime_output,
    require_tools,
    run,
)

from halo import paths

# For --dist loadgroup: the module fixture is built on one worker only.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_odla_ctest")]

CONSUMER = """cmake_minimum_required(VERSION 3.20)
project(odla_consumer LANGUAGES CXX)
find_package(odla 0.5 REQUIRED)
find_package(Halo REQUIRED)
halo_add_model(mnist_model MODEL {example}/mnist.onnx RUNTIME {runtime})
add_executable(mnist {example}/main.cc)
target_compile_features(mnist PRIVATE cxx_std_17)
target_compile_definitions(mnist PRIVATE MNIST_DIGITS_FILE="{example}/digits_test.bin")
target_link_libraries(mnist PRIVATE mnist_model odla::{runtime})
"""


@pytest.fixture(scope="module")
def odla_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(build folder, install prefix, ctest output) of odla/ built once as shared libraries."""
    require_tools("cmake", "ninja", "g++")
    root = tmp_path_factory.mktemp("odla")
    build_dir, prefix = root / "build", root / "prefix"
    run(["cmake", "-S", REPO / "odla", "-B", build_dir, "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=ON", f"-DCMAKE_INSTALL_PREFIX={prefix}"])
    run(["cmake", "--build", build_dir, "-j", "2"])
    run(["cmake", "--install", build_dir])
    return build_dir, prefix, run(["ctest", "--output-on-failure"], cwd=build_dir)


def test_odla_tests_pass_under_ctest(odla_build: tuple[Path, Path, str]) -> None:
    output = odla_build[2]
    assert "100% tests passed" in output, output
    tests = ["odla_header_c99", "odla_kernels"]
    tests += [f"odla_{kind}_{rt}" for rt in paths.available_runtimes() for kind in ("api", "kernel_table")]
    for test in tests:
        assert f": {test} " in output, (test, output)


def test_installed_runtime_runs_mnist(odla_build: tuple[Path, Path, str], runtime: str,
                                      tmp_path: Path) -> None:
    prefix = odla_build[1]
    libs = list((prefix / "lib").glob(f"libodla_{runtime}.so*"))
    assert libs, f"no shared library of the {runtime} runtime under {prefix / 'lib'}"
    source = tmp_path / "src"
    source.mkdir()
    (source / "CMakeLists.txt").write_text(CONSUMER.format(example=EXAMPLE, runtime=runtime))
    configure(source, tmp_path / "build", extra=[f"-DCMAKE_PREFIX_PATH={prefix}"])
    build(tmp_path / "build")
    assert run([tmp_path / "build" / "mnist"]) == onnxruntime_output()
