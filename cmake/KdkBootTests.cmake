# Boot regression tests, per architecture, on the real kernel under QEMU. Each test runs in its
# own directory under <build>/tests/ (serial log, gdb log), so `ctest -j` is safe.

# _kdk_add_boot_test(<name> <arch> <labels> <timeout> <command>...)
function(_kdk_add_boot_test name arch labels timeout)
  set(dir "${CMAKE_BINARY_DIR}/tests/${name}")
  file(MAKE_DIRECTORY "${dir}")
  add_test(NAME ${name} COMMAND ${ARGN} WORKING_DIRECTORY "${dir}")
  set_tests_properties(${name} PROPERTIES LABELS "${labels};arch:${arch}" TIMEOUT ${timeout} SKIP_RETURN_CODE 77)
endfunction()

foreach(_arch IN LISTS KDK_ARCHES)
  get_property(_env GLOBAL PROPERTY KDK_${_arch}_ENV)
  get_property(_fragments GLOBAL PROPERTY KDK_${_arch}_LINUX_FRAGMENTS)
  kdk_arch_get(${_arch} SRCARCH _srcarch)
  _kdk_add_boot_test(boot.${_arch}.shell ${_arch} boot 600 bash "${PROJECT_SOURCE_DIR}/tests/boot/shell.sh" "${_env}")
  _kdk_add_boot_test(gdb.${_arch}.start_kernel ${_arch} "boot;gdb" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/gdb_start_kernel.sh" "${_env}")
  _kdk_add_boot_test(config.${_arch}.fragments ${_arch} config 120
    bash "${PROJECT_SOURCE_DIR}/tests/boot/config_fragments.sh" "${_env}" ${_srcarch} ${_fragments})
  # The example module (tests/module) is built for every architecture when the tests are.
  _kdk_add_boot_test(boot.${_arch}.module ${_arch} "boot;module" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/module.sh" "${_env}")
  _kdk_add_boot_test(gdb.${_arch}.module ${_arch} "boot;gdb;module" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/gdb_module.sh" "${_env}")
  _kdk_add_boot_test(oops.${_arch}.decoded ${_arch} "boot;oops" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/oops.sh" "${_env}")
  # KGDB: where the machine has a second UART and the kernel has the kgdb fragment.
  kdk_arch_get(${_arch} KGDB_TTY _kgdb_tty)
  if(_kgdb_tty AND "${PROJECT_SOURCE_DIR}/kernels/fragments/kgdb.config" IN_LIST _fragments)
    _kdk_add_boot_test(gdb.${_arch}.kgdb ${_arch} "boot;gdb;kgdb" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/kgdb.sh" "${_env}")
  endif()
endforeach()

# KDK_INITRAMFS=embedded, in a build tree of its own (the same sources and ccache), from an
# external build: its boot tests, and what a root filesystem change rebuilds.
if(KDK_INITRAMFS STREQUAL "external")
  string(REPLACE ";" "," _preset_fragments "${KDK_LINUX_PRESET_FRAGMENTS}")
  _kdk_add_boot_test(initramfs.${KDK_DEFAULT_ARCH}.embedded ${KDK_DEFAULT_ARCH} "boot;embedded" 2400
    bash "${PROJECT_SOURCE_DIR}/tests/boot/embedded.sh" "${PROJECT_SOURCE_DIR}" ${KDK_DEFAULT_ARCH}
    "${KDK_LINUX_SOURCE_DIR}" "${KDK_BUSYBOX_SOURCE_DIR}" "${_preset_fragments}")
endif()

# Bad input: each mistake gets a clear message and changes nothing on disk.
foreach(_t IN ITEMS wrong_hash truncated_tarball configure_errors)
  _kdk_add_boot_test(bad.${_t} any bad-input 300 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/${_t}.sh")
endforeach()
_kdk_add_boot_test(bad.port_in_use any bad-input 60 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/port_in_use.sh" "$<TARGET_FILE:kdk>")
get_property(_env GLOBAL PROPERTY KDK_${KDK_DEFAULT_ARCH}_ENV)
kdk_arch_get(${KDK_DEFAULT_ARCH} SRCARCH _srcarch)
_kdk_add_boot_test(bad.fragment_errors ${KDK_DEFAULT_ARCH} bad-input 120
  bash "${PROJECT_SOURCE_DIR}/tests/bad_input/fragment_errors.sh" "${_env}" ${_srcarch})
_kdk_add_boot_test(bad.module_compile ${KDK_DEFAULT_ARCH} bad-input 300
  bash "${PROJECT_SOURCE_DIR}/tests/bad_input/module_compile.sh" "${_env}")
# A module of the first architecture offered to the second one's root filesystem.
list(LENGTH KDK_ARCHES _n)
if(_n GREATER 1)
  list(GET KDK_ARCHES 1 _other)
  get_property(_other_env GLOBAL PROPERTY KDK_${_other}_ENV)
  _kdk_add_boot_test(bad.module_wrong_arch ${_other} bad-input 120
    bash "${PROJECT_SOURCE_DIR}/tests/bad_input/module_wrong_arch.sh" "${_other_env}"
    "${CMAKE_BINARY_DIR}/${KDK_DEFAULT_ARCH}/modules/kdk_example")
endif()
