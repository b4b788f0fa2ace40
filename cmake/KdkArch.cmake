# Architecture profiles: kernels/arch/<arch>/profile.cmake holds the facts (kernel ARCH, cross
# prefix, image, QEMU machine, console, gdb architecture ...) and qemu.config the minimal kernel
# fragment. Adding an architecture means adding that folder; nothing here names one.

# The keys a profile sets. Required ones must be set to a value; optional ones may be left out
# (they are then empty). A key not listed here is a mistake: configure stops and names it.
set(KDK_ARCH_REQUIRED_KEYS KERNEL_ARCH SRCARCH CROSS_COMPILE CROSS_PACKAGE CROSS_PACKAGE_FEDORA LIBC_PACKAGE
    GCC_MACHINE KERNEL_TARGET KERNEL_IMAGE QEMU_BINARY QEMU_PACKAGE QEMU_PACKAGE_FEDORA QEMU_MACHINE QEMU_CPU
    QEMU_MEMORY CONSOLE GDB_ARCH KVM_HOST)
set(KDK_ARCH_OPTIONAL_KEYS FIRMWARE_PACKAGE QEMU_FIRMWARE QEMU_EXTRA EARLYCON KGDB_TTY QEMU_VIRTIO DEBIAN_ARCH
    DTB DTB_CONFIG)
set(KDK_ARCH_KEYS ${KDK_ARCH_REQUIRED_KEYS} ${KDK_ARCH_OPTIONAL_KEYS})

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
# each key as the global property KDK_<arch>_<KEY>. A profile is facts only: set(KEY value)
# lines and comments. Any other line, a key that is not a profile key, or a required key left
# out or empty stops configure with the file, the line and the key.
function(_kdk_load_profile arch)
  set(file "${PROJECT_SOURCE_DIR}/kernels/arch/${arch}/profile.cmake")
  file(STRINGS "${file}" lines)
  set(n 0)
  set(seen "")
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^[ \t]*(#.*)?$")
      continue()
    endif()
    if(NOT line MATCHES "^[ \t]*set\\([ \t]*([A-Za-z0-9_]+)[ \t]")
      kdk_fatal("${file}:${n}: a profile holds only set(KEY value) lines and comments; this line is neither:\n  ${line}")
    endif()
    set(key "${CMAKE_MATCH_1}")
    if(NOT key IN_LIST KDK_ARCH_KEYS)
      string(REPLACE ";" " " known "${KDK_ARCH_KEYS}")
      kdk_fatal("${file}:${n}: unknown profile key ${key}. The keys are: ${known} "
        "(each is described in ARCHITECTURE.md, 'Architecture profiles').")
    endif()
    if(key IN_LIST seen)
      kdk_fatal("${file}:${n}: ${key} is set twice in the profile; keep one.")
    endif()
    list(APPEND seen "${key}")
  endforeach()
  foreach(key IN LISTS KDK_ARCH_KEYS)
    unset(${key})
  endforeach()
  include("${file}")
  foreach(key IN LISTS KDK_ARCH_REQUIRED_KEYS)
    if("${${key}}" STREQUAL "")
      kdk_fatal("${file}: the profile does not set ${key}, which every profile needs: add set(${key} ...) "
        "(see ARCHITECTURE.md, 'Architecture profiles', and the other profiles in kernels/arch/).")
    endif()
  endforeach()
  if(DTB AND NOT DTB_CONFIG)
    kdk_fatal("${file}: DTB is ${DTB}, but DTB_CONFIG (the Kconfig option that builds it) is not set: add set(DTB_CONFIG CONFIG_...).")
  endif()
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
