# The root filesystem of each architecture, packed into an initramfs with `kdk cpio pack`:
# BusyBox's install, then the kernel modules (/lib/modules/<release>, see KdkModules), then
# rootfs/skeleton, then the generated files (inittab with the console shell, checked fstab), then
# KDK_ROOTFS_OVERLAYS, then rootfs/devices.list for device nodes. No root, no mknod, no sudo.
# KDK_INITRAMFS=embedded packs an uncompressed initramfs.cpio that kbuild links into the kernel
# (and compresses as the kernel config says).

set(KDK_ROOTFS_OVERLAYS "" CACHE STRING "Directories overlaid on the root filesystem, in order (later wins)")
set(KDK_INITRAMFS_COMPRESSION "zstd" CACHE STRING "Initramfs compression: none, gzip or zstd")
set_property(CACHE KDK_INITRAMFS_COMPRESSION PROPERTY STRINGS none gzip zstd)
if(NOT KDK_INITRAMFS_COMPRESSION MATCHES "^(none|gzip|zstd)$")
  kdk_fatal("KDK_INITRAMFS_COMPRESSION=${KDK_INITRAMFS_COMPRESSION}: use none, gzip or zstd "
    "(the qemu fragments enable gzip and zstd initrd support)")
endif()

file(GLOB_RECURSE KDK_ROOTFS_SKELETON_FILES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/rootfs/skeleton/*")
set(KDK_ROOTFS_OVERLAY_FILES "")
foreach(_o IN LISTS KDK_ROOTFS_OVERLAYS)
  get_filename_component(_o "${_o}" ABSOLUTE)
  if(NOT IS_DIRECTORY "${_o}")
    kdk_fatal("KDK_ROOTFS_OVERLAYS: ${_o} is not a directory")
  endif()
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS "${_o}/*")
  list(APPEND KDK_ROOTFS_OVERLAY_FILES ${_files})
endforeach()

# kdk_initramfs_image(<arch> <out-var> <compression-out-var>)
# The packed root filesystem of <arch> and its compression: initramfs.cpio.zst (or .gz, or
# .cpio) as KDK_INITRAMFS_COMPRESSION says, or, with KDK_INITRAMFS=embedded, an uncompressed
# initramfs.cpio that kbuild links into the kernel (and compresses as the kernel config says).
function(kdk_initramfs_image arch out compression_out)
  set(compression ${KDK_INITRAMFS_COMPRESSION})
  if(KDK_INITRAMFS STREQUAL "embedded")
    set(compression none)
  endif()
  set(suffix ".cpio")
  if(compression STREQUAL "gzip")
    set(suffix ".cpio.gz")
  elseif(compression STREQUAL "zstd")
    set(suffix ".cpio.zst")
  endif()
  set(${out} "${CMAKE_BINARY_DIR}/${arch}/initramfs${suffix}" PARENT_SCOPE)
  set(${compression_out} ${compression} PARENT_SCOPE)
endfunction()

# kdk_add_initramfs(<arch>)
# Adds initramfs-<arch>. Sets the global property KDK_<arch>_INITRAMFS (the packed file).
function(kdk_add_initramfs arch)
  kdk_arch_get(${arch} CONSOLE console)
  get_property(busybox_install GLOBAL PROPERTY KDK_${arch}_BUSYBOX_INSTALL)
  get_property(busybox_stamp GLOBAL PROPERTY KDK_${arch}_BUSYBOX_STAMP)
  get_property(modules_rootfs GLOBAL PROPERTY KDK_${arch}_MODULES_ROOTFS)
  get_property(modules_stamp GLOBAL PROPERTY KDK_${arch}_MODULES_STAMP)
  kdk_initramfs_image(${arch} image compression)
  set(generated "${CMAKE_BINARY_DIR}/${arch}/rootfs-generated")
  set(skeleton "${PROJECT_SOURCE_DIR}/rootfs/skeleton")
  set(overlays "")
  foreach(o IN LISTS KDK_ROOTFS_OVERLAYS)
    get_filename_component(o "${o}" ABSOLUTE)
    list(APPEND overlays "${o}")
  endforeach()
  set(kdk "$<TARGET_FILE:kdk>")
  add_custom_command(OUTPUT "${generated}/etc/inittab" "${generated}/etc/fstab"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${generated}/etc"
    COMMAND "${CMAKE_COMMAND}" -E copy "${skeleton}/etc/inittab" "${skeleton}/etc/fstab" "${generated}/etc/"
    COMMAND "${kdk}" inittab "${generated}/etc/inittab" --set "${console}::respawn:-/bin/sh"
    COMMAND "${kdk}" fstab "${generated}/etc/fstab" --check
    DEPENDS "${skeleton}/etc/inittab" "${skeleton}/etc/fstab" kdk
    COMMENT "Generating the ${arch} inittab (shell on ${console}) and checking fstab"
    VERBATIM)
  add_custom_command(OUTPUT "${image}"
    COMMAND "${kdk}" cpio pack -o "${image}" --compress ${compression}
            "${busybox_install}" "${modules_rootfs}" "${skeleton}" "${generated}" ${overlays}
            --spec "${PROJECT_SOURCE_DIR}/rootfs/devices.list"
    DEPENDS "${busybox_stamp}" busybox-${arch} "${modules_stamp}" modules-${arch}
            "${generated}/etc/inittab" "${generated}/etc/fstab"
            ${KDK_ROOTFS_SKELETON_FILES} ${KDK_ROOTFS_OVERLAY_FILES} "${PROJECT_SOURCE_DIR}/rootfs/devices.list" kdk
    COMMENT "Packing the ${arch} initramfs (kdk cpio pack, ${compression})"
    VERBATIM)
  add_custom_target(initramfs-${arch} ALL DEPENDS "${image}")
  set_property(GLOBAL PROPERTY KDK_${arch}_INITRAMFS "${image}")
endfunction()
