from __future__ import annotations

import os

from conan.tools.build import can_run
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout

from conan import ConanFile


class HaloTestConan(ConanFile):
    settings = "os", "arch", "compiler", "build_type"

    def build_requirements(self) -> None:
        self.tool_requires(self.tested_reference_str)

    def layout(self) -> None:
        cmake_layout(self)

    def generate(self) -> None:
        CMakeToolchain(self).generate()
        deps = CMakeDeps(self)
        deps.build_context_activated = ["halo"]
        deps.build_context_build_modules = ["halo"]
        deps.generate()

    def build(self) -> None:
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def test(self) -> None:
        self.run("halo --version", env="conanbuild")
        if can_run(self):
            self.run(os.path.join(self.cpp.build.bindir, "halo_test"), env="conanrun")
