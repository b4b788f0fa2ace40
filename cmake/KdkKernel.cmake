# The kernel of each architecture: tinyconfig (or KDK_LINUX_BASE) + the architecture's qemu
# fragment + the preset's fragments + the user's, built out of tree with kbuild.

set(KDK_LINUX_BASE "tinyconfig" CACHE STRING "Kernel base config: tinyconfig, defconfig, or the path of your own .config")
set(KDK_LINUX_PRESET_FRAGMENTS "" CACHE STRING "Fragments from kernels/fragments/ by name, e.g. debug;nokaslr (set by presets)")
set(KDK_LINUX_FRAGMENTS "" CACHE STRING "Your own kernel config fragments (paths), merged last")
set(KDK_LINUX_CMDLINE "" CACHE STRING "Extra kernel command line arguments")

# Kernel builds are reproducible and share ccache hits across build trees: fixed identity, and
# ccache told to rewrite absolute paths (the source tree, O=) relative to the compile directory.
set(KDK_KBUILD_ENVIRONMENT
  "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970" KBUILD_BUILD_USER=kdk KBUILD_BUILD_HOST=kdk KBUILD_BUILD_VERSION=1)
if(KDK_CCACHE)
  list(APPEND KDK_KBUILD_ENVIRONMENT CCACHE_BASEDIR=/ CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros)
endif()

# kdk_linux_fragments(<arch> <out-var>)
# Every fragment the kernel of <arch> is configured with, in merge order.
function(kdk_linux_fragments arch out)
  set(list "${PROJECT_SOURCE_DIR}/kernels/arch/${arch}/qemu.config")
  foreach(f IN LISTS KDK_LINUX_PRESET_FRAGMENTS)
    set(path "${PROJECT_SOURCE_DIR}/kernels/fragments/${f}.config")
    if(NOT EXISTS "${path}")
      file(GLOB known RELATIVE "${PROJECT_SOURCE_DIR}/kernels/fragments" "${PROJECT_SOURCE_DIR}/kernels/fragments/*.config")
      string(REPLACE ".config" "" known "${known}")
      string(REPLACE ";" ", " known "${known}")
      kdk_fatal("KDK_LINUX_PRESET_FRAGMENTS: no fragment '${f}' in kernels/fragments/ (there are: ${known})")
    endif()
    list(APPEND list "${path}")
  endforeach()
  foreach(f IN LISTS KDK_LINUX_FRAGMENTS)
    get_filename_component(path "${f}" ABSOLUTE)
    if(NOT EXISTS "${path}")
      kdk_fatal("KDK_LINUX_FRAGMENTS: ${f} does not exist")
    endif()
    list(APPEND list "${path}")
  endforeach()
  set(${out} "${list}" PARENT_SCOPE)
endfunction()

# kdk_linux_cmdline(<arch> <out-var>)
# The kernel command line: console, earlycon, `# kdk-cmdline:` lines of the fragments in use
# (nokaslr.config adds nokaslr), then KDK_LINUX_CMDLINE.
function(kdk_linux_cmdline arch out)
  kdk_arch_get(${arch} CONSOLE console)
  kdk_arch_get(${arch} EARLYCON earlycon)
  set(cmdline "console=${console},115200 ${earlycon} panic=-1")
  kdk_linux_fragments(${arch} fragments)
  foreach(f IN LISTS fragments)
    file(STRINGS "${f}" extra REGEX "^# kdk-cmdline: ")
    foreach(line IN LISTS extra)
      string(REGEX REPLACE "^# kdk-cmdline: " "" words "${line}")
      string(APPEND cmdline " ${words}")
    endforeach()
  endforeach()
  string(APPEND cmdline " ${KDK_LINUX_CMDLINE}")
  string(REGEX REPLACE "  +" " " cmdline "${cmdline}")
  string(STRIP "${cmdline}" cmdline)
  set(${out} "${cmdline}" PARENT_SCOPE)
endfunction()

# kdk_add_linux(<arch>)
# Adds linux-<arch> and its companions. Sets KDK_<arch>_LINUX_BUILD_DIR, _IMAGE and _VMLINUX as
# global properties for the QEMU targets and the tests.
function(kdk_add_linux arch)
  string(TOUPPER "${arch}" A)
  kdk_arch_get(${arch} KERNEL_ARCH kernel_arch)
  kdk_arch_get(${arch} SRCARCH srcarch)
  kdk_arch_get(${arch} KERNEL_TARGET target)
  kdk_arch_get(${arch} KERNEL_IMAGE image)
  set(build "${CMAKE_BINARY_DIR}/${arch}/linux")
  set(cross "${KDK_CROSS_COMPILE_${A}}")
  set(make_args "ARCH=${kernel_arch}" "CROSS_COMPILE=${cross}")
  if(KDK_CCACHE)
    list(APPEND make_args "CC=${KDK_CCACHE} ${cross}gcc" "HOSTCC=${KDK_CCACHE} gcc")
  endif()
  kdk_linux_fragments(${arch} fragments)
  kdk_add_kbuild(linux-${arch}
    PACKAGE linux ARCH ${arch}
    SOURCE_DIR "${KDK_LINUX_SOURCE_DIR}" SOURCE_STAMP "${KDK_LINUX_SOURCE_STAMP}"
    BUILD_DIR "${build}"
    MAKE_ARGS ${make_args}
    ENVIRONMENT ${KDK_KBUILD_ENVIRONMENT}
    BASE "${KDK_LINUX_BASE}"
    FRAGMENTS ${fragments}
    OLDCONFIG olddefconfig
    KCONFIG_ARCH ${srcarch}
    BUILD_TARGETS ${target} vmlinux scripts_gdb
    BYPRODUCTS "${build}/${image}" "${build}/vmlinux")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_BUILD_DIR "${build}")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_IMAGE "${build}/${image}")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_FRAGMENTS "${fragments}")
endfunction()
