# CMake toolchain file for aarch64-linux-gnu: 64-bit ARM (Raspberry Pi 4/5, Jetson-class) Linux boards, built with Debian's
# cross compilers and run under QEMU (what it sets: linux-cross.cmake next to this file).
#   cmake -S <project> -B build-aarch64-linux-gnu -DCMAKE_TOOLCHAIN_FILE=<halo>/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(HALO_CROSS_TRIPLE aarch64-linux-gnu)
set(HALO_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
