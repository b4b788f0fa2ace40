# Distributed compiles (KDK_DISTRIBUTED=distcc|icecream|off) and make -j (KDK_JOBS), after the
# host checks. The engine goes into kdk's one make command line (kdk_make_command): behind
# ccache (CCACHE_PREFIX), so that cache hits never leave this machine, or in front of the
# compiler without ccache. Only the cross compiler (CC) goes out: host programs (HOSTCC, kbuild's
# scripts, modpost's own build), links, modpost and BusyBox's link run here. Every
# configuration and build step runs cmake/scripts/distributed.sh check first: it names a distcc
# host that is unreachable (a warning), or lacks the compiler or has another version of it (an
# error), and packs the compiler environment icecream ships to its nodes.

set(KDK_DISTRIBUTED "off" CACHE STRING "Distributed compiles for the kernel and BusyBox: off, distcc or icecream")
set_property(CACHE KDK_DISTRIBUTED PROPERTY STRINGS off distcc icecream)
set(KDK_DISTCC_HOSTS "" CACHE STRING "With KDK_DISTRIBUTED=distcc: distcc's host list (DISTCC_HOSTS syntax, e.g. 'localhost/2 build1/8 build2/8'); empty: distcc's own ($DISTCC_HOSTS, ~/.distcc/hosts, /etc/distcc/hosts)")
set(KDK_ICECC_SCHEDULER "" CACHE STRING "With KDK_DISTRIBUTED=icecream: the scheduler, HOST[:PORT], that kdk asks for the farm's job slots (make -j); empty: ICECC_SCHEDULER_HOST from /etc/icecc/icecc.conf")
set(KDK_JOBS "auto" CACHE STRING "make -j for kernel and BusyBox builds; auto: this machine's CPUs, or the slots the KDK_DISTRIBUTED engine offers")

string(TOLOWER "${KDK_DISTRIBUTED}" _kdk_engine)
if(_kdk_engine MATCHES "^(off|no|false|0|)$")
  set(KDK_DISTRIBUTED_ENGINE "")
elseif(_kdk_engine STREQUAL "distcc" OR _kdk_engine STREQUAL "icecream")
  set(KDK_DISTRIBUTED_ENGINE "${_kdk_engine}")
else()
  kdk_fatal("KDK_DISTRIBUTED='${KDK_DISTRIBUTED}' is not an engine kdk knows: use distcc, icecream or off.")
endif()

