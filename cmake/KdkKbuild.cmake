# The one wrapper for kbuild-style packages (the kernel and BusyBox): explicit source, build
# (O=) and stamp directories, configuration from a base plus fragments, a build target that
# lets kbuild decide what is out of date, and companion targets for interactive work.

# kdk_kbuild_dirs(<package> <arch> <source-out> <build-out>)
# The source tree (never written to) and kbuild's O= directory of a package for an architecture.
function(kdk_kbuild_dirs package arch source_out build_out)
  string(TOUPPER "${package}" P)
  set(${source_out} "${KDK_${P}_SOURCE_DIR}" PARENT_SCOPE)
  set(${build_out} "${CMAKE_BINARY_DIR}/${arch}/${package}" PARENT_SCOPE)
endfunction()

# kdk_make_command(<out-var> <linux|busybox> <arch> [MODULE])
# The one make command line for a package and architecture, as a list: `cmake -E env` with the
# reproducible identity (KBUILD_BUILD_*) and ccache's settings, then make -C SOURCE O=BUILD with
# ARCH=, CROSS_COMPILE=, the compiler (through ccache) and, for the kernel with
# KDK_LINUX_TOOLCHAIN=llvm, LLVM=<clang's directory>/. Every make call kdk makes is this one:
# configuration, the build, BusyBox's install, M= modules, modules_install, kdk.env. MODULE is
# the variant for out-of-tree modules: ccache hashes the build directory, so their debug info
# names this tree's sources (the kernel's objects are shared across trees).
function(kdk_make_command out package arch)
  cmake_parse_arguments(ARG "MODULE" "" "" ${ARGN})
  string(TOUPPER "${arch}" A)
  set(cross "${KDK_CROSS_COMPILE_${A}}")
  kdk_kbuild_dirs(${package} ${arch} source build)
  set(env "KBUILD_BUILD_TIMESTAMP=Thu Jan  1 00:00:00 UTC 1970" KBUILD_BUILD_USER=kdk KBUILD_BUILD_HOST=kdk
          KBUILD_BUILD_VERSION=1)
  if(KDK_CCACHE)
    list(APPEND env CCACHE_BASEDIR=/ CCACHE_SLOPPINESS=time_macros)
    if(NOT ARG_MODULE)
      list(APPEND env CCACHE_NOHASHDIR=1)
    endif()
  endif()
  set(args "CROSS_COMPILE=${cross}")
  set(cc "${cross}gcc")
  set(hostcc "")
  if(package STREQUAL "linux")
    kdk_arch_get(${arch} KERNEL_ARCH kernel_arch)
    list(PREPEND args "ARCH=${kernel_arch}")
    set(hostcc gcc)
    if(KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
      list(APPEND args "LLVM=${KDK_LLVM_DIR}/")
      set(cc "${KDK_LLVM_DIR}/clang")
      set(hostcc "${KDK_LLVM_DIR}/clang")
    endif()
  endif()
  if(KDK_CCACHE)
    list(APPEND args "CC=${KDK_CCACHE} ${cc}")
    if(hostcc)
      list(APPEND args "HOSTCC=${KDK_CCACHE} ${hostcc}")
    endif()
  elseif(package STREQUAL "busybox")
    list(APPEND args "CC=${cc}")
  endif()
  set(${out} "${CMAKE_COMMAND}" -E env ${env} "${KDK_MAKE}" -C "${source}" "O=${build}" ${args} PARENT_SCOPE)
endfunction()

# kdk_add_kbuild(<name>
#   PACKAGE <linux|busybox>       the package; with ARCH it gives the make command line
#                                 (kdk_make_command) and the companion target names
#   ARCH <arch>                   the kdk architecture (companion names end in it)
#   SOURCE_STAMP <file>           exists once the source tree is ready
#   BASE <config>                 tinyconfig, defconfig, or the path of a config file
#   FRAGMENTS <file>...           merged over BASE in order, then verified in the final .config
#   OLDCONFIG <target>            olddefconfig (kernel) or oldconfig (BusyBox, fed empty answers)
#   KCONFIG_ARCH <srcarch>        which arch/ directory explains failed options
#   BUILD_TARGETS <target>...     what `make` builds, or:
#   BUILD_COMMAND <word>...       the build step's command instead of make BUILD_TARGETS
#   BYPRODUCTS <file>...          files the build produces, for dependents to depend on
#   PRE_BUILD <command>...        run before make
#   POST_BUILD <command>...)      run after make, e.g. an install step
# Adds the target <name>, and menuconfig-<package>-<arch>, savedefconfig-<package>-<arch> and
# clean-<package>-<arch>. The configuration re-runs when BASE, a fragment or the source changes;
# kbuild then rebuilds incrementally.
function(kdk_add_kbuild name)
  cmake_parse_arguments(ARG "" "PACKAGE;ARCH;SOURCE_STAMP;BASE;OLDCONFIG;KCONFIG_ARCH"
    "FRAGMENTS;BUILD_TARGETS;BUILD_COMMAND;BYPRODUCTS;PRE_BUILD;POST_BUILD" ${ARGN})
  kdk_kbuild_dirs(${ARG_PACKAGE} ${ARG_ARCH} ARG_SOURCE_DIR ARG_BUILD_DIR)
  kdk_make_command(make ${ARG_PACKAGE} ${ARG_ARCH})
  set(config_stamp "${ARG_BUILD_DIR}/.kdk-config.stamp")
  set(base_depends "")
  if(EXISTS "${ARG_BASE}")
    set(base_depends "${ARG_BASE}")
  endif()
  string(REPLACE ";" "|" make_arg "${make}")
  string(REPLACE ";" "|" fragments_arg "${ARG_FRAGMENTS}")
  set(linux_args "")
  if(ARG_PACKAGE STREQUAL "linux")
    set(linux_args "-DMIN_VERSION=${KDK_LINUX_MIN_VERSION}" "-DCATALOGUE=${KDK_KCONFIG_CATALOGUE}")
    if(KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
      list(APPEND linux_args "-DCLANG=${KDK_LLVM_DIR}/clang")
    endif()
  endif()
  add_custom_command(OUTPUT "${config_stamp}"
    COMMAND "${CMAKE_COMMAND}"
            "-DMAKE_COMMAND=${make_arg}" "-DSOURCE_DIR=${ARG_SOURCE_DIR}" "-DBUILD_DIR=${ARG_BUILD_DIR}"
            "-DBASE=${ARG_BASE}" ${linux_args}
            "-DFRAGMENTS=${fragments_arg}" "-DOLDCONFIG=${ARG_OLDCONFIG}" "-DKCONFIG_ARCH=${ARG_KCONFIG_ARCH}"
            "-DKDK=$<TARGET_FILE:kdk>" "-DSTAMP=${config_stamp}" "-DNAME=${name}"
            -P "${PROJECT_SOURCE_DIR}/cmake/scripts/kbuild-config.cmake"
    DEPENDS "${ARG_SOURCE_STAMP}" ${ARG_FRAGMENTS} ${base_depends} kdk "${PROJECT_SOURCE_DIR}/cmake/KdkLinuxVersion.cmake"
            "${PROJECT_SOURCE_DIR}/cmake/scripts/kbuild-config.cmake"
    COMMENT "Configuring ${name}: ${ARG_BASE} + fragments, verified"
    VERBATIM)
  if(NOT ARG_BUILD_COMMAND)
    set(ARG_BUILD_COMMAND ${make} -j${KDK_JOBS} ${ARG_BUILD_TARGETS})
  endif()
  add_custom_target(${name} ALL
    ${ARG_PRE_BUILD}
    COMMAND ${ARG_BUILD_COMMAND}
    ${ARG_POST_BUILD}
    DEPENDS "${config_stamp}"
    BYPRODUCTS ${ARG_BYPRODUCTS}
    COMMENT "Building ${name} (kbuild decides what is out of date)"
    VERBATIM)

  set(suffix "${ARG_PACKAGE}-${ARG_ARCH}")
  add_custom_target(menuconfig-${suffix}
    COMMAND ${make} menuconfig
    DEPENDS "${config_stamp}"
    USES_TERMINAL
    COMMENT "menuconfig on ${ARG_BUILD_DIR}/.config. Changes last until a fragment or the base changes; "
            "then they are saved to .config.kdk-saved and the config is rebuilt from the fragments."
    VERBATIM)
  add_custom_target(savedefconfig-${suffix}
    COMMAND ${make} savedefconfig
    COMMAND "${CMAKE_COMMAND}" -E echo "kdk: minimal config written to ${ARG_BUILD_DIR}/defconfig"
    DEPENDS "${config_stamp}"
    USES_TERMINAL
    VERBATIM)
  add_custom_target(clean-${suffix}
    COMMAND ${make} clean
    USES_TERMINAL
    VERBATIM)
endfunction()
