"""Shared logic of the system-package wrappers (python_requires "halo-system/0.1.0").

A wrapper names the Debian packages that provide a library and the libraries to link; Conan's Apt
helper checks (the default tools.system.package_manager:mode=check) or installs them
(mode=install), for the host architecture: `libxnnpack-dev:arm64` when cross-building for armv8.
Debian 12's libxnnpack-dev and libpthreadpool-dev are not Multi-Arch: same, so their arm64 and
amd64 packages replace each other; `make setup` installs only the host's.
"""

from __future__ import annotations

from conan.tools.system.package_manager import Apt

from conan import ConanFile


class SystemPackage:
    version = "system"
    package_type = "shared-library"
    settings = "os", "arch"
    debian: tuple[str, ...] = ()
    system_libs: tuple[str, ...] = ()
    include_dirs: tuple[str, ...] = ()

    def package_id(self) -> None:
        self.info.clear()  # nothing is built: the system provides it

    def system_requirements(self) -> None:
        Apt(self).install(list(self.debian), update=False, check=True)

    def package_info(self) -> None:
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.includedirs = list(self.include_dirs)
        self.cpp_info.system_libs = list(self.system_libs)


class HaloSystemConan(ConanFile):
    name = "halo-system"
    version = "0.1.0"
    package_type = "python-require"
