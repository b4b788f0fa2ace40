# Where the Linux and BusyBox sources come from. Configure never downloads: it decides, and the
# build fetches (pinned by SHA256, through a cache shared by every build tree) and unpacks.
#
#   KDK_<PKG>_VERSION           a version from kernels/versions.cmake or busybox/versions.cmake
#   KDK_<PKG>_URL, _SHA256      pin another tarball
#   KDK_<PKG>_SOURCE            a local tarball, or a source tree (the user's git checkout),
#                               which is built out of tree (O=) and never written to
# Each defaults to the environment variable of the same name, so CI can point the README's own
# commands at local sources.

include(KdkLinuxVersion)
include("${PROJECT_SOURCE_DIR}/kernels/versions.cmake")
include("${PROJECT_SOURCE_DIR}/busybox/versions.cmake")

if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
  set(_kdk_cache "$ENV{XDG_CACHE_HOME}/kdk/downloads")
else()
  set(_kdk_cache "$ENV{HOME}/.cache/kdk/downloads")
endif()
if(DEFINED ENV{KDK_DOWNLOAD_DIR})
  set(_kdk_cache "$ENV{KDK_DOWNLOAD_DIR}")
endif()
set(KDK_DOWNLOAD_DIR "${_kdk_cache}" CACHE PATH "Download cache shared by all build trees, searched by upstream file name")

# _kdk_env_default(<var> <default> <doc>)
# A cache variable whose default comes from the environment variable of the same name.
function(_kdk_env_default var default doc)
  if(DEFINED ENV{${var}})
    set(default "$ENV{${var}}")
  endif()
  set(${var} "${default}" CACHE STRING "${doc}")
endfunction()

# _kdk_check_tree(<PKG> <dir> <marker file> <clean command>)
# A user's tree must be a real source tree and clean: kbuild refuses O= builds of a tree that
# has been configured in place, and kdk never writes into it.
function(_kdk_check_tree pkg dir marker clean)
  set(display "Linux kernel")
  if(pkg STREQUAL "BUSYBOX")
    set(display "BusyBox")
  endif()
  if(NOT EXISTS "${dir}/Makefile" OR NOT EXISTS "${dir}/${marker}")
    kdk_fatal("KDK_${pkg}_SOURCE=${dir} is not a ${display} source tree (no Makefile and ${marker} at its top). "
      "Point it at a source tree, or at a tarball (.tar.xz, .tar.gz, .tar.bz2).")
  endif()
  foreach(leftover IN ITEMS .config include/config include/generated vmlinux busybox_unstripped)
    if(EXISTS "${dir}/${leftover}")
      kdk_fatal("KDK_${pkg}_SOURCE=${dir} has been built or configured in place (found ${leftover}), so an "
        "out-of-tree build of it would fail. kdk never writes to your tree; clean it yourself (save your .config "
        "first if you need it):\n  ${clean}")
    endif()
  endforeach()
endfunction()

