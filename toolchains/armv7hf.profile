# Conan host profile: 32-bit ARMv7 hard-float Linux boards (Raspberry Pi 2/3 on 32-bit OS, BeagleBone), with Debian's cross compilers (package g++-arm-linux-gnueabihf).
# The CMake settings (find root /usr/arm-linux-gnueabihf, QEMU as CMAKE_CROSSCOMPILING_EMULATOR so that
# ctest and try_run work) come from arm-linux-gnueabihf.cmake next to this file; halo_add_model() takes the
# target triple (arm-linux-gnueabihf) from that toolchain, so the weights object follows the target.
#   conan build examples/conan -pr:h toolchains/armv7hf.profile -pr:b default --build=missing
[settings]
os=Linux
arch=armv7hf
compiler=gcc
compiler.version=12
compiler.libcxx=libstdc++11
compiler.cppstd=gnu17
build_type=Release

[buildenv]
CC=arm-linux-gnueabihf-gcc
CXX=arm-linux-gnueabihf-g++

[conf]
tools.build:compiler_executables={"c": "arm-linux-gnueabihf-gcc", "cpp": "arm-linux-gnueabihf-g++"}
tools.cmake.cmaketoolchain:user_toolchain=["{{ os.path.join(profile_dir, 'arm-linux-gnueabihf.cmake') }}"]
tools.cmake.cmaketoolchain:system_processor=armv7-a
