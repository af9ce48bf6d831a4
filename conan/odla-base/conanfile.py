"""Shared recipe of the ODLA runtime packages (python_requires "odla-base/0.1.0").

A runtime recipe names its runtime and the system packages it needs; this class exports the ODLA
sources it builds (odla/CMakeLists.txt, cmake/, include/, runtimes/common, runtimes/reference for
the portable fallback, runtimes/<runtime>), builds only that runtime with odla/CMakeLists.txt
(ODLA_BUILD_<NAME>) and gives the CMake targets odla::<runtime> and odla::headers
(find_package(odla-<runtime>)). The link libraries come from the runtime's build.txt.
"""

from __future__ import annotations

import os

from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout
from conan.tools.files import copy

from conan import ConanFile

ODLA = os.path.join("..", "..", "odla")


def read_build(path: str) -> dict[str, list[str]]:
    """The keys of a runtime's build.txt: {"sources": [...], "libraries": [...], ...}."""
    keys: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as text:
        for line in text:
            words = line.split("#", 1)[0].split()
            if words:
                keys.setdefault(words[0], []).extend(words[1:])
    return keys


class OdlaRuntime:
    version = "0.1.0"
    package_type = "library"
    license = "Apache-2.0"
    settings = "os", "arch", "compiler", "build_type"
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    runtime = ""  # the folder under odla/runtimes/
    system_requires: tuple[str, ...] = ()  # wrapper packages of the libraries it links

    def export_sources(self) -> None:
        odla = os.path.join(self.recipe_folder, ODLA)
        dst = os.path.join(self.export_sources_folder, "odla")
        copy(self, "CMakeLists.txt", odla, dst)
        for folder in ("cmake", "include"):
            copy(self, "*", os.path.join(odla, folder), os.path.join(dst, folder))
        for folder in sorted({"common", "reference", self.runtime}):
            copy(
                self,
                "*",
                os.path.join(odla, "runtimes", folder),
                os.path.join(dst, "runtimes", folder),
            )

    def config_options(self) -> None:
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self) -> None:
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self) -> None:
        cmake_layout(self, src_folder="odla")

    def requirements(self) -> None:
        for ref in self.system_requires:
            self.requires(ref, transitive_libs=True)

    def _runtimes(self) -> list[str]:
        root = os.path.join(self.source_folder, "runtimes")
        return sorted(
            d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "build.txt"))
        )

    def generate(self) -> None:
        tc = CMakeToolchain(self)
        for name in self._runtimes():
            tc.cache_variables[f"ODLA_BUILD_{name.upper()}"] = name == self.runtime
        tc.cache_variables["ODLA_BUILD_TESTS"] = False
        tc.cache_variables["ODLA_INSTALL"] = True
        tc.cache_variables["ODLA_NATIVE"] = False
        # Target libraries unpacked for a cross build (conan/system/base): for the toolchain file.
        root = self.conf.get("user.halo:target_root", check_type=str)
        if root:
            tc.cache_variables["HALO_TARGET_ROOT"] = root
        tc.generate()

    def build(self) -> None:
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self) -> None:
        CMake(self).install()
        copy(
            self,
            "build.txt",
            os.path.join(self.source_folder, "runtimes", self.runtime),
            os.path.join(self.package_folder, "share", "odla", self.runtime),
        )

    def package_info(self) -> None:
        self.cpp_info.set_property("cmake_file_name", f"odla-{self.runtime}")
        self.cpp_info.set_property("cmake_target_name", f"odla::{self.runtime}")
        headers = self.cpp_info.components["headers"]
        headers.set_property("cmake_target_name", "odla::headers")
        headers.libdirs = []
        headers.bindirs = []
        lib = self.cpp_info.components[self.runtime]
        lib.set_property("cmake_target_name", f"odla::{self.runtime}")
        lib.libs = [f"odla_{self.runtime}"]
        lib.requires = [
            "headers",
            *(f"{ref.split('/')[0]}::{ref.split('/')[0]}" for ref in self.system_requires),
        ]
        build = read_build(
            os.path.join(self.package_folder, "share", "odla", self.runtime, "build.txt")
        )
        lib.system_libs = [*build.get("libraries", []), "pthread"]
        lib.resdirs = ["share"]


class OdlaBaseConan(ConanFile):
    name = "odla-base"
    version = "0.1.0"
    package_type = "python-require"
