# CMake toolchain file for riscv64-linux-gnu: Debian's cross compilers (package g++-riscv64-linux-gnu), the
# target's headers and libraries under /usr/riscv64-linux-gnu, and QEMU user-mode emulation (package
# qemu-user) to run what is built.
#   cmake -S <project> -B build-riscv64-linux-gnu -DCMAKE_TOOLCHAIN_FILE=<halo>/toolchains/riscv64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)

set(HALO_CROSS_TRIPLE riscv64-linux-gnu)
set(CMAKE_C_COMPILER ${HALO_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${HALO_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${HALO_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Packages may be host tools (find_package(Halo) finds the generator), so search both.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# add_test(), try_run() and custom commands that run target programs go through QEMU.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-riscv64 -L /usr/${HALO_CROSS_TRIPLE})
