# Architecture profiles: kernels/arch/<arch>/profile.cmake holds the facts (kernel ARCH, cross
# prefix, image, QEMU machine, console, gdb architecture ...) and qemu.config the minimal kernel
# fragment. Adding an architecture means adding that folder; nothing here names one.

set(KDK_ARCH_KEYS KERNEL_ARCH SRCARCH CROSS_COMPILE CROSS_PACKAGE LIBC_PACKAGE GCC_MACHINE KERNEL_TARGET
    KERNEL_IMAGE QEMU_BINARY QEMU_PACKAGE FIRMWARE_PACKAGE QEMU_MACHINE QEMU_CPU QEMU_MEMORY QEMU_FIRMWARE QEMU_EXTRA CONSOLE
    EARLYCON GDB_ARCH KVM_HOST KGDB_TTY QEMU_VIRTIO DEBIAN_ARCH)

file(GLOB _kdk_profiles RELATIVE "${PROJECT_SOURCE_DIR}/kernels/arch" "${PROJECT_SOURCE_DIR}/kernels/arch/*/profile.cmake")
set(KDK_KNOWN_ARCHES "")
foreach(_p IN LISTS _kdk_profiles)
  get_filename_component(_a "${_p}" DIRECTORY)
  list(APPEND KDK_KNOWN_ARCHES "${_a}")
endforeach()

set(KDK_ARCHES "x86_64" CACHE STRING "Architectures to build; the first is the default behind run and debug")
foreach(_a IN LISTS KDK_ARCHES)
  if(NOT _a IN_LIST KDK_KNOWN_ARCHES)
    string(REPLACE ";" ", " _known "${KDK_KNOWN_ARCHES}")
    kdk_fatal("KDK_ARCHES: unknown architecture '${_a}'. Known: ${_known} "
      "(each is a folder under kernels/arch/).")
  endif()
endforeach()
list(GET KDK_ARCHES 0 KDK_DEFAULT_ARCH)

# _kdk_load_profile(<arch>)
# Reads the profile in a function scope, so its plain set() lines cannot leak, and publishes
# each key as the global property KDK_<arch>_<KEY>.
function(_kdk_load_profile arch)
  foreach(key IN LISTS KDK_ARCH_KEYS)
    unset(${key})
  endforeach()
  include("${PROJECT_SOURCE_DIR}/kernels/arch/${arch}/profile.cmake")
  foreach(key IN LISTS KDK_ARCH_KEYS)
    set_property(GLOBAL PROPERTY KDK_${arch}_${key} "${${key}}")
  endforeach()
endfunction()

# kdk_arch_get(<arch> <KEY> <out-var>)
# One fact of an architecture's profile.
function(kdk_arch_get arch key out)
  get_property(value GLOBAL PROPERTY KDK_${arch}_${key})
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

foreach(_a IN LISTS KDK_ARCHES)
  _kdk_load_profile(${_a})
endforeach()
