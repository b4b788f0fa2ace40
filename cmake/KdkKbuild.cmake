# The one wrapper for kbuild-style packages (the kernel and BusyBox): explicit source, build
# (O=) and stamp directories, configuration from a base plus fragments, a build step that runs
# kbuild only when something kbuild read last time changed (and then lets kbuild decide what is
# out of date), and companion targets for interactive work.

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
  # KDK_DISTRIBUTED: the engine behind ccache or in front of CC; HOSTCC stays on this machine.
  kdk_distributed_compiler(distributed_env cc host_prefix ${arch} "${cc}")
  list(APPEND env ${distributed_env})
  if(KDK_CCACHE)
    list(APPEND args "CC=${KDK_CCACHE} ${cc}")
    if(hostcc)
      list(APPEND args "HOSTCC=${host_prefix}${KDK_CCACHE} ${hostcc}")
    endif()
  elseif(package STREQUAL "busybox" OR KDK_DISTRIBUTED_ENGINE)
    list(APPEND args "CC=${cc}")
  endif()
  set(${out} "${CMAKE_COMMAND}" -E env ${env} "${KDK_MAKE}" -C "${source}" "O=${build}" ${args} PARENT_SCOPE)
endfunction()

# kdk_kbuild_tools(<out-var> <linux|busybox> <arch>)
# The programs a package's build runs, by name as make finds them in PATH: `kdk kbuild run`
# records them, so that a new compiler or binutils sends the step back to kbuild.
function(kdk_kbuild_tools out package arch)
  string(TOUPPER "${arch}" A)
  set(cross "${KDK_CROSS_COMPILE_${A}}")
  set(tools gcc)
  if(package STREQUAL "linux" AND KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
    foreach(t clang ld.lld llvm-ar llvm-nm llvm-objcopy llvm-objdump llvm-readelf llvm-strip)
      list(APPEND tools "${KDK_LLVM_DIR}/${t}")
    endforeach()
  else()
    foreach(t gcc as ld ar nm objcopy objdump readelf strip)
      list(APPEND tools "${cross}${t}")
    endforeach()
  endif()
  set(${out} "${tools}" PARENT_SCOPE)
endfunction()

# _kdk_repeat_option(<list-var> <option> <value>...): appends "<option> <value>" for each value.
function(_kdk_repeat_option list option)
  set(words "${${list}}")
  foreach(value IN LISTS ARGN)
    list(APPEND words ${option} "${value}")
  endforeach()
  set(${list} "${words}" PARENT_SCOPE)
endfunction()

# kdk_kbuild_run_command(<out-var> <name> <linux|busybox> <arch> RECORDS <file>... [STAMP <file>
#   ARTIFACTS <file>...] [MODULES_ORDER] [OBJTREE <dir>] [NO_SRCTREE] [FILES <file>...]
#   [IGNORE <file>...] COMMAND <word>...)
# The `kdk kbuild run` command line that runs COMMAND and records what kbuild read (see
# src/kbuild_inputs.hpp), and registers each record with the one `kdk kbuild check` of the
# tree (kdk_add_kbuild_check), which touches <record>.inputs when something in it changed.
function(kdk_kbuild_run_command out name package arch)
  cmake_parse_arguments(ARG "MODULES_ORDER;NO_SRCTREE" "STAMP;OBJTREE" "RECORDS;ARTIFACTS;FILES;IGNORE;COMMAND" ${ARGN})
  kdk_kbuild_dirs(${package} ${arch} source build)
  if(ARG_OBJTREE)
    set(build "${ARG_OBJTREE}")
  endif()
  kdk_kbuild_tools(tools ${package} ${arch})
  set(cmd "$<TARGET_FILE:kdk>" kbuild run --label ${name} --objtree "${build}")
  if(NOT ARG_NO_SRCTREE)
    list(APPEND cmd --srctree "${source}")
  endif()
  _kdk_repeat_option(cmd --record ${ARG_RECORDS})
  _kdk_repeat_option(cmd --tool ${tools})
  _kdk_repeat_option(cmd --file ${ARG_FILES})
  _kdk_repeat_option(cmd --ignore ${ARG_IGNORE})
  if(ARG_STAMP)
    list(APPEND cmd --stamp "${ARG_STAMP}")
    _kdk_repeat_option(cmd --artifact ${ARG_ARTIFACTS})
    if(ARG_MODULES_ORDER)
      list(APPEND cmd --modules-order "${build}/modules.order")
    endif()
  endif()
  list(APPEND cmd -- ${ARG_COMMAND})
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()

# kdk_kbuild_record(<record-var> <inputs-var> <name>)
# The record file of the step <name> and the file `kdk kbuild check` touches when it is out of
# date, registered for kdk_add_kbuild_check.
function(kdk_kbuild_record record_out inputs_out name)
  set(dir "${CMAKE_BINARY_DIR}/kbuild-inputs")
  set(record "${dir}/${name}.record")
  set(inputs "${dir}/${name}.inputs")
  set_property(GLOBAL APPEND PROPERTY KDK_KBUILD_RECORDS "${record}" "${inputs}")
  set(${record_out} "${record}" PARENT_SCOPE)
  set(${inputs_out} "${inputs}" PARENT_SCOPE)
endfunction()

# kdk_add_kbuild_check()
# The one step that runs at every build: `kdk kbuild check` compares each record with the file
# system and the environment (milliseconds), and touches the .inputs file of each step whose
# inputs changed. Every kbuild step depends on its .inputs file, and ninja's restat skips the
# steps whose file was left alone. Call it once, after every step is declared.
function(kdk_add_kbuild_check)
  get_property(pairs GLOBAL PROPERTY KDK_KBUILD_RECORDS)
  if(NOT pairs)
    return()
  endif()
  set(inputs "")
  set(i 1)
  list(LENGTH pairs n)
  while(i LESS n)
    list(GET pairs ${i} f)
    list(APPEND inputs "${f}")
    math(EXPR i "${i} + 2")
  endwhile()
  set(check "${CMAKE_BINARY_DIR}/kbuild-inputs/check")
  add_custom_command(OUTPUT "${check}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${CMAKE_BINARY_DIR}/kbuild-inputs"
    COMMAND "$<TARGET_FILE:kdk>" kbuild check ${pairs}
    BYPRODUCTS ${inputs}
    DEPENDS kdk
    COMMENT "Checking what kbuild read last time (kdk kbuild check)"
    VERBATIM)
  set_source_files_properties("${check}" PROPERTIES SYMBOLIC TRUE)
  add_custom_target(kbuild-check DEPENDS "${check}")
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
#   OUTPUT <file>                 the step's output, rewritten only when what it made changed:
#                                 with ARTIFACTS, kdk writes it; without, POST_BUILD does
#   ARTIFACTS <file>...           what the step makes (OUTPUT changes when one of them does)
#   MODULES_ORDER                 the modules listed in modules.order are ARTIFACTS too
#   BYPRODUCTS <file>...          files the build produces, for dependents to depend on
#   IGNORE <file>...              inputs another step answers for (not recorded)
#   PRE_BUILD <command>...        run before make
#   POST_BUILD <command>...)      run after make, e.g. an install step
# Adds the target <name>, and menuconfig-<package>-<arch>, savedefconfig-<package>-<arch> and
# clean-<package>-<arch>. The configuration re-runs when BASE, a fragment or the source changes.
# The build runs when `kdk kbuild check` finds that something kbuild read last time changed
# (a source, a header, a Makefile, a Kconfig file, .config, the toolchain, an environment
# variable kbuild reads, a new file in a source directory); kbuild then rebuilds incrementally.
# When nothing changed, no make runs at all.
function(kdk_add_kbuild name)
  cmake_parse_arguments(ARG "MODULES_ORDER" "PACKAGE;ARCH;SOURCE_STAMP;BASE;OLDCONFIG;KCONFIG_ARCH;OUTPUT"
    "FRAGMENTS;BUILD_TARGETS;BUILD_COMMAND;BYPRODUCTS;ARTIFACTS;IGNORE;PRE_BUILD;POST_BUILD" ${ARGN})
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
  # KDK_DISTRIBUTED: the engine's check runs first in both steps (cmake/KdkDistributed.cmake).
  kdk_distributed_check(check ${ARG_PACKAGE} ${ARG_ARCH})
  if(check)
    list(PREPEND check COMMAND)
  endif()
  add_custom_command(OUTPUT "${config_stamp}"
    ${check}
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
    set(ARG_BUILD_COMMAND ${make} -j${KDK_BUILD_JOBS} ${ARG_BUILD_TARGETS})
  endif()
  kdk_kbuild_record(record inputs ${name})
  set(stamp_args "")
  if(ARG_ARTIFACTS)
    set(stamp_args STAMP "${ARG_OUTPUT}" ARTIFACTS ${ARG_ARTIFACTS})
  endif()
  if(ARG_MODULES_ORDER)
    list(APPEND stamp_args MODULES_ORDER)
  endif()
  kdk_kbuild_run_command(run ${name} ${ARG_PACKAGE} ${ARG_ARCH} RECORDS "${record}" ${stamp_args}
    FILES "${ARG_BUILD_DIR}/.config" IGNORE ${ARG_IGNORE} COMMAND ${ARG_BUILD_COMMAND})
  add_custom_command(OUTPUT "${ARG_OUTPUT}"
    ${check}
    ${ARG_PRE_BUILD}
    COMMAND ${run}
    ${ARG_POST_BUILD}
    DEPENDS "${config_stamp}" "${inputs}" kdk
    BYPRODUCTS ${ARG_BYPRODUCTS}
    COMMENT "Building ${name} (kbuild decides what is out of date)"
    VERBATIM)
  add_custom_target(${name} ALL DEPENDS "${ARG_OUTPUT}")

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
