# Host checks at configure time: every missing tool is collected, and one message lists them all
# with their Debian/Ubuntu and Fedora package names. Configure does not stop at the first.

include(CheckIncludeFile)

set(_kdk_missing "")
# _kdk_require(<var> <debian package> <fedora package> <names>...)
# Finds a program into <var>, or records it as missing.
macro(_kdk_require var debian fedora)
  find_program(${var} NAMES ${ARGN})
  if(NOT ${var})
    string(REPLACE ";" " or " _names "${ARGN}")
    list(APPEND _kdk_missing "  ${_names}: Debian/Ubuntu '${debian}', Fedora '${fedora}'")
  endif()
endmacro()

_kdk_require(KDK_MAKE make make make gmake)
_kdk_require(KDK_FLEX flex flex flex)
_kdk_require(KDK_BISON bison bison bison)
_kdk_require(KDK_BC bc bc bc)
_kdk_require(KDK_PERL perl perl perl)
_kdk_require(KDK_HOST_CC gcc gcc gcc cc)
_kdk_require(KDK_READELF binutils binutils readelf)
_kdk_require(KDK_GDB gdb-multiarch gdb gdb-multiarch)
_kdk_require(KDK_DEPMOD kmod kmod depmod)
check_include_file(gelf.h KDK_HAVE_GELF_H)
if(NOT KDK_HAVE_GELF_H)
  list(APPEND _kdk_missing "  libelf headers (gelf.h): Debian/Ubuntu 'libelf-dev', Fedora 'elfutils-libelf-devel'")
endif()
check_include_file(openssl/opensslv.h KDK_HAVE_OPENSSL_H)
if(NOT KDK_HAVE_OPENSSL_H)
  list(APPEND _kdk_missing "  OpenSSL headers: Debian/Ubuntu 'libssl-dev', Fedora 'openssl-devel'")
endif()

foreach(_a IN LISTS KDK_ARCHES)
  string(TOUPPER "${_a}" _A)
  kdk_arch_get(${_a} CROSS_COMPILE _prefix)
  kdk_arch_get(${_a} CROSS_PACKAGE _cross_pkg)
  kdk_arch_get(${_a} QEMU_BINARY _qemu)
  kdk_arch_get(${_a} QEMU_PACKAGE _qemu_pkg)
  kdk_arch_get(${_a} CROSS_PACKAGE_FEDORA _cross_pkg_fedora)
  kdk_arch_get(${_a} QEMU_PACKAGE_FEDORA _qemu_pkg_fedora)
  kdk_arch_get(${_a} GCC_MACHINE _machine)
  kdk_arch_get(${_a} QEMU_FIRMWARE _firmware)
  kdk_arch_get(${_a} FIRMWARE_PACKAGE _firmware_pkg)
  set(KDK_CROSS_COMPILE_${_A} "${_prefix}" CACHE STRING "Cross-compiler prefix for ${_a} (CROSS_COMPILE)")
  _kdk_require(KDK_${_A}_CC ${_cross_pkg} ${_cross_pkg_fedora} ${KDK_CROSS_COMPILE_${_A}}gcc)
  _kdk_require(KDK_${_A}_QEMU ${_qemu_pkg} ${_qemu_pkg_fedora} ${_qemu})
  if(KDK_${_A}_CC)
    # A compiler for another architecture would fail twenty minutes into the kernel build.
    execute_process(COMMAND "${KDK_${_A}_CC}" -dumpmachine OUTPUT_VARIABLE _dumped OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT _dumped MATCHES "${_machine}")
      kdk_fatal("KDK_CROSS_COMPILE_${_A}=${KDK_CROSS_COMPILE_${_A}}: ${KDK_${_A}_CC} builds for "
        "'${_dumped}', not for ${_a} (expected a target matching '${_machine}'). Install '${_cross_pkg}' "
        "and leave KDK_CROSS_COMPILE_${_A} at its default, or point it at a ${_a} toolchain.")
    endif()
  endif()
  if(_firmware AND NOT EXISTS "${_firmware}")
    list(APPEND _kdk_missing "  ${_firmware}: the firmware QEMU boots ${_a} with (Debian/Ubuntu '${_firmware_pkg}')")
  endif()
endforeach()

# The kernel's toolchain. llvm: kbuild's LLVM=<dir>/ with the newest clang found (Debian's
# versioned clang-N, whose tools live in /usr/lib/llvm-N/bin); the kernel's own minimum version
# is checked when it is configured (scripts/min-tool-version.sh), since the source may not be
# here yet.
set(KDK_LINUX_TOOLCHAIN "gcc" CACHE STRING "Kernel toolchain: gcc (CROSS_COMPILE's gcc and binutils) or llvm (LLVM=1: clang and lld)")
set_property(CACHE KDK_LINUX_TOOLCHAIN PROPERTY STRINGS gcc llvm)
if(NOT KDK_LINUX_TOOLCHAIN MATCHES "^(gcc|llvm)$")
  kdk_fatal("KDK_LINUX_TOOLCHAIN=${KDK_LINUX_TOOLCHAIN}: use gcc (the default) or llvm (clang and lld, kbuild's LLVM=1).")
endif()
set(KDK_LLVM_DIR "")
if(KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
  find_program(KDK_CLANG NAMES clang-21 clang-20 clang-19 clang-18 clang-17 clang-16 clang-15 clang-14 clang-13 clang
    DOC "clang for KDK_LINUX_TOOLCHAIN=llvm; its directory holds ld.lld and the llvm-* tools")
  # (No ';' in these messages: they are elements of a CMake list.)
  set(_llvm_pkgs "Debian/Ubuntu 'clang-19 lld-19 llvm-19' (the newest LLVM in Debian 12: Linux 7.x needs LLVM 17.0.1 or newer, 6.12 13.0.1, 6.1 11.0.0)")
  if(NOT KDK_CLANG OR NOT EXISTS "${KDK_CLANG}")
    list(APPEND _kdk_missing "  clang (KDK_LINUX_TOOLCHAIN=llvm, KDK_CLANG=${KDK_CLANG}): ${_llvm_pkgs}")
  else()
    file(REAL_PATH "${KDK_CLANG}" _clang)
    get_filename_component(KDK_LLVM_DIR "${_clang}" DIRECTORY)
    foreach(_tool ld.lld llvm-ar llvm-nm llvm-objcopy llvm-objdump llvm-readelf llvm-strip)
      if(NOT EXISTS "${KDK_LLVM_DIR}/${_tool}")
        list(APPEND _kdk_missing "  ${KDK_LLVM_DIR}/${_tool} (beside ${_clang}, kbuild's LLVM=1 needs it): ${_llvm_pkgs}")
      endif()
    endforeach()
    message(STATUS "kdk: the kernel is built with LLVM from ${KDK_LLVM_DIR} (LLVM=${KDK_LLVM_DIR}/)")
  endif()
endif()

if(_kdk_missing)
  string(REPLACE ";" "\n" _list "${_kdk_missing}")
  kdk_fatal("kdk needs these host tools, which are missing:\n${_list}\n"
    "On Debian/Ubuntu, tools/install-deps.sh installs them all.")
endif()

find_program(KDK_CCACHE_PROGRAM ccache)
set(KDK_CCACHE "${KDK_CCACHE_PROGRAM}" CACHE STRING "ccache for kernel and BusyBox builds (empty: none)")
