"""test_package of every ODLA runtime package (each runtime's test_package links to this one)."""

from __future__ import annotations

import os

from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout

from conan import ConanFile


class OdlaTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"

    def requirements(self) -> None:
        self.requires(self.tested_reference_str)

    def layout(self) -> None:
        cmake_layout(self)

    def generate(self) -> None:
        CMakeDeps(self).generate()
        tc = CMakeToolchain(self)
        tc.cache_variables["ODLA_RUNTIME"] = self.tested_reference_str.split("/")[0][len("odla-") :]
        tc.generate()

    def build(self) -> None:
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self) -> None:
        if can_run(self):
            self.run(os.path.join(self.cpp.build.bindir, "odla_test"), env="conanrun")
