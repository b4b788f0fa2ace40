# Booting and debugging under QEMU: run-<arch>, debug-<arch>, gdbserver-<arch>, gdb-<arch>,
# kgdb-<arch>, decode-<arch>, console-<arch>, monitor-<arch>, and run/debug/gdbserver/gdb/kgdb/decode/console/monitor for the default
# architecture. The facts go into <build>/<arch>/kdk.env at generate time; cmake/scripts/qemu.sh
# (and kernel-module.sh) do the rest, so the command lines are readable in one place and the same
# for targets and tests.

set(KDK_KVM "auto" CACHE STRING "KVM: auto (use it only when a probe guest runs with it; decided once per host boot and QEMU binary), on, off")
set_property(CACHE KDK_KVM PROPERTY STRINGS auto on off)
if(NOT KDK_KVM MATCHES "^(auto|on|off)$")
  kdk_fatal("KDK_KVM=${KDK_KVM}: use auto, on or off")
endif()
set(KDK_GDB_PORT "" CACHE STRING "gdb stub port on 127.0.0.1 of the first architecture, the next ones for the others (empty: gdbserver and the IDE files take one derived from the build directory; debug and kgdb a free one each time)")
if(KDK_GDB_PORT AND NOT KDK_GDB_PORT MATCHES "^[1-9][0-9]*$")
  kdk_fatal("KDK_GDB_PORT=${KDK_GDB_PORT}: give a port number (1024 to 65000), or leave it empty")
endif()
if(KDK_GDB_PORT AND (KDK_GDB_PORT LESS 1024 OR KDK_GDB_PORT GREATER 65000))
  kdk_fatal("KDK_GDB_PORT=${KDK_GDB_PORT}: give a port number from 1024 to 65000 (the architectures take it and the next ones), or leave it empty")
endif()

# kdk_gdb_port(<arch> <out-var>): the gdb stub's fixed port of <arch> in this tree, which
# gdbserver-<arch> listens on and the IDE files (ide-<arch>) and libvirt-<arch> name:
# KDK_GDB_PORT plus the architecture's place in KDK_ARCHES, or, with KDK_GDB_PORT empty, a
# base in 20000-29999 derived from the build directory, so that two trees rarely meet.
function(kdk_gdb_port arch out)
  list(FIND KDK_ARCHES ${arch} index)
  if(KDK_GDB_PORT)
    math(EXPR port "${KDK_GDB_PORT} + ${index}")
  else()
    string(SHA256 hash "${CMAKE_BINARY_DIR}")
    string(SUBSTRING "${hash}" 0 6 hash)
    math(EXPR port "20000 + (0x${hash} % 1250) * 8 + ${index}")
  endif()
  set(${out} ${port} PARENT_SCOPE)
endfunction()

# kdk_env_file(<arch> <out-var>): <build>/<arch>/kdk.env, which kdk_add_qemu_targets writes and
# cmake/scripts/qemu.sh, kernel-module.sh and the tests read.
function(kdk_env_file arch out)
  set(${out} "${CMAKE_BINARY_DIR}/${arch}/kdk.env" PARENT_SCOPE)
endfunction()

# _kdk_bash_words(<out-var> <word>...): the words as the elements of a bash array literal, each
# single-quoted.
function(_kdk_bash_words out)
  set(words "")
  foreach(word IN LISTS ARGN)
    string(REPLACE "'" "'\\''" word "${word}")
    string(APPEND words " '${word}'")
  endforeach()
  set(${out} "${words}" PARENT_SCOPE)
endfunction()

