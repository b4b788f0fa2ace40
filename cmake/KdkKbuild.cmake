# The one wrapper for kbuild-style packages (the kernel and BusyBox): explicit source, build
# (O=) and stamp directories, configuration from a base plus fragments, a build target that
# lets kbuild decide what is out of date, and companion targets for interactive work.

# kdk_add_kbuild(<name>
#   PACKAGE <linux|busybox>       the word in companion target names
#   ARCH <arch>                   the kdk architecture (companion names end in it)
#   SOURCE_DIR <dir>              the source tree, never written to
#   SOURCE_STAMP <file>           exists once SOURCE_DIR is ready
#   BUILD_DIR <dir>               kbuild's O=
#   MAKE_ARGS <arg>...            ARCH=, CROSS_COMPILE=, CC= ... for every make call
#   BASE <config>                 tinyconfig, defconfig, or the path of a config file
#   FRAGMENTS <file>...           merged over BASE in order, then verified in the final .config
#   OLDCONFIG <target>            olddefconfig (kernel) or oldconfig (BusyBox, fed empty answers)
#   KCONFIG_ARCH <srcarch>        which arch/ directory explains failed options
#   BUILD_TARGETS <target>...     what `make` builds
#   BYPRODUCTS <file>...          files the build produces, for dependents to depend on
#   PRE_BUILD <command>...        run before make
#   POST_BUILD <command>...       run after make, e.g. an install step
#   ENVIRONMENT <VAR=value>...)   for every make call
# Adds the target <name>, and menuconfig-<package>-<arch>, savedefconfig-<package>-<arch> and
# clean-<package>-<arch>; the make command line (env, make -C SOURCE O=BUILD MAKE_ARGS) is the
# global property KDK_<arch>_<PACKAGE>_MAKE, for more targets in the same tree. The configuration re-runs when BASE, a fragment or the source changes;
# kbuild then rebuilds incrementally.
function(kdk_add_kbuild name)
  cmake_parse_arguments(ARG "" "PACKAGE;ARCH;SOURCE_DIR;SOURCE_STAMP;BUILD_DIR;BASE;OLDCONFIG;KCONFIG_ARCH"
    "MAKE_ARGS;FRAGMENTS;BUILD_TARGETS;BYPRODUCTS;PRE_BUILD;POST_BUILD;ENVIRONMENT" ${ARGN})
  set(config_stamp "${ARG_BUILD_DIR}/.kdk-config.stamp")
  set(make "${CMAKE_COMMAND}" -E env ${ARG_ENVIRONMENT} "${KDK_MAKE}" -C "${ARG_SOURCE_DIR}" "O=${ARG_BUILD_DIR}" ${ARG_MAKE_ARGS})
  string(TOUPPER "${ARG_PACKAGE}" package)
  set_property(GLOBAL PROPERTY KDK_${ARG_ARCH}_${package}_MAKE "${make}")
  set(base_depends "")
  if(EXISTS "${ARG_BASE}")
    set(base_depends "${ARG_BASE}")
  endif()
  string(REPLACE ";" "|" make_args_arg "${ARG_MAKE_ARGS}")
  string(REPLACE ";" "|" env_arg "${ARG_ENVIRONMENT}")
  string(REPLACE ";" "|" fragments_arg "${ARG_FRAGMENTS}")
  add_custom_command(OUTPUT "${config_stamp}"
    COMMAND "${CMAKE_COMMAND}"
            "-DMAKE=${KDK_MAKE}" "-DSOURCE_DIR=${ARG_SOURCE_DIR}" "-DBUILD_DIR=${ARG_BUILD_DIR}"
            "-DMAKE_ARGS=${make_args_arg}" "-DENVIRONMENT=${env_arg}" "-DBASE=${ARG_BASE}"
            "-DFRAGMENTS=${fragments_arg}" "-DOLDCONFIG=${ARG_OLDCONFIG}" "-DKCONFIG_ARCH=${ARG_KCONFIG_ARCH}"
            "-DKDK=$<TARGET_FILE:kdk>" "-DSTAMP=${config_stamp}" "-DNAME=${name}"
            -P "${PROJECT_SOURCE_DIR}/cmake/scripts/kbuild-config.cmake"
    DEPENDS "${ARG_SOURCE_STAMP}" ${ARG_FRAGMENTS} ${base_depends} kdk
            "${PROJECT_SOURCE_DIR}/cmake/scripts/kbuild-config.cmake"
    COMMENT "Configuring ${name}: ${ARG_BASE} + fragments, verified"
    VERBATIM)
  add_custom_target(${name} ALL
    ${ARG_PRE_BUILD}
    COMMAND ${make} -j${KDK_JOBS} ${ARG_BUILD_TARGETS}
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
