# CMake toolchain file for riscv64-linux-gnu: 64-bit RISC-V lp64d Linux boards, built with Debian's
# cross compilers and run under QEMU (what it sets: linux-cross.cmake next to this file).
#   cmake -S <project> -B build-riscv64-linux-gnu -DCMAKE_TOOLCHAIN_FILE=<halo>/toolchains/riscv64-linux-gnu.cmake
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(HALO_CROSS_TRIPLE riscv64-linux-gnu)
set(HALO_QEMU qemu-riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake)
