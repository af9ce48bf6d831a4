# Conan host profile: 64-bit RISC-V Linux boards (lp64d: VisionFive 2, HiFive Unmatched), with Debian's cross compilers (package g++-riscv64-linux-gnu).
# The CMake settings (find root /usr/riscv64-linux-gnu, QEMU as CMAKE_CROSSCOMPILING_EMULATOR so that
# ctest and try_run work) come from riscv64-linux-gnu.cmake next to this file; halo_add_model() takes the
# target triple (riscv64-linux-gnu) from that toolchain, so the weights object follows the target.
#   conan build examples/conan -pr:h toolchains/riscv64.profile -pr:b default --build=missing
[settings]
os=Linux
arch=riscv64
compiler=gcc
compiler.version=12
compiler.libcxx=libstdc++11
compiler.cppstd=gnu17
build_type=Release

[buildenv]
CC=riscv64-linux-gnu-gcc
CXX=riscv64-linux-gnu-g++

[conf]
tools.build:compiler_executables={"c": "riscv64-linux-gnu-gcc", "cpp": "riscv64-linux-gnu-g++"}
tools.cmake.cmaketoolchain:user_toolchain=["{{ os.path.join(profile_dir, 'riscv64-linux-gnu.cmake') }}"]
tools.cmake.cmaketoolchain:system_processor=riscv64
