# A Debian userland as the guest's root (KDK_DEBIAN=ON): rootfs-debian-<arch> runs mmdebstrap
# without root (cmake/scripts/debian-rootfs.sh) and makes <build>/<arch>/debian.ext4 from its tar
# archive with `kdk image ext4 --tar`; run, debug, gdbserver and kgdb boot that image (root=/dev/vda,
# systemd, a login on the serial console) through the same qcow2 overlays as any disk root. The
# kernel takes kernels/fragments/distro.config and disk.config. Not part of the default build: it
# downloads from Debian's archive and takes a minute or more; `ninja run` builds it when it is
# missing. The boot test (tests/boot/debian.sh) builds its own image, on the architecture of the
# host, whose fixture kernel takes distro.config for it.

set(KDK_DEBIAN_SUITE "bookworm" CACHE STRING "With KDK_DEBIAN: the Debian suite (bookworm, trixie, sid, ...; riscv64 needs trixie or later)")
set(KDK_DEBIAN_MIRROR "" CACHE STRING "With KDK_DEBIAN: the mirror URI or a sources.list file for mmdebstrap (empty: mmdebstrap's default)")
set(KDK_DEBIAN_PACKAGES "" CACHE STRING "With KDK_DEBIAN: more packages for the image (;-separated), beside systemd-sysv and udev")
set(KDK_DEBIAN_MODE "unshare" CACHE STRING "With KDK_DEBIAN: mmdebstrap's mode, unshare (user namespaces) or fakeroot; neither needs root")
set_property(CACHE KDK_DEBIAN_MODE PROPERTY STRINGS unshare fakeroot)
set(KDK_DEBIAN_SIZE "2G" CACHE STRING "With KDK_DEBIAN: the image's size, N with K, M or G (a sparse file: unused space takes no disk)")

# The Debian architecture of this host, for the boot test (a foreign one needs qemu-user and binfmt_misc).
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE KDK_HOST_DEBIAN_ARCH
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _kdk_dpkg)
if(NOT _kdk_dpkg EQUAL 0)
  set(KDK_HOST_DEBIAN_ARCH "")
endif()
find_program(KDK_MMDEBSTRAP mmdebstrap)

if(KDK_DEBIAN)
  if(NOT KDK_DEBIAN_MODE MATCHES "^(unshare|fakeroot)$")
    kdk_fatal("KDK_DEBIAN_MODE=${KDK_DEBIAN_MODE}: use unshare (user namespaces) or fakeroot; both run without root")
  endif()
  if(NOT KDK_DEBIAN_SUITE MATCHES "^[a-z][a-z0-9-]*$")
    kdk_fatal("KDK_DEBIAN_SUITE='${KDK_DEBIAN_SUITE}': give a Debian suite name, such as bookworm, trixie or sid")
  endif()
  if(NOT KDK_DEBIAN_SIZE MATCHES "^[1-9][0-9]*[KMGkmg]$")
    kdk_fatal("KDK_DEBIAN_SIZE=${KDK_DEBIAN_SIZE}: give N with K, M or G, such as 2G")
  endif()
  foreach(_p IN LISTS KDK_DEBIAN_PACKAGES)
    if(NOT _p MATCHES "^[a-z0-9][a-z0-9+.:-]*$")
      kdk_fatal("KDK_DEBIAN_PACKAGES: '${_p}' is not a Debian package name (separate several with ';')")
    endif()
  endforeach()
  # (With KDK_ROOTFS_FORMAT=ext4, KDK_DISK_IMAGE or an embedded initramfs: refused in KdkRootfs.)
  if(NOT KDK_MMDEBSTRAP)
    kdk_warning("KDK_DEBIAN: mmdebstrap is not installed; rootfs-debian-<arch> (and run, debug) will fail until it is: "
      "apt-get install mmdebstrap (unshare mode as a user other than root also needs 'uidmap')")
  endif()
endif()

# kdk_add_debian_rootfs(<arch>)
# With KDK_DEBIAN: the target rootfs-debian-<arch> (not in the default build) and the property
# KDK_<arch>_DEBIAN_IMAGE, the image it makes.
function(kdk_add_debian_rootfs arch)
  if(NOT KDK_DEBIAN)
    return()
  endif()
  kdk_arch_get(${arch} DEBIAN_ARCH deb_arch)
  set(image "${CMAKE_BINARY_DIR}/${arch}/debian.ext4")
  set(packages "")
  if(KDK_DEBIAN_PACKAGES)
    set(packages -- ${KDK_DEBIAN_PACKAGES})
  endif()
  add_custom_command(OUTPUT "${image}"
    COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/scripts/debian-rootfs.sh" "$<TARGET_FILE:kdk>" ${deb_arch}
      "${KDK_DEBIAN_SUITE}" ${KDK_DEBIAN_MODE} ${KDK_DEBIAN_SIZE} "${image}" ${KDK_DEBIAN_MIRROR} ${packages}
    DEPENDS kdk "${PROJECT_SOURCE_DIR}/cmake/scripts/debian-rootfs.sh"
    USES_TERMINAL
    VERBATIM)
  add_custom_target(rootfs-debian-${arch} DEPENDS "${image}")
  set_property(GLOBAL PROPERTY KDK_${arch}_DEBIAN_IMAGE "${image}")
endfunction()