# kdk_add_qemu_targets(<arch>)
function(kdk_add_qemu_targets arch)
  string(TOUPPER "${arch}" A)
  foreach(key SRCARCH QEMU_MACHINE QEMU_CPU QEMU_MEMORY QEMU_FIRMWARE QEMU_EXTRA GDB_ARCH KVM_HOST KGDB_TTY QEMU_VIRTIO DEBIAN_ARCH DTB DTB_CONFIG)
    kdk_arch_get(${arch} ${key} ${key})
  endforeach()
  get_property(linux_build GLOBAL PROPERTY KDK_${arch}_LINUX_BUILD_DIR)
  get_property(image GLOBAL PROPERTY KDK_${arch}_LINUX_IMAGE)
  get_property(initramfs GLOBAL PROPERTY KDK_${arch}_INITRAMFS)
  get_property(module_dirs GLOBAL PROPERTY KDK_${arch}_MODULE_DIRS)
  get_property(modules_rootfs GLOBAL PROPERTY KDK_${arch}_MODULES_ROOTFS)
  kdk_make_command(make linux ${arch})
  kdk_make_command(make_module linux ${arch} MODULE)
  get_property(rootfs_ext4 GLOBAL PROPERTY KDK_${arch}_ROOTFS_EXT4)
  set(initramfs_file "${initramfs}")
  set(rootfs_target initramfs-${arch})
  if(KDK_INITRAMFS STREQUAL "embedded")
    set(initramfs "")  # it is in the kernel image: no -initrd
  elseif(KDK_ROOTFS_FORMAT STREQUAL "ext4")
    set(initramfs "")  # the root is the disk image
    set(rootfs_target rootfs-ext4-${arch})
  elseif(KDK_DISK_IMAGE)
    set(initramfs "")  # the root is the user's disk image
    set(rootfs_target "")
  endif()
  set(disk_image "${KDK_DISK_IMAGE_PATH}")
  set(disk_root "${KDK_ROOT}")
  if(KDK_DEBIAN)
    set(initramfs "")  # the root is the Debian image, built when a boot needs it
    set(rootfs_target rootfs-debian-${arch})
    get_property(disk_image GLOBAL PROPERTY KDK_${arch}_DEBIAN_IMAGE)
    set(disk_root /dev/vda)
  endif()
  set_property(GLOBAL PROPERTY KDK_${arch}_ROOTFS_TARGET "${rootfs_target}")
  kdk_kunit_cmdline(kunit_cmdline)
  _kdk_bash_words(make_words ${make})
  _kdk_bash_words(make_module_words ${make_module})
  _kdk_bash_words(dir_words ${module_dirs})
  _kdk_bash_words(share_words ${KDK_SHARE_DIRS})
  kdk_linux_cmdline(${arch} cmdline)
  set(machine_args -machine ${QEMU_MACHINE} -cpu ${QEMU_CPU} -m ${QEMU_MEMORY} ${QEMU_EXTRA})
  if(QEMU_FIRMWARE)
    list(APPEND machine_args -bios "${QEMU_FIRMWARE}")
  endif()
  list(JOIN machine_args " " machine_args)
  set(virtiofsd "")
  if(KDK_VIRTIOFSD_VERSION)
    set(virtiofsd "${KDK_VIRTIOFSD}")
  endif()
  kdk_gdb_port(${arch} gdb_port)
  kdk_env_file(${arch} env)
  file(GENERATE OUTPUT "${env}" CONTENT "# Generated by cmake/KdkQemu.cmake for ${arch}; sourced by cmake/scripts/*.sh and the boot tests.
KDK_ARCH='${arch}'
KDK='$<TARGET_FILE:kdk>'
QEMU='${KDK_${A}_QEMU}'
QEMU_MACHINE_ARGS='${machine_args}'
KERNEL_IMAGE='${image}'
SRCARCH='${SRCARCH}'
DTB='${DTB}'
DTB_CONFIG='${DTB_CONFIG}'
INITRAMFS='${initramfs}'
INITRAMFS_FILE='${initramfs_file}'
KERNEL_CMDLINE='${cmdline}'
GDB='${KDK_GDB}'
GDB_ARCH='${GDB_ARCH}'
LINUX_BUILD_DIR='${linux_build}'
LINUX_SOURCE_DIR='${KDK_LINUX_SOURCE_DIR}'
KCONFIG_CATALOGUE='${KDK_KCONFIG_CATALOGUE}'
KBUILD_MAKE=(${make_words} )
KBUILD_MAKE_MODULE=(${make_module_words} )
BUILD_JOBS='${KDK_BUILD_JOBS}'
LINUX_TOOLCHAIN='${KDK_LINUX_TOOLCHAIN}'
LLVM_DIR='${KDK_LLVM_DIR}'
MODULE_DIRS=(${dir_words} )
MODULES_ROOTFS='${modules_rootfs}'
CROSS_COMPILE='${KDK_CROSS_COMPILE_${A}}'
KGDB_TTY='${KGDB_TTY}'
DEPMOD='${KDK_DEPMOD}'
KDK_INITRAMFS='${KDK_INITRAMFS}'
ROOTFS_FORMAT='${KDK_ROOTFS_FORMAT}'
ROOTFS_EXT4='${rootfs_ext4}'
ROOTFS_PERSIST='$<BOOL:${KDK_ROOTFS_PERSIST}>'
QEMU_VIRTIO='${QEMU_VIRTIO}'
DEBIAN_ARCH='${DEBIAN_ARCH}'
DISK_IMAGE='${disk_image}'
DISK_ROOT='${disk_root}'
SHARE_DIRS=(${share_words} )
SHARE_FS='${KDK_SHARE_TRANSPORT}'
VIRTIOFSD='${virtiofsd}'
QEMU_MEMORY='${QEMU_MEMORY}'
NET='${KDK_NET}'
HOSTFWD='${KDK_HOSTFWD}'
HOSTFWD_REGEX='${KDK_HOSTFWD_REGEX}'
QEMU_IMG='${KDK_QEMU_IMG}'
KVM_HOST='${KVM_HOST}'
KDK_KVM='${KDK_KVM}'
KDK_GDB_PORT='${KDK_GDB_PORT}'
GDB_PORT='${gdb_port}'
STATE_DIR='${CMAKE_BINARY_DIR}/${arch}'
KUNIT_CMDLINE='${kunit_cmdline}'
KUNIT_TIMEOUT='${KDK_KUNIT_TIMEOUT}'
")
  set(script "${PROJECT_SOURCE_DIR}/cmake/scripts/qemu.sh")
  foreach(mode run debug gdbserver kgdb)
    add_custom_target(${mode}-${arch}
      COMMAND bash "${script}" ${mode} "${env}"
      DEPENDS linux-${arch} ${rootfs_target}
      USES_TERMINAL
      VERBATIM)
  endforeach()
  foreach(mode console monitor)
    add_custom_target(${mode}-${arch}
      COMMAND bash "${script}" ${mode} "${env}"
      USES_TERMINAL
      VERBATIM)
  endforeach()
  add_custom_target(libvirt-${arch}
    COMMAND bash "${script}" libvirt "${env}"
    DEPENDS linux-${arch} ${rootfs_target}
    VERBATIM)
  if(rootfs_ext4 OR disk_image)
    add_custom_target(rootfs-reset-${arch}
      COMMAND bash "${script}" reset "${env}"
      VERBATIM)
  endif()
  # IDE launch configurations (VS Code, Eclipse CDT) with the facts of debug-<arch>.
  set(compiler "${KDK_${A}_CC}")
  if(KDK_LINUX_TOOLCHAIN STREQUAL "llvm")
    set(compiler "${KDK_LLVM_DIR}/clang")
  endif()
  add_custom_target(ide-${arch}
    COMMAND "${CMAKE_COMMAND}" -DENV=${env} -DQEMU_SH=${script} -DARCH=${arch} -DBUILD_DIR=${CMAKE_BINARY_DIR}
            -DNINJA=${CMAKE_MAKE_PROGRAM} -DCOMPILER=${compiler} -P "${PROJECT_SOURCE_DIR}/cmake/scripts/ide.cmake"
    VERBATIM)
  add_custom_target(gdb-${arch}
    COMMAND bash "${script}" gdb "${env}"
    DEPENDS linux-${arch}
    USES_TERMINAL
    VERBATIM)
  add_custom_target(decode-${arch}
    COMMAND bash "${script}" decode "${env}" "${CMAKE_BINARY_DIR}/${arch}/serial.log"
    DEPENDS linux-${arch} modules-${arch}
    USES_TERMINAL
    VERBATIM)
  set_property(GLOBAL PROPERTY KDK_${arch}_ENV "${env}")
endfunction()

# kdk_add_default_aliases(<arch>)
# run, debug, gdbserver, gdb, kgdb, decode, console, monitor, ide, libvirt, menuconfig-linux, savedefconfig-linux, menuconfig-busybox,
# compile-commands and (with KDK_DEBIAN) rootfs-debian for
# the default architecture (the first of KDK_ARCHES).
function(kdk_add_default_aliases arch)
  foreach(name run debug gdbserver gdb kgdb decode console monitor ide libvirt)
    add_custom_target(${name} DEPENDS ${name}-${arch})
  endforeach()
  foreach(name menuconfig-linux savedefconfig-linux menuconfig-busybox compile-commands)
    add_custom_target(${name} DEPENDS ${name}-${arch})
  endforeach()
  if(TARGET rootfs-debian-${arch})
    add_custom_target(rootfs-debian DEPENDS rootfs-debian-${arch})
  endif()
endfunction()