set(KDK_DISTRIBUTED_LAUNCHER "")
set(_kdk_slots "")
if(KDK_DISTRIBUTED_ENGINE STREQUAL "distcc")
  find_program(KDK_DISTCC_PROGRAM distcc)
  if(NOT KDK_DISTCC_PROGRAM)
    kdk_fatal("KDK_DISTRIBUTED=distcc, but distcc is not installed: Debian/Ubuntu 'distcc', Fedora 'distcc'.")
  endif()
  set(KDK_DISTRIBUTED_LAUNCHER "${KDK_DISTCC_PROGRAM}")
  set(_env "")
  if(KDK_DISTCC_HOSTS)
    set(_env "DISTCC_HOSTS=${KDK_DISTCC_HOSTS}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${_env} "${KDK_DISTCC_PROGRAM}" -j
    OUTPUT_VARIABLE _kdk_slots OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env ${_env} "${KDK_DISTCC_PROGRAM}" --show-hosts
    OUTPUT_VARIABLE _hosts OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  string(REPLACE "\n" " " _hosts "${_hosts}")
  if(NOT _hosts)
    kdk_fatal("KDK_DISTRIBUTED=distcc, but distcc has no hosts: set KDK_DISTCC_HOSTS (e.g. 'localhost/2 build1/8'), "
      "or DISTCC_HOSTS, ~/.distcc/hosts or /etc/distcc/hosts.")
  endif()
  message(STATUS "kdk: distcc compiles the kernel and BusyBox on: ${_hosts} (${_kdk_slots} slots)")
elseif(KDK_DISTRIBUTED_ENGINE STREQUAL "icecream")
  find_program(KDK_ICECC_PROGRAM icecc)
  find_program(KDK_ICECC_CREATE_ENV icecc-create-env)
  if(NOT KDK_ICECC_PROGRAM OR NOT KDK_ICECC_CREATE_ENV)
    kdk_fatal("KDK_DISTRIBUTED=icecream, but icecc or icecc-create-env is not installed: Debian/Ubuntu 'icecc', Fedora 'icecream'.")
  endif()
  set(KDK_DISTRIBUTED_LAUNCHER "${KDK_ICECC_PROGRAM}")
  set(_scheduler "${KDK_ICECC_SCHEDULER}")
  if(NOT _scheduler AND EXISTS /etc/icecc/icecc.conf)
    file(STRINGS /etc/icecc/icecc.conf _line REGEX "^ICECC_SCHEDULER_HOST=")
    string(REGEX REPLACE "^ICECC_SCHEDULER_HOST=\"?([^\"]*)\"?$" "\\1" _scheduler "${_line}")
  endif()
  if(_scheduler)
    execute_process(COMMAND bash "${PROJECT_SOURCE_DIR}/cmake/scripts/distributed.sh" slots icecream "${_scheduler}"
      OUTPUT_VARIABLE _kdk_slots ERROR_VARIABLE _err OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    if(_err)
      kdk_warning("${_err} make -j is this machine's CPUs; set KDK_JOBS for the farm.")
    else()
      message(STATUS "kdk: icecream compiles the kernel and BusyBox; its scheduler ${_scheduler} lists ${_kdk_slots} job slots")
    endif()
  else()
    kdk_warning("KDK_DISTRIBUTED=icecream: kdk does not know the scheduler (KDK_ICECC_SCHEDULER, or ICECC_SCHEDULER_HOST "
      "in /etc/icecc/icecc.conf), so make -j is this machine's CPUs; set KDK_JOBS for the farm.")
  endif()
endif()

# make -j: the engine's slots, never fewer than this machine's CPUs.
if(KDK_JOBS STREQUAL "auto" OR KDK_JOBS STREQUAL "")
  cmake_host_system_information(RESULT KDK_BUILD_JOBS QUERY NUMBER_OF_LOGICAL_CORES)
  if(_kdk_slots MATCHES "^[0-9]+$" AND _kdk_slots GREATER KDK_BUILD_JOBS)
    set(KDK_BUILD_JOBS "${_kdk_slots}")
  endif()
elseif(KDK_JOBS MATCHES "^[1-9][0-9]*$")
  set(KDK_BUILD_JOBS "${KDK_JOBS}")
else()
  kdk_fatal("KDK_JOBS='${KDK_JOBS}' is not a number of jobs: give a positive number, or auto.")
endif()
if(KDK_DISTRIBUTED_ENGINE)
  message(STATUS "kdk: make -j${KDK_BUILD_JOBS} (KDK_JOBS=${KDK_JOBS})")
endif()

# kdk_distributed_compiler(<env-var> <cc-var> <hostcc-prefix-var> <arch> <compiler>)
# What kdk_make_command adds for the engine: environment entries, the CC words and a prefix for
# HOSTCC (with ccache, CCACHE_PREFIX is in the environment; host compiles drop it).
function(kdk_distributed_compiler env_out cc_out host_out arch cc)
  set(env "")
  set(host "")
  if(KDK_DISTRIBUTED_ENGINE)
    get_filename_component(name "${cc}" NAME)
    if(KDK_CCACHE)
      list(APPEND env "CCACHE_PREFIX=${KDK_DISTRIBUTED_LAUNCHER}")
      set(host "env -u CCACHE_PREFIX ")
    else()
      set(cc "${KDK_DISTRIBUTED_LAUNCHER} ${cc}")
    endif()
    if(KDK_DISTRIBUTED_ENGINE STREQUAL "distcc" AND KDK_DISTCC_HOSTS)
      list(APPEND env "DISTCC_HOSTS=${KDK_DISTCC_HOSTS}")
    elseif(KDK_DISTRIBUTED_ENGINE STREQUAL "icecream")
      list(APPEND env "ICECC_VERSION=${CMAKE_BINARY_DIR}/icecc/${name}.tar.gz")
    endif()
  endif()
  set(${env_out} "${env}" PARENT_SCOPE)
  set(${cc_out} "${cc}" PARENT_SCOPE)
  set(${host_out} "${host}" PARENT_SCOPE)
endfunction()

# kdk_distributed_check(<out-var> <linux|busybox> <arch>)
# The command (a list, or empty when KDK_DISTRIBUTED is off) that a configuration or build step
# runs first: cmake/scripts/distributed.sh check, in the make command's environment.
function(kdk_distributed_check out package arch)
  set(cmd "")
  if(KDK_DISTRIBUTED_ENGINE)
    string(TOUPPER "${arch}" A)
    set(cc "${KDK_CROSS_COMPILE_${A}}gcc")
    if(package STREQUAL "linux" AND KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
      set(cc "${KDK_LLVM_DIR}/clang")
    endif()
    kdk_distributed_compiler(env unused unused2 ${arch} "${cc}")
    set(cmd "${CMAKE_COMMAND}" -E env ${env}
      bash "${PROJECT_SOURCE_DIR}/cmake/scripts/distributed.sh" check ${KDK_DISTRIBUTED_ENGINE} "${cc}")
  endif()
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()
