# The version of a Linux source tree, and the oldest one kdk supports. Included by KdkSources at
# configure time (a tree that is already here) and by scripts/kbuild-config.cmake at build time
# (every source, tarballs included, once unpacked).

# kdk_linux_tree_version(<dir> <out-var>): "6.12.117" from <dir>/Makefile, or "" when it has none.
function(kdk_linux_tree_version dir out)
  set(version "")
  if(EXISTS "${dir}/Makefile")
    file(STRINGS "${dir}/Makefile" lines LIMIT_COUNT 12 REGEX "^(VERSION|PATCHLEVEL|SUBLEVEL) = [0-9]+$")
    set(parts "")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[A-Z]+ = " "" n "${line}")
      list(APPEND parts "${n}")
    endforeach()
    list(LENGTH parts count)
    if(count EQUAL 3)
      list(JOIN parts "." version)
    endif()
  endif()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()

# kdk_check_linux_version(<dir> <oldest> <what>): stops, naming the oldest supported version, when
# the tree at <dir> is older. <what> says where the tree came from (KDK_LINUX_SOURCE=...).
function(kdk_check_linux_version dir oldest what)
  kdk_linux_tree_version("${dir}" version)
  if(version AND version VERSION_LESS oldest)
    kdk_fatal("${what} is Linux ${version}, older than the oldest kernel kdk supports, Linux ${oldest} "
      "(KDK_LINUX_MIN_VERSION in kernels/versions.cmake). Use Linux ${oldest} or newer: its fragments, "
      "gdb scripts and boot tests are only tested from there on.")
  endif()
endfunction()
