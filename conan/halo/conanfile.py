"""The HALO generator as a Conan tool package.

    self.tool_requires("halo/0.1.0")          # in the consumer; then, in generate():
    deps = CMakeDeps(self)
    deps.build_context_activated = ["halo"]
    deps.build_context_build_modules = ["halo"]

gives find_package(Halo) and halo_add_model(). The package holds the Python sources laid out as the
wheel lays them out (python/halo, python/halo/_data/{odla,cmake,scons}) and bin/halo, a launcher
that runs them with the Python interpreter that ran Conan (which must have onnx, numpy, jinja2).
Nothing is downloaded.
"""

from __future__ import annotations

import os
import stat
import sys

from conan.tools.files import copy, save

from conan import ConanFile

REPO = os.path.join("..", "..")
DATA = ("odla", "cmake", "scons")


class HaloConan(ConanFile):
    name = "halo"
    version = "0.1.0"
    package_type = "application"
    description = "HALO: ahead-of-time compiler from trained models to C++ on the ODLA API"
    license = "Apache-2.0"
    # No settings: the generator is Python and runs on the build machine.

    def export_sources(self) -> None:
        root = os.path.join(self.recipe_folder, REPO)
        dst = self.export_sources_folder
        copy(
            self,
            "*",
            os.path.join(root, "generator"),
            os.path.join(dst, "generator"),
            excludes=("*.pyc", "__pycache__"),
        )
        for folder in DATA:
            copy(
                self,
                "*",
                os.path.join(root, folder),
                os.path.join(dst, folder),
                excludes=("*.pyc", "__pycache__", "tests/*"),
            )

    def package(self) -> None:
        python = os.path.join(self.package_folder, "python")
        copy(
            self,
            "*",
            os.path.join(self.source_folder, "generator"),
            python,
            excludes=("*.pyc", "*/__pycache__/*"),
        )
        for folder in DATA:
            copy(
                self,
                "*",
                os.path.join(self.source_folder, folder),
                os.path.join(python, "halo", "_data", folder),
            )
        launcher = os.path.join(self.package_folder, "bin", "halo")
        save(self, launcher, _launcher(sys.executable))
        os.chmod(launcher, os.stat(launcher).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def package_info(self) -> None:
        self.cpp_info.includedirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.bindirs = ["bin"]
        cmake = os.path.join("python", "halo", "_data", "cmake")
        self.cpp_info.builddirs = [cmake]
        self.cpp_info.set_property("cmake_file_name", "Halo")
        self.cpp_info.set_property("cmake_build_modules", [os.path.join(cmake, "HaloModel.cmake")])
        self.buildenv_info.prepend_path("PATH", os.path.join(self.package_folder, "bin"))


def _launcher(python: str) -> str:
    """A POSIX shell launcher that runs the packaged generator, wherever the package lies."""
    return (
        "#!/bin/sh\n"
        "# HALO generator (Conan package): the packaged sources, run by the Python that built it.\n"
        'here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)\n'
        'PYTHONPATH="$here/../python${PYTHONPATH:+:$PYTHONPATH}" '
        f'exec "${{HALO_PYTHON:-{python}}}" -m halo "$@"\n'
    )
