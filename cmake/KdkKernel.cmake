# The kernel of each architecture: tinyconfig (or KDK_LINUX_BASE) + the architecture's qemu
# fragment + the preset's fragments + the user's, built out of tree with kbuild.

set(KDK_LINUX_BASE "tinyconfig" CACHE STRING "Kernel base config: tinyconfig, defconfig, or the path of your own .config")
set(KDK_LINUX_PRESET_FRAGMENTS "" CACHE STRING "Fragments from kernels/fragments/ by name, e.g. debug;nokaslr (set by presets)")
set(KDK_LINUX_FRAGMENTS "" CACHE STRING "Your own kernel config fragments (paths), merged last")
set(KDK_LINUX_CMDLINE "" CACHE STRING "Extra kernel command line arguments")
set(KDK_INITRAMFS "external" CACHE STRING "external: QEMU loads the initramfs with -initrd; embedded: it is linked into the kernel (CONFIG_INITRAMFS_SOURCE)")
set_property(CACHE KDK_INITRAMFS PROPERTY STRINGS external embedded)
if(NOT KDK_INITRAMFS MATCHES "^(external|embedded)$")
  kdk_fatal("KDK_INITRAMFS=${KDK_INITRAMFS}: use external (QEMU's -initrd, the default) or embedded "
    "(linked into the kernel image through CONFIG_INITRAMFS_SOURCE).")
endif()

# Kernel builds are reproducible and share ccache hits across build trees: fixed identity, and
# ccache told to rewrite absolute paths (the source tree, O=) relative to the compile directory.
set(KDK_KBUILD_ENVIRONMENT
  "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970" KBUILD_BUILD_USER=kdk KBUILD_BUILD_HOST=kdk KBUILD_BUILD_VERSION=1)
if(KDK_CCACHE)
  list(APPEND KDK_KBUILD_ENVIRONMENT CCACHE_BASEDIR=/ CCACHE_NOHASHDIR=1 CCACHE_SLOPPINESS=time_macros)
endif()

# kdk_linux_fragments(<arch> <out-var>)
# Every fragment the kernel of <arch> is configured with, in merge order: the architecture's,
# the preset's, the ones declared kernel modules need, the embedded initramfs, then the user's.
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
  kdk_kernel_module_fragments(${arch} module_fragments)
  list(APPEND list ${module_fragments})
  if(KDK_INITRAMFS STREQUAL "embedded")
    list(APPEND list "${CMAKE_BINARY_DIR}/${arch}/initramfs-embedded.config")
  endif()
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
# Adds vmlinux-<arch> (kbuild: vmlinux, the gdb scripts, modules when the config has them) and
# linux-<arch> (the bootable image). With KDK_INITRAMFS=embedded the image is made after the
# initramfs, so a root filesystem change only re-runs kbuild's usr/ step and the final link.
# Sets KDK_<arch>_LINUX_BUILD_DIR, _IMAGE, _FRAGMENTS and _HAS_MODULES as global properties.
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
  set(prepare "")
  if(KDK_INITRAMFS STREQUAL "embedded")
    # The packed root filesystem, named relative to O=, so the string (and autoconf.h, and
    # ccache's hits) is the same in every tree.
    kdk_initramfs_image(${arch} cpio compression)
    file(RELATIVE_PATH cpio_from_build "${build}" "${cpio}")
    file(CONFIGURE OUTPUT "${CMAKE_BINARY_DIR}/${arch}/initramfs-embedded.config" CONTENT
"# Generated by kdk (KDK_INITRAMFS=embedded): the packed root filesystem, linked into the kernel.
CONFIG_BLK_DEV_INITRD=y
CONFIG_INITRAMFS_SOURCE=\"${cpio_from_build}\"
")
    # The first vmlinux link needs the file before the root filesystem exists: a placeholder
    # holding only /dev/console, dated 1970 so that it is older than anything the real archive
    # is packed from, which replaces it before linux-<arch> links again.
    set(prepare COMMAND bash -c "[ -e \"$1\" ] || ( \"$2\" cpio pack -o \"$1\" --spec \"$3\" && touch -d @0 \"$1\" )" placeholder
                "${cpio}" "$<TARGET_FILE:kdk>" "${PROJECT_SOURCE_DIR}/rootfs/devices.list")
  endif()
  kdk_linux_fragments(${arch} fragments)
  kdk_linux_has_modules("${fragments}" has_modules)
  set(targets vmlinux scripts_gdb)
  if(has_modules)
    list(APPEND targets modules)
  endif()
  if(KDK_INITRAMFS STREQUAL "external")
    list(APPEND targets ${target})
  endif()
  kdk_add_kbuild(vmlinux-${arch}
    PACKAGE linux ARCH ${arch}
    SOURCE_DIR "${KDK_LINUX_SOURCE_DIR}" SOURCE_STAMP "${KDK_LINUX_SOURCE_STAMP}"
    BUILD_DIR "${build}"
    MAKE_ARGS ${make_args}
    ENVIRONMENT ${KDK_KBUILD_ENVIRONMENT}
    BASE "${KDK_LINUX_BASE}"
    FRAGMENTS ${fragments}
    OLDCONFIG olddefconfig
    KCONFIG_ARCH ${srcarch}
    BUILD_TARGETS ${targets}
    PRE_BUILD ${prepare}
    BYPRODUCTS "${build}/vmlinux")
  get_property(make GLOBAL PROPERTY KDK_${arch}_LINUX_MAKE)
  if(KDK_INITRAMFS STREQUAL "embedded")
    add_custom_target(linux-${arch} ALL
      COMMAND ${make} -j${KDK_JOBS} ${target}
      DEPENDS vmlinux-${arch} initramfs-${arch}
      BYPRODUCTS "${build}/${image}"
      COMMENT "Linking the ${arch} kernel image with the initramfs embedded (kbuild: usr/ and the final link)"
      VERBATIM)
  else()
    add_custom_target(linux-${arch} ALL DEPENDS vmlinux-${arch})
  endif()
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_BUILD_DIR "${build}")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_IMAGE "${build}/${image}")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_FRAGMENTS "${fragments}")
  set_property(GLOBAL PROPERTY KDK_${arch}_LINUX_HAS_MODULES ${has_modules})
endfunction()
