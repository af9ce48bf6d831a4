"""test_package of every system wrapper (each wrapper's test_package links to this one): the
Debian packages are present (system_requirements ran in check mode) and the package says what to
link."""

from __future__ import annotations

from conan import ConanFile


class SystemTestConan(ConanFile):
    settings = "os", "arch"

    def requirements(self) -> None:
        self.requires(self.tested_reference_str)

    def test(self) -> None:
        dep = self.dependencies[self.tested_reference_str.split("/")[0]]
        info = dep.cpp_info
        assert info.system_libs or info.includedirs, f"{dep.ref}: nothing to link or include"
        self.output.info(f"{dep.ref}: libs {info.system_libs}, includes {info.includedirs}")