# kdk_add_source(<pkg> <marker file> <clean command template>)
# Decides where <pkg> (LINUX or BUSYBOX) comes from and adds the build steps that make it ready.
# Sets KDK_<pkg>_SOURCE_DIR (the tree kbuild reads) and KDK_<pkg>_SOURCE_STAMP (a file that
# exists once that tree is ready) in the caller's scope.
function(kdk_add_source pkg marker clean_template)
  string(TOLOWER "${pkg}" name)
  _kdk_env_default(KDK_${pkg}_VERSION "${KDK_${pkg}_DEFAULT_VERSION}" "${name} version from the pinned table")
  _kdk_env_default(KDK_${pkg}_URL "" "${name} tarball URL (with KDK_${pkg}_SHA256), instead of the pinned one")
  _kdk_env_default(KDK_${pkg}_SHA256 "" "SHA256 of KDK_${pkg}_URL")
  _kdk_env_default(KDK_${pkg}_SOURCE "" "local ${name} tarball or source tree, instead of a download")
  set(version "${KDK_${pkg}_VERSION}")
  set(tree "${CMAKE_BINARY_DIR}/src/${name}")
  set(stamp "${CMAKE_BINARY_DIR}/src/${name}.stamp")

  if(KDK_${pkg}_SOURCE)
    get_filename_component(local "${KDK_${pkg}_SOURCE}" ABSOLUTE)
    if(IS_DIRECTORY "${local}")
      string(REPLACE "@DIR@" "${local}" clean "${clean_template}")
      _kdk_check_tree(${pkg} "${local}" "${marker}" "${clean}")
      if(pkg STREQUAL "LINUX")
        kdk_check_linux_version("${local}" ${KDK_LINUX_MIN_VERSION} "KDK_LINUX_SOURCE=${local}")
      endif()
      set(KDK_${pkg}_SOURCE_DIR "${local}" PARENT_SCOPE)
      set(KDK_${pkg}_SOURCE_STAMP "${local}/Makefile" PARENT_SCOPE)
      message(STATUS "kdk: ${name} from the tree ${local} (built out of tree)")
      return()
    endif()
    if(NOT EXISTS "${local}")
      kdk_fatal("KDK_${pkg}_SOURCE=${KDK_${pkg}_SOURCE} does not exist. Give a ${name} tarball or source tree.")
    endif()
    set(tarball "${local}")
    message(STATUS "kdk: ${name} from the tarball ${local}")
  else()
    set(url "${KDK_${pkg}_URL}")
    set(sha256 "${KDK_${pkg}_SHA256}")
    if(NOT url)
      if(NOT DEFINED KDK_${pkg}_${version}_URL)
        kdk_fatal("KDK_${pkg}_VERSION=${version} is not in the pinned table; pick one from "
          "${name}/versions.cmake, or pin it yourself with KDK_${pkg}_URL and KDK_${pkg}_SHA256.")
      endif()
      set(url "${KDK_${pkg}_${version}_URL}")
      set(sha256 "${KDK_${pkg}_${version}_SHA256}")
    elseif(NOT sha256 MATCHES "^[0-9a-f]+$" OR NOT sha256 MATCHES "^................................................................$")
      kdk_fatal("KDK_${pkg}_URL needs KDK_${pkg}_SHA256, the 64-hex-digit SHA256 of the tarball; every download is pinned.")
    endif()
    get_filename_component(file "${url}" NAME)
    set(tarball "${KDK_DOWNLOAD_DIR}/${file}")
    add_custom_command(OUTPUT "${tarball}"
      COMMAND "${CMAKE_COMMAND}" "-DURL=${url}" "-DSHA256=${sha256}" "-DFILE=${tarball}" "-DWHAT=KDK_${pkg}"
              -P "${PROJECT_SOURCE_DIR}/cmake/scripts/fetch.cmake"
      COMMENT "Fetching ${file} (pinned SHA256)"
      VERBATIM)
    message(STATUS "kdk: ${name} ${version} from ${url}, cached in ${KDK_DOWNLOAD_DIR}")
  endif()
  add_custom_command(OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}" "-DARCHIVE=${tarball}" "-DDEST=${tree}" "-DSTAMP=${stamp}" "-DWHAT=KDK_${pkg}_SOURCE"
            -P "${PROJECT_SOURCE_DIR}/cmake/scripts/extract.cmake"
    DEPENDS "${tarball}"
    COMMENT "Unpacking ${name} into ${tree}"
    VERBATIM)
  add_custom_target(source-${name} DEPENDS "${stamp}")
  set(KDK_${pkg}_SOURCE_DIR "${tree}" PARENT_SCOPE)
  set(KDK_${pkg}_SOURCE_STAMP "${stamp}" PARENT_SCOPE)
endfunction()

kdk_add_source(LINUX Kconfig "make -C @DIR@ mrproper")
kdk_add_source(BUSYBOX Config.in "make -C @DIR@ distclean")
