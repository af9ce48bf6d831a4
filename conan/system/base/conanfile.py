"""Shared logic of the system-package wrappers (python_requires "halo-system/0.1.0").

A wrapper names the Debian packages that provide a library and the libraries to link; Conan's Apt
helper checks (the default tools.system.package_manager:mode=check) or installs them
(mode=install), for the host architecture: `libxnnpack-dev:arm64` when cross-building for armv8.
Debian 12's libxnnpack-dev and libpthreadpool-dev are not Multi-Arch: same, so their arm64 and
amd64 packages replace each other; `make setup` installs only the host's. For a cross build, take
the target's packages unpacked into a folder instead (toolchains/debian-sysroot.sh) and name it
with the conf `user.halo:target_root=<folder>`: the wrapper then checks that folder, not apt, and
points the include and library folders there (the ODLA packages and examples/conan pass it on
to the CMake toolchain as HALO_TARGET_ROOT).
"""

from __future__ import annotations

import os

from conan.errors import ConanInvalidConfiguration
from conan.tools.system.package_manager import Apt

from conan import ConanFile

TARGET_ROOT = "user.halo:target_root"
# Conan's arch -> Debian's multiarch folder (usr/lib/<triple>) of the boards in toolchains/.
MULTIARCH = {
    "x86_64": "x86_64-linux-gnu",
    "armv8": "aarch64-linux-gnu",
    "armv7hf": "arm-linux-gnueabihf",
    "riscv64": "riscv64-linux-gnu",
}


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
        root = self.conf.get(TARGET_ROOT, check_type=str)
        if not root:
            Apt(self).install(list(self.debian), update=False, check=True)
            return
        stamp = os.path.join(root, ".packages")
        unpacked: list[str] = []
        if os.path.isfile(stamp):
            with open(stamp, encoding="utf-8") as text:
                unpacked = text.read().split()[1:]  # "<debian-arch> <package>..."
        missing = [deb for deb in self.debian if deb not in unpacked]
        if missing:
            raise ConanInvalidConfiguration(
                f"{TARGET_ROOT}={root} lacks {' '.join(missing)}: run "
                f"toolchains/debian-sysroot.sh <debian-arch> {root} {' '.join(self.debian)}"
            )

    def package_info(self) -> None:
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.includedirs = list(self.include_dirs)
        self.cpp_info.system_libs = list(self.system_libs)
        root = self.conf.get(TARGET_ROOT, check_type=str)
        if root:
            triple = MULTIARCH[str(self.settings.arch)]
            self.cpp_info.includedirs = [os.path.join(root, "usr", "include")]
            self.cpp_info.libdirs = [os.path.join(root, "usr", "lib", triple)]


class HaloSystemConan(ConanFile):
    name = "halo-system"
    version = "0.1.0"
    package_type = "python-require"
