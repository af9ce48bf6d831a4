# What the per-board toolchain files share (included by <triple>.cmake after it sets
# CMAKE_SYSTEM_PROCESSOR, HALO_CROSS_TRIPLE and HALO_QEMU): Debian's cross compilers
# (package g++-<triple>), the target's C library under /usr/<triple>, and QEMU user-mode emulation
# (package qemu-user) to run what is built.
#
# Libraries of the target that Debian's cross toolchain lacks (XNNPACK and pthreadpool for an
# ODLA runtime, ...) come from a folder in Debian's layout, usr/include and usr/lib/<triple>:
#   toolchains/debian-sysroot.sh arm64 build/sysroot-arm64 libxnnpack-dev libpthreadpool-dev
#   cmake ... -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake -DHALO_TARGET_ROOT=$PWD/build/sysroot-arm64
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${HALO_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${HALO_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${HALO_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# Packages may be host tools (find_package(Halo) finds the generator), so search both.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# The library path the emulated programs get: the cross toolchain's C library, whole (Debian's
# own arm64 glibc from multiarch packages must not mix with it), then HALO_TARGET_ROOT's.
set(_halo_library_path /usr/${HALO_CROSS_TRIPLE}/lib)

set(HALO_TARGET_ROOT "" CACHE PATH "Extra target libraries in Debian's layout (toolchains/debian-sysroot.sh)")
# try_compile() projects read this toolchain file again: pass the folder on to them.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HALO_TARGET_ROOT)
if(HALO_TARGET_ROOT)
  set(_halo_target_lib ${HALO_TARGET_ROOT}/usr/lib/${HALO_CROSS_TRIPLE})
  list(APPEND CMAKE_FIND_ROOT_PATH ${HALO_TARGET_ROOT})
  string(APPEND CMAKE_CXX_FLAGS_INIT " -isystem ${HALO_TARGET_ROOT}/usr/include")
  string(APPEND CMAKE_C_FLAGS_INIT " -isystem ${HALO_TARGET_ROOT}/usr/include")
  foreach(kind EXE SHARED MODULE)
    string(APPEND CMAKE_${kind}_LINKER_FLAGS_INIT
           " -L${_halo_target_lib} -Wl,-rpath-link,${_halo_target_lib}")
  endforeach()
  string(APPEND _halo_library_path ":${_halo_target_lib}")
endif()

# add_test(), try_run() and custom commands that run target programs go through QEMU.
set(CMAKE_CROSSCOMPILING_EMULATOR
    ${HALO_QEMU} -L /usr/${HALO_CROSS_TRIPLE} -E LD_LIBRARY_PATH=${_halo_library_path})
