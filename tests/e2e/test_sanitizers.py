"""The runtime and the generated code under the sanitizers: tests/e2e/sanitize (MNIST from
halo_add_model() called from several threads while another releases and rebuilds it, see
stress.cc) and the ODLA project's own C/C++ tests, built with the reference runtime and
-fsanitize=address,undefined, then with -fsanitize=thread; any sanitizer report fails ctest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mnist_example import EXAMPLE, configure, require_tools, run

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parent / "sanitize"
# sanitizer -> (its flags, the ctest selection): under TSan the threaded tests (the stress program,
# the API tests with their thread tests), under ASan and UBSan those and the kernel-table check (the
# kernel tests take minutes under ASan at -O0: `ctest -R odla_kernels` in the build runs them).
SANITIZERS = {
    "address,undefined": ("-fsanitize=address,undefined -fno-sanitize-recover=all",
                          ["-R", "^(stress|odla_api_reference|odla_kernel_table_reference)$"]),
    "thread": ("-fsanitize=thread", ["-R", "^(stress|odla_api_reference)$"]),
}
# A report is an error, and every leak counts. An allocation too big for the machine returns null,
# as malloc does: the API tests check that the runtime reports it (ODLA_MEM_ERROR).
ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:allocator_may_return_null=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "TSAN_OPTIONS": "halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1",
    "ODLA_NUM_THREADS": "3",
}


@pytest.mark.parametrize("sanitizer", sorted(SANITIZERS))
def test_no_sanitizer_report(sanitizer: str, tmp_path: Path) -> None:
    require_tools("cmake", "ninja", "g++")
    # -O0 builds and runs fast enough; GCC's maybe-uninitialized warnings are false under the
    # sanitizers (its documentation says so) and the ODLA tests build with -Werror.
    sanitize, selection = SANITIZERS[sanitizer]
    flags = f"-O0 -g1 -fno-omit-frame-pointer -Wno-maybe-uninitialized {sanitize}"
    build = tmp_path / "build"
    off = [f"-DODLA_BUILD_{rt}=OFF" for rt in ("DNNL", "XNNPACK", "EIGEN")]
    configure(PROJECT, build, extra=[
        "-DCMAKE_BUILD_TYPE=Debug", f"-DCMAKE_CXX_FLAGS={flags}", f"-DCMAKE_C_FLAGS={flags}",
        f"-DMNIST_DIR={EXAMPLE}", "-DODLA_BUILD_TESTS=ON", "-DBUILD_TESTING=ON", *off,
    ])
    # The ODLA tests lie in the runtime's EXCLUDE_FROM_ALL folder: build them by name.
    targets = run(["ninja", "-C", build, "-t", "targets", "all"])
    tests = sorted(set(re.findall(r"^(odla_\w+_test\w*|odla_kernel_table_\w+):", targets, re.M)))
    assert tests, targets
    run(["ninja", "-C", build, "-j", "2", "stress", *tests])
    output = run(["ctest", "--output-on-failure", "-j", "2", *selection], cwd=build, env=ENV)
    assert "100% tests passed" in output, output
    for name in ("stress", "odla_api_reference"):
        assert f": {name} " in output, (name, output)
