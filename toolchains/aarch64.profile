# Conan host profile: 64-bit ARM Linux boards (Raspberry Pi 4/5, NVIDIA Jetson), with Debian's cross compilers (package g++-aarch64-linux-gnu).
# The CMake settings (find root /usr/aarch64-linux-gnu, QEMU as CMAKE_CROSSCOMPILING_EMULATOR so that
# ctest and try_run work) come from aarch64-linux-gnu.cmake next to this file; halo_add_model() takes the
# target triple (aarch64-linux-gnu) from that toolchain, so the weights object follows the target.
#   conan build examples/conan -pr:h toolchains/aarch64.profile -pr:b default --build=missing
[settings]
os=Linux
arch=armv8
compiler=gcc
compiler.version=12
compiler.libcxx=libstdc++11
compiler.cppstd=gnu17
build_type=Release

[buildenv]
CC=aarch64-linux-gnu-gcc
CXX=aarch64-linux-gnu-g++

[conf]
tools.build:compiler_executables={"c": "aarch64-linux-gnu-gcc", "cpp": "aarch64-linux-gnu-g++"}
tools.cmake.cmaketoolchain:user_toolchain=["{{ os.path.join(profile_dir, 'aarch64-linux-gnu.cmake') }}"]
tools.cmake.cmaketoolchain:system_processor=aarch64
