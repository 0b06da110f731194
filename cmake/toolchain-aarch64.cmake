# Cross build for 64-bit Raspberry Pi OS / Debian arm64 on a Debian amd64 machine, with
# Debian multiarch (tools/cross-test installs these):
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install crossbuild-essential-arm64 qemu-user-static \
#     libsodium-dev:arm64 libsqlite3-dev:arm64 libjansson-dev:arm64 \
#     libsdl2-dev:arm64 libsdl2-ttf-dev:arm64 libpng-dev:arm64  # the last three for the kiosk
# Use: cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
# Test programs run under qemu-aarch64-static (CMAKE_CROSSCOMPILING_EMULATOR), so ctest
# works on the build machine.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(DEBRIEF_TRIPLET aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${DEBRIEF_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${DEBRIEF_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${DEBRIEF_TRIPLET})

# Libraries and headers from the arm64 multiarch paths only; programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${DEBRIEF_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# pkg-config must read the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${DEBRIEF_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
find_program(DEBRIEF_CROSS_PKG_CONFIG NAMES ${DEBRIEF_TRIPLET}-pkg-config)
if(DEBRIEF_CROSS_PKG_CONFIG)
  set(PKG_CONFIG_EXECUTABLE ${DEBRIEF_CROSS_PKG_CONFIG} CACHE FILEPATH "pkg-config for arm64")
endif()

# Run arm64 test programs on the build machine. The arm64 loader and libraries are the
# multiarch ones (/lib/ld-linux-aarch64.so.1, /usr/lib/aarch64-linux-gnu), so no -L.
find_program(DEBRIEF_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(DEBRIEF_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${DEBRIEF_QEMU_AARCH64})
endif()
