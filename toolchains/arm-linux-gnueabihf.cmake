# CMake toolchain file for arm-linux-gnueabihf: 32-bit ARMv7 hard-float Linux boards, built with Debian's
# cross compilers and run under QEMU (what it sets: linux-cross.cmake next to this file).
#   cmake -S <project> -B build-arm-linux-gnueabihf -DCMAKE_TOOLCHAIN_FILE=<halo>/toolchains/arm-linux-gnueabihf.cmake
set(CMAKE_SYSTEM_PROCESSOR armv7-a)
set(HALO_CROSS_TRIPLE arm-linux-gnueabihf)
set(HALO_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
