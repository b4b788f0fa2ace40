# The root filesystem of each architecture, packed into an initramfs with `kdk cpio pack`:
# BusyBox's install, then the kernel modules (/lib/modules/<release>, see KdkModules), then
# rootfs/skeleton, then the generated files (inittab with the console shell, checked fstab), then
# KDK_ROOTFS_OVERLAYS, then rootfs/devices.list for device nodes. No root, no mknod, no sudo.
# KDK_INITRAMFS=embedded packs an uncompressed initramfs.cpio that kbuild links into the kernel
# (and compresses as the kernel config says). KDK_ROOTFS_FORMAT=ext4 writes the same layers into
# an ext4 image with `kdk image ext4` instead, booted on virtio-blk (KdkQemu, qemu.sh).

set(KDK_ROOTFS_OVERLAYS "" CACHE STRING "Directories overlaid on the root filesystem, in order (later wins)")
set(KDK_INITRAMFS_COMPRESSION "zstd" CACHE STRING "Initramfs compression: none, gzip or zstd")
set_property(CACHE KDK_INITRAMFS_COMPRESSION PROPERTY STRINGS none gzip zstd)
if(NOT KDK_INITRAMFS_COMPRESSION MATCHES "^(none|gzip|zstd)$")
  kdk_fatal("KDK_INITRAMFS_COMPRESSION=${KDK_INITRAMFS_COMPRESSION}: use none, gzip or zstd "
    "(the qemu fragments enable gzip and zstd initrd support)")
endif()

set(KDK_ROOTFS_FORMAT "initramfs" CACHE STRING "initramfs: the root filesystem is an initramfs (KDK_INITRAMFS says how it boots); ext4: an ext4 disk image on virtio-blk, root=/dev/vda, each boot on a throwaway qcow2 overlay")
set_property(CACHE KDK_ROOTFS_FORMAT PROPERTY STRINGS initramfs ext4)
if(NOT KDK_ROOTFS_FORMAT MATCHES "^(initramfs|ext4)$")
  kdk_fatal("KDK_ROOTFS_FORMAT=${KDK_ROOTFS_FORMAT}: use initramfs (the default) or ext4 (a disk image on virtio-blk)")
endif()
# The root disk: at most one of KDK_ROOTFS_FORMAT=ext4, KDK_DISK_IMAGE and KDK_DEBIAN, and none of
# them with an embedded initramfs.
set(_kdk_roots "")
if(KDK_ROOTFS_FORMAT STREQUAL "ext4")
  list(APPEND _kdk_roots "KDK_ROOTFS_FORMAT=ext4")
endif()
foreach(_r KDK_DISK_IMAGE KDK_DEBIAN)
  if(${_r})
    list(APPEND _kdk_roots ${_r})
  endif()
endforeach()
list(LENGTH _kdk_roots _n)
string(REPLACE ";" " and " _kdk_roots_text "${_kdk_roots}")
if(_n GREATER 1)
  kdk_fatal("${_kdk_roots_text}: each names the root disk; keep one of them")
endif()
if(_n EQUAL 1 AND KDK_INITRAMFS STREQUAL "embedded")
  kdk_fatal("${_kdk_roots_text} and KDK_INITRAMFS=embedded do not go together: the root filesystem is either a "
    "disk or an initramfs linked into the kernel, whose /init runs whatever root= says. Drop one of them.")
endif()
set(KDK_ROOTFS_SIZE "" CACHE STRING "Size of the ext4 image, N with K, M or G (empty: the tree's blocks, a quarter more and 32 MiB, at least 64 MiB)")
if(KDK_ROOTFS_SIZE AND NOT KDK_ROOTFS_SIZE MATCHES "^[1-9][0-9]*[KMGkmg]$")
  kdk_fatal("KDK_ROOTFS_SIZE=${KDK_ROOTFS_SIZE}: give N with K, M or G, such as 512M (or leave it empty)")
endif()
option(KDK_ROOTFS_PERSIST "With KDK_ROOTFS_FORMAT=ext4: keep what the guest writes, in one qcow2 overlay per architecture (rootfs-reset-<arch> starts it over); OFF: a throwaway overlay each boot" OFF)
# The ext4 image, for KDK_ROOTFS_FORMAT=ext4 (and the test fixtures' ext4 boot test), needs
# e2fsprogs (kdk image ext4); booting from a disk, the image or KDK_DISK_IMAGE, needs qemu-img
# (the overlays).
set(KDK_ROOTFS_EXT4 OFF)
# (Not in an embedded-initramfs tree: its kernel would run the initramfs whatever root= says.)
if(KDK_ROOTFS_FORMAT STREQUAL "ext4" OR (KDK_FIXTURE_DEVICES AND KDK_INITRAMFS STREQUAL "external"))
  set(KDK_ROOTFS_EXT4 ON)
