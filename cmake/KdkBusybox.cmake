# BusyBox for each architecture: defconfig + busybox/fragments/ + the user's fragments, built out
# of tree, static, and installed into a staging directory that becomes the root filesystem.

set(KDK_BUSYBOX_FRAGMENTS "" CACHE STRING "Your own BusyBox config fragments (paths), merged last")

# kdk_add_busybox(<arch>)
# Adds busybox-<arch> and menuconfig-busybox-<arch>. Sets the global property
# KDK_<arch>_BUSYBOX_INSTALL (the staging directory) and _STAMP (changes only when it does).
function(kdk_add_busybox arch)
  kdk_arch_get(${arch} LIBC_PACKAGE libc)
  kdk_kbuild_dirs(busybox ${arch} source build)
  kdk_make_command(make busybox ${arch})
  string(REPLACE ";" "|" make_arg "${make}")
  set(install "${CMAKE_BINARY_DIR}/${arch}/busybox-install")
  set(stamp "${CMAKE_BINARY_DIR}/${arch}/busybox-install.stamp")
  set(fragments "${PROJECT_SOURCE_DIR}/busybox/fragments/static.config" "${PROJECT_SOURCE_DIR}/busybox/fragments/kdk.config")
  foreach(f IN LISTS KDK_BUSYBOX_FRAGMENTS)
    get_filename_component(path "${f}" ABSOLUTE)
    if(NOT EXISTS "${path}")
      kdk_fatal("KDK_BUSYBOX_FRAGMENTS: ${f} does not exist")
    endif()
    list(APPEND fragments "${path}")
  endforeach()
  kdk_add_kbuild(busybox-${arch}
    PACKAGE busybox ARCH ${arch}
    SOURCE_STAMP "${KDK_BUSYBOX_SOURCE_STAMP}"
    BASE defconfig
    FRAGMENTS ${fragments}
    OLDCONFIG oldconfig
    BUILD_TARGETS busybox
    POST_BUILD COMMAND "${CMAKE_COMMAND}" "-DMAKE_COMMAND=${make_arg}"
                       "-DBUILD_DIR=${build}" "-DINSTALL_DIR=${install}" "-DSTAMP=${stamp}" "-DREADELF=${KDK_READELF}"
                       "-DLIBC_PACKAGE=${libc}"
                       -P "${PROJECT_SOURCE_DIR}/cmake/scripts/busybox-install.cmake"
    OUTPUT "${stamp}"
    BYPRODUCTS "${build}/busybox")
  set_property(GLOBAL PROPERTY KDK_${arch}_BUSYBOX_INSTALL "${install}")
  set_property(GLOBAL PROPERTY KDK_${arch}_BUSYBOX_STAMP "${stamp}")
endfunction()
