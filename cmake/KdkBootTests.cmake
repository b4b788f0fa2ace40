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
  kdk_arch_get(${_arch} DEBIAN_ARCH _deb_arch)
  _kdk_add_boot_test(boot.${_arch}.shell ${_arch} boot 600 bash "${PROJECT_SOURCE_DIR}/tests/boot/shell.sh" "${_env}")
  _kdk_add_boot_test(initramfs.${_arch}.concatenated ${_arch} "boot;initramfs" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/concatenated.sh" "${_env}")
  _kdk_add_boot_test(gdb.${_arch}.start_kernel ${_arch} "boot;gdb" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/gdb_start_kernel.sh" "${_env}")
  _kdk_add_boot_test(kvm.${_arch}.probe ${_arch} "boot;kvm" 120
    bash "${PROJECT_SOURCE_DIR}/tests/boot/kvm_probe.sh" "${_env}")
  _kdk_add_boot_test(config.${_arch}.fragments ${_arch} config 120
    bash "${PROJECT_SOURCE_DIR}/tests/boot/config_fragments.sh" "${_env}" ${_srcarch} ${_fragments})
  _kdk_add_boot_test(config.${_arch}.compile_commands ${_arch} config 300
    bash "${PROJECT_SOURCE_DIR}/tests/boot/compile_commands.sh" "${_env}")
  # The example module (tests/module) is a fixture: built only with KDK_TEST_FIXTURES.
  if(KDK_TEST_FIXTURES)
    _kdk_add_boot_test(boot.${_arch}.module ${_arch} "boot;module" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/module.sh" "${_env}")
    _kdk_add_boot_test(gdb.${_arch}.module ${_arch} "boot;gdb;module" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/gdb_module.sh" "${_env}")
    _kdk_add_boot_test(oops.${_arch}.decoded ${_arch} "boot;oops" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/oops.sh" "${_env}")
  endif()
  # Your modules (kdk_add_kernel_module() outside kdk's fixtures): each is loaded, unloaded and
  # broken into with gdb.
  get_property(_user_modules GLOBAL PROPERTY KDK_USER_MODULES)
  get_property(_arch_modules GLOBAL PROPERTY KDK_${_arch}_EXTERNAL_MODULES)
  foreach(_m IN LISTS _user_modules)
    if(_m IN_LIST _arch_modules)
      get_property(_sources GLOBAL PROPERTY KDK_MODULE_${_m}_SOURCES)
      foreach(_mode IN ITEMS load gdb)
        set(_labels "boot;module")
        if(_mode STREQUAL "gdb")
          set(_labels "boot;gdb;module")
        endif()
        _kdk_add_boot_test(module.${_arch}.${_m}.${_mode} ${_arch} "${_labels}" 600
          bash "${PROJECT_SOURCE_DIR}/tests/boot/user_module.sh" "${_env}" ${_m} ${_mode} ${_sources})
      endforeach()
    endif()
  endforeach()
  # The QEMU monitor of an interactive boot (gdbserver-<arch>, on this tree's fixed gdb port,
  # which the IDE test's gdbserver takes too: a resource lock keeps them apart).
  _kdk_add_boot_test(boot.${_arch}.monitor ${_arch} "boot;monitor" 300
    bash "${PROJECT_SOURCE_DIR}/tests/boot/monitor.sh" "${_env}")
  set_tests_properties(boot.${_arch}.monitor PROPERTIES RESOURCE_LOCK gdb-port-${_arch})
  # The IDE files (ninja ide-<arch>), used as VS Code and Eclipse would, with the real gdb and QEMU.
  _kdk_add_boot_test(ide.${_arch}.launch ${_arch} "boot;gdb;ide" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/ide.sh" "${_env}")
  set_tests_properties(ide.${_arch}.launch PROPERTIES RESOURCE_LOCK gdb-port-${_arch})
  # The libvirt domain (ninja libvirt-<arch>) against libvirt's schema; on the host's architecture,
  # also booted by an unprivileged qemu:///session libvirt with gdb attached (the gdb stub takes
  # the tree's fixed port).
  set(_libvirt validate)
  if(_deb_arch STREQUAL KDK_HOST_DEBIAN_ARCH)
    set(_libvirt session)
  endif()
  _kdk_add_boot_test(libvirt.${_arch}.${_libvirt} ${_arch} "boot;libvirt" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/libvirt.sh" "${_env}" ${_libvirt})
  set_tests_properties(libvirt.${_arch}.${_libvirt} PROPERTIES RESOURCE_LOCK gdb-port-${_arch})
  # The console socket of ninja debug, with gdb stopped at a breakpoint the console triggers.
  _kdk_add_boot_test(gdb.${_arch}.console ${_arch} "boot;gdb;console" 600
    bash "${PROJECT_SOURCE_DIR}/tests/boot/console.sh" "${_env}")
  # The ext4 root filesystem and a user's disk image (made from it), in a tree with the ext4
  # image: KDK_ROOTFS_FORMAT=ext4, or the test fixtures; on machines with virtio only.
  kdk_arch_get(${_arch} QEMU_VIRTIO _virtio)
  get_property(_ext4 GLOBAL PROPERTY KDK_${_arch}_ROOTFS_EXT4)
  if(_ext4)
    _kdk_add_boot_test(boot.${_arch}.ext4 ${_arch} "boot;ext4" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/ext4.sh" "${_env}")
    _kdk_add_boot_test(boot.${_arch}.disk_image ${_arch} "boot;ext4;disk-image" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/disk_image.sh" "${_env}")
  endif()
  # Shares and the network, where the kernel has their fragments.
  if(_virtio AND (KDK_SHARE_DIRS OR KDK_FIXTURE_DEVICES))
    _kdk_add_boot_test(boot.${_arch}.share ${_arch} "boot;share" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/share.sh" "${_env}")
  endif()
  if(_virtio AND (KDK_NET STREQUAL "user" OR KDK_FIXTURE_DEVICES))
    _kdk_add_boot_test(boot.${_arch}.net ${_arch} "boot;net" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/net.sh" "${_env}")
  endif()
  # A Debian userland (KDK_DEBIAN's pipeline), on the host's architecture, whose fixture kernel
  # has the distro fragment; it needs mmdebstrap and Debian's archive (skipped without mmdebstrap).
  if(_virtio AND KDK_FIXTURE_DEVICES AND _deb_arch STREQUAL KDK_HOST_DEBIAN_ARCH AND KDK_INITRAMFS STREQUAL "external")
    _kdk_add_boot_test(boot.${_arch}.debian ${_arch} "boot;debian" 900
      bash "${PROJECT_SOURCE_DIR}/tests/boot/debian.sh" "${_env}" bookworm)
  endif()
  # A board's device tree that was not built (the profile's DTB).
  kdk_arch_get(${_arch} DTB _dtb)
  if(_dtb)
    _kdk_add_boot_test(bad.${_arch}.dtb_missing ${_arch} bad-input 60
      bash "${PROJECT_SOURCE_DIR}/tests/bad_input/dtb_missing.sh" "${_env}")
  endif()
  # KGDB: where the machine has a second UART and the kernel has the kgdb fragment.
  kdk_arch_get(${_arch} KGDB_TTY _kgdb_tty)
  if(_kgdb_tty AND "${PROJECT_SOURCE_DIR}/kernels/fragments/kgdb.config" IN_LIST _fragments)
    _kdk_add_boot_test(gdb.${_arch}.kgdb ${_arch} "boot;gdb;kgdb" 600
      bash "${PROJECT_SOURCE_DIR}/tests/boot/kgdb.sh" "${_env}")
  endif()
endforeach()

# KUnit (KDK_KUNIT): one boot per architecture and a test per suite (cmake/KdkKunit.cmake).
kdk_add_kunit_tests()
# kselftest (KDK_KSELFTEST): a test per collection and architecture (cmake/KdkKselftest.cmake).
kdk_add_kselftest_tests()

# What a change reaches: for each kind of change kbuild acts on, the check names it and kbuild
# rebuilds; a build with nothing changed runs no make. It edits the kernel sources (only a tree
# kdk unpacked; it skips on yours) and rebuilds this tree, so it runs alone.
get_property(_env GLOBAL PROPERTY KDK_${KDK_DEFAULT_ARCH}_ENV)
_kdk_add_boot_test(build.${KDK_DEFAULT_ARCH}.incremental ${KDK_DEFAULT_ARCH} incremental 1800
  bash "${PROJECT_SOURCE_DIR}/tests/boot/incremental.sh" "${_env}" "${CMAKE_BINARY_DIR}")
set_tests_properties(build.${KDK_DEFAULT_ARCH}.incremental PROPERTIES RUN_SERIAL TRUE)

# KDK_INITRAMFS=embedded, in a build tree of its own (the same sources and ccache, and copies of
# this tree's kbuild output directories), from an external build: its boot tests, and what a
# root filesystem change rebuilds.
if(KDK_INITRAMFS STREQUAL "external")
  string(REPLACE ";" "," _preset_fragments "${KDK_LINUX_PRESET_FRAGMENTS}")
  string(REPLACE ";" "," _kunit "${KDK_KUNIT}")
  _kdk_add_boot_test(initramfs.${KDK_DEFAULT_ARCH}.embedded ${KDK_DEFAULT_ARCH} "boot;embedded" 2400
    bash "${PROJECT_SOURCE_DIR}/tests/boot/embedded.sh" "${PROJECT_SOURCE_DIR}" ${KDK_DEFAULT_ARCH}
    "${KDK_LINUX_SOURCE_DIR}" "${KDK_BUSYBOX_SOURCE_DIR}" "${_preset_fragments}" ${KDK_TEST_FIXTURES} "${CMAKE_BINARY_DIR}"
    "${_kunit}")
endif()

# The kernel-version matrix: each KDK_TEST_KERNELS entry, LABEL|SOURCE|ARCH,ARCH...|gcc or llvm,
# is a tree of its own (tests/boot/matrix.sh) built from SOURCE (a tarball or tree) with this
# checkout, BusyBox and preset fragments, whose boot, gdb, module and config tests must all pass.
set(KDK_TEST_KERNELS "$ENV{KDK_TEST_KERNELS}" CACHE STRING
  "More kernels to test, each LABEL|SOURCE|ARCH,ARCH...|gcc or llvm (default: the environment variable)")
string(REPLACE ";" "," _preset_fragments "${KDK_LINUX_PRESET_FRAGMENTS}")
string(REPLACE ";" "," _kunit "${KDK_KUNIT}")
string(REPLACE ";" "," _kselftest "${KDK_KSELFTEST}")
foreach(_entry IN LISTS KDK_TEST_KERNELS)
  string(REPLACE "|" ";" _fields "${_entry}")
  list(LENGTH _fields _n)
  if(NOT _n EQUAL 4)
    kdk_fatal("KDK_TEST_KERNELS: '${_entry}' is not LABEL|SOURCE|ARCH,ARCH...|TOOLCHAIN "
      "(for example 7.2|/usr/src/linux-source-7.2.tar.xz|x86_64,arm64|gcc).")
  endif()
  list(GET _fields 0 _label)
  list(GET _fields 1 _source)
  list(GET _fields 2 _arches)
  list(GET _fields 3 _toolchain)
  string(REPLACE "," ";" _arch_list "${_arches}")
  foreach(_a IN LISTS _arch_list)
    if(NOT _a IN_LIST KDK_KNOWN_ARCHES)
      string(REPLACE ";" ", " _known "${KDK_KNOWN_ARCHES}")
      kdk_fatal("KDK_TEST_KERNELS: '${_entry}': unknown architecture '${_a}' (known: ${_known}).")
    endif()
  endforeach()
  if(NOT _toolchain MATCHES "^(gcc|llvm)$" OR NOT _label MATCHES "^[A-Za-z0-9._-]+$")
    kdk_fatal("KDK_TEST_KERNELS: '${_entry}': the label is letters, digits, '.', '_' and '-', and the toolchain gcc or llvm.")
  endif()
  _kdk_add_boot_test(matrix.${_label}.${_toolchain} any "matrix" 5400
    bash "${PROJECT_SOURCE_DIR}/tests/boot/matrix.sh" "${PROJECT_SOURCE_DIR}" ${_label} "${_source}" ${_arches} ${_toolchain}
    "${KDK_BUSYBOX_SOURCE_DIR}" "${_preset_fragments}" "${_kunit}" "${_kselftest}")
endforeach()

# KDK_DISTRIBUTED with real daemons on loopback (tests/distributed): a tree of their own each,
# from the same sources, building the kernel's lib/ through distcc and icecream; a distcc host
# without the compiler; and kdk as a dependency of examples/hello-module. In the main tree only (the matrix and embedded trees run no helper
# tests): they check kdk's wiring, which is the same for every kernel.
if(KDK_HELPER_TESTS)
  foreach(_engine IN ITEMS distcc icecream)
    _kdk_add_boot_test(distributed.${KDK_DEFAULT_ARCH}.${_engine} ${KDK_DEFAULT_ARCH} distributed 1800
      bash "${PROJECT_SOURCE_DIR}/tests/distributed/${_engine}.sh" "${PROJECT_SOURCE_DIR}" ${KDK_DEFAULT_ARCH}
      "${KDK_LINUX_SOURCE_DIR}" "${KDK_BUSYBOX_SOURCE_DIR}")
  endforeach()
  # kdk as another project's dependency: examples/hello-module through FetchContent.
  _kdk_add_boot_test(dependency.${KDK_DEFAULT_ARCH}.fetchcontent ${KDK_DEFAULT_ARCH} "boot;dependency" 2400
    bash "${PROJECT_SOURCE_DIR}/tests/boot/dependency.sh" "${PROJECT_SOURCE_DIR}" ${KDK_DEFAULT_ARCH}
    "${KDK_LINUX_SOURCE_DIR}" "${KDK_BUSYBOX_SOURCE_DIR}")
  _kdk_add_boot_test(bad.distcc_compiler ${KDK_DEFAULT_ARCH} "bad-input;distributed" 600
    bash "${PROJECT_SOURCE_DIR}/tests/bad_input/distcc_compiler.sh" "${PROJECT_SOURCE_DIR}" ${KDK_DEFAULT_ARCH}
    "${KDK_LINUX_SOURCE_DIR}" "${KDK_BUSYBOX_SOURCE_DIR}")
endif()

# Bad input: each mistake gets a clear message and changes nothing on disk.
foreach(_t IN ITEMS wrong_hash truncated_tarball configure_errors)
  _kdk_add_boot_test(bad.${_t} any bad-input 300 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/${_t}.sh")
endforeach()
_kdk_add_boot_test(bad.port_in_use any bad-input 60 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/port_in_use.sh" "$<TARGET_FILE:kdk>")
_kdk_add_boot_test(bad.debian_tools any bad-input 60 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/debian_tools.sh" "$<TARGET_FILE:kdk>")
get_property(_env GLOBAL PROPERTY KDK_${KDK_DEFAULT_ARCH}_ENV)
_kdk_add_boot_test(bad.libvirt_tools ${KDK_DEFAULT_ARCH} bad-input 60 bash "${PROJECT_SOURCE_DIR}/tests/bad_input/libvirt_tools.sh" "${_env}")
kdk_arch_get(${KDK_DEFAULT_ARCH} SRCARCH _srcarch)
_kdk_add_boot_test(bad.fragment_errors ${KDK_DEFAULT_ARCH} bad-input 120
  bash "${PROJECT_SOURCE_DIR}/tests/bad_input/fragment_errors.sh" "${_env}" ${_srcarch})
if(KDK_TEST_FIXTURES)
  _kdk_add_boot_test(bad.module_compile ${KDK_DEFAULT_ARCH} bad-input 300
    bash "${PROJECT_SOURCE_DIR}/tests/bad_input/module_compile.sh" "${_env}")
endif()
# A module of the first architecture offered to the second one's root filesystem.
list(LENGTH KDK_ARCHES _n)
if(_n GREATER 1 AND KDK_TEST_FIXTURES)
  list(GET KDK_ARCHES 1 _other)
  get_property(_other_env GLOBAL PROPERTY KDK_${_other}_ENV)
  _kdk_add_boot_test(bad.module_wrong_arch ${_other} bad-input 120
    bash "${PROJECT_SOURCE_DIR}/tests/bad_input/module_wrong_arch.sh" "${_other_env}"
    "${CMAKE_BINARY_DIR}/${KDK_DEFAULT_ARCH}/modules/kdk_example")
endif()