endif()
if(KDK_ROOTFS_EXT4 OR KDK_DISK_IMAGE OR KDK_DEBIAN)
  find_program(KDK_QEMU_IMG qemu-img)
  find_program(KDK_MKE2FS mke2fs PATHS /sbin /usr/sbin)
  find_program(KDK_DEBUGFS debugfs PATHS /sbin /usr/sbin)
  set(_missing "")
  if(NOT KDK_QEMU_IMG)
    list(APPEND _missing "  qemu-img: Debian/Ubuntu 'qemu-utils', Fedora 'qemu-img'")
  endif()
  if((KDK_ROOTFS_EXT4 OR KDK_DEBIAN) AND (NOT KDK_MKE2FS OR NOT KDK_DEBUGFS))
    list(APPEND _missing "  mke2fs and debugfs: Debian/Ubuntu and Fedora 'e2fsprogs'")
  endif()
  if(_missing)
    string(REPLACE ";" "\n" _missing "${_missing}")
    kdk_fatal("a disk for the guest (KDK_ROOTFS_FORMAT=ext4, KDK_DISK_IMAGE, KDK_DEBIAN, or the test fixtures' ext4 image) needs:\n${_missing}")
  endif()
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
# Adds initramfs-<arch>, and rootfs-ext4-<arch> when the ext4 image is built. Sets the global
# properties KDK_<arch>_INITRAMFS (the packed file) and KDK_<arch>_ROOTFS_EXT4 (the image).
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
  # Trees other modules add (KdkKselftest: the kselftest collections), before the user's overlays.
  get_property(extra_layers GLOBAL PROPERTY KDK_${arch}_ROOTFS_LAYERS)
  get_property(extra_inputs GLOBAL PROPERTY KDK_${arch}_ROOTFS_LAYER_INPUTS)
  # The same layers and list for both formats: the initramfs and the ext4 image hold one tree.
  set(layers "${busybox_install}" "${modules_rootfs}" "${skeleton}" "${generated}" ${extra_layers} ${overlays}
      --spec "${PROJECT_SOURCE_DIR}/rootfs/devices.list")
  set(inputs "${busybox_stamp}" busybox-${arch} "${modules_stamp}" modules-${arch}
      "${generated}/etc/inittab" "${generated}/etc/fstab" ${extra_inputs}
      ${KDK_ROOTFS_SKELETON_FILES} ${KDK_ROOTFS_OVERLAY_FILES} "${PROJECT_SOURCE_DIR}/rootfs/devices.list" kdk)
  add_custom_command(OUTPUT "${image}"
    COMMAND "${kdk}" cpio pack -o "${image}" --compress ${compression} ${layers}
    DEPENDS ${inputs}
    COMMENT "Packing the ${arch} initramfs (kdk cpio pack, ${compression})"
    VERBATIM)
  set(all ALL)
  if(KDK_ROOTFS_FORMAT STREQUAL "ext4")
    set(all "")  # built only when asked for
  endif()
  add_custom_target(initramfs-${arch} ${all} DEPENDS "${image}")
  set_property(GLOBAL PROPERTY KDK_${arch}_INITRAMFS "${image}")
  kdk_arch_get(${arch} QEMU_VIRTIO virtio)
  if(KDK_ROOTFS_EXT4 AND virtio)  # (a machine without virtio has no disk to boot it from)
    set(ext4 "${CMAKE_BINARY_DIR}/${arch}/rootfs.ext4")
    set(size "")
    if(KDK_ROOTFS_SIZE)
      set(size --size ${KDK_ROOTFS_SIZE})
    endif()
    add_custom_command(OUTPUT "${ext4}"
      COMMAND "${kdk}" image ext4 -o "${ext4}" ${size} ${layers}
      DEPENDS ${inputs}
      COMMENT "Writing the ${arch} root filesystem into an ext4 image (kdk image ext4)"
      VERBATIM)
    add_custom_target(rootfs-ext4-${arch} ALL DEPENDS "${ext4}")
    set_property(GLOBAL PROPERTY KDK_${arch}_ROOTFS_EXT4 "${ext4}")
  endif()
endfunction()
