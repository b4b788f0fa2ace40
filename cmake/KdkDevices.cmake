# What the guest gets besides its kernel and root filesystem: your own disk image
# (KDK_DISK_IMAGE, KDK_ROOT), host directory shares over 9p (KDK_SHARE_DIRS), user-mode networking
# with port forwards on 127.0.0.1 (KDK_NET, KDK_HOSTFWD). Options are checked here; the kernel
# fragments each one needs come from kdk_device_fragments(); cmake/scripts/qemu.sh turns the
# values in kdk.env into QEMU options and kernel arguments that rootfs/skeleton/init acts on.

set(KDK_DISK_IMAGE "" CACHE FILEPATH "Your own disk image (raw or qcow2) to boot the built kernel on, through a qcow2 overlay; the root is KDK_ROOT")
set(KDK_ROOT "/dev/vda1" CACHE STRING "With KDK_DISK_IMAGE: the kernel's root= (the image is /dev/vda)")
set(KDK_SHARE_DIRS "" CACHE STRING "Host directories in the guest over 9p, each TAG|HOST_DIR[|GUEST_DIR[|ro]] (GUEST_DIR default /mnt/TAG; read-write unless ro)")
set(KDK_NET "none" CACHE STRING "Guest network: none, or user (QEMU's user-mode network; the guest takes an address with udhcpc)")
set_property(CACHE KDK_NET PROPERTY STRINGS none user)
set(KDK_HOSTFWD "" CACHE STRING "With KDK_NET=user: host port forwards, comma-separated, such as tcp:2222-:22 (always bound to 127.0.0.1)")

# The forms of a forward that kdk accepts: QEMU's hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport
# with hostaddr empty or 127.0.0.1, and the short tcp:hostport-:guestport. qemu.sh reads the same.
set(KDK_HOSTFWD_REGEX "^(tcp|udp):((127\\.0\\.0\\.1)?:)?([0-9]+)-([0-9.]*:)?([0-9]+)$")

if(NOT KDK_NET MATCHES "^(none|user)$")
  kdk_fatal("KDK_NET=${KDK_NET}: use none (the default) or user (QEMU's user-mode network, with KDK_HOSTFWD for forwards)")
endif()
if(KDK_HOSTFWD AND NOT KDK_NET STREQUAL "user")
  kdk_fatal("KDK_HOSTFWD=${KDK_HOSTFWD} needs KDK_NET=user: forwards go to the guest's user-mode network")
endif()
string(REPLACE "," ";" _kdk_forwards "${KDK_HOSTFWD}")
set(_kdk_host_ports "")
foreach(_fwd IN LISTS _kdk_forwards)
  if(NOT _fwd MATCHES "${KDK_HOSTFWD_REGEX}")
    if(_fwd MATCHES "^(tcp|udp):([^:]+):[0-9]+-")
      kdk_fatal("KDK_HOSTFWD: '${_fwd}' binds to ${CMAKE_MATCH_2}: kdk binds forwards to 127.0.0.1 only, "
        "so that the guest is not reachable from other machines. Write ${CMAKE_MATCH_1}::PORT-:GUEST_PORT.")
    endif()
    kdk_fatal("KDK_HOSTFWD: '${_fwd}' is not a forward: write tcp:HOST_PORT-:GUEST_PORT (or udp:...), "
      "for example tcp:2222-:22, several separated by commas")
  endif()
  foreach(_p ${CMAKE_MATCH_4} ${CMAKE_MATCH_6})
    if(_p LESS 1 OR _p GREATER 65535)
      kdk_fatal("KDK_HOSTFWD: '${_fwd}': port ${_p} is not between 1 and 65535")
    endif()
  endforeach()
  if("${CMAKE_MATCH_1}:${CMAKE_MATCH_4}" IN_LIST _kdk_host_ports)
    kdk_fatal("KDK_HOSTFWD: ${CMAKE_MATCH_1} host port ${CMAKE_MATCH_4} is forwarded twice")
  endif()
  list(APPEND _kdk_host_ports "${CMAKE_MATCH_1}:${CMAKE_MATCH_4}")
endforeach()

# KDK_SHARE_DIRS: checked here (the directory must exist), passed on as written.
set(_kdk_tags "")
foreach(_share IN LISTS KDK_SHARE_DIRS)
  string(REPLACE "|" ";" _fields "${_share}")
  list(LENGTH _fields _n)
  set(_guest "")
  set(_mode rw)
  if(_n LESS 2 OR _n GREATER 4)
    kdk_fatal("KDK_SHARE_DIRS: '${_share}' is not TAG|HOST_DIR[|GUEST_DIR[|ro]] (for example src|/home/me/src or "
      "data|/srv/data|/data|ro; several separated by ';')")
  endif()
  list(GET _fields 0 _tag)
  list(GET _fields 1 _host)
  if(_n GREATER 2)
    list(GET _fields 2 _guest)
  endif()
  if(_n GREATER 3)
    list(GET _fields 3 _mode)
  endif()
  string(LENGTH "${_tag}" _len)
  if(NOT _tag MATCHES "^[A-Za-z0-9_.-]+$" OR _len GREATER 31)
    kdk_fatal("KDK_SHARE_DIRS: '${_share}': the tag '${_tag}' must be 1 to 31 letters, digits, '.', '_' or '-' "
      "(the guest mounts the share by it)")
  endif()
  if(_tag IN_LIST _kdk_tags)
    kdk_fatal("KDK_SHARE_DIRS: the tag '${_tag}' is given twice: each share needs a tag of its own")
  endif()
  list(APPEND _kdk_tags "${_tag}")
  if(NOT IS_ABSOLUTE "${_host}")
    kdk_fatal("KDK_SHARE_DIRS: '${_share}': the host directory '${_host}' must be an absolute path")
  endif()
  if(NOT IS_DIRECTORY "${_host}")
    kdk_fatal("KDK_SHARE_DIRS: '${_share}': the host directory ${_host} does not exist or is not a directory. "
      "Create it, or drop the share.")
  endif()
  if(_guest AND (NOT _guest MATCHES "^/." OR _guest MATCHES "[\"\\\\\n\t]|^/(proc|sys|dev)(/|$)"))
    kdk_fatal("KDK_SHARE_DIRS: '${_share}': the guest directory '${_guest}' must be an absolute path other than /, "
      "outside /proc, /sys and /dev, without quotes, backslashes, tabs or newlines")
  endif()
  if(NOT _mode MATCHES "^(ro|rw)$")
    kdk_fatal("KDK_SHARE_DIRS: '${_share}': the last field is ro (read-only) or rw, not '${_mode}'")
  endif()
endforeach()

# The shares' transport: virtiofs when virtiofsd runs here (Debian 13 and later package it;
# KDK_VIRTIOFSD may name one), else 9p. The kernel gets both (share.config and, for virtiofs,
# virtiofs.config), so a boot can still fall back to 9p. The choice is printed here and at
# every boot.
set(KDK_SHARE_FS "auto" CACHE STRING "How shares reach the guest: auto (virtiofs when virtiofsd runs, else 9p), 9p, or virtiofs")
set_property(CACHE KDK_SHARE_FS PROPERTY STRINGS auto 9p virtiofs)
if(NOT KDK_SHARE_FS MATCHES "^(auto|9p|virtiofs)$")
  kdk_fatal("KDK_SHARE_FS=${KDK_SHARE_FS}: use auto (the default), 9p or virtiofs")
endif()
if(NOT DEFINED CACHE{KDK_VIRTIOFSD} AND DEFINED ENV{KDK_VIRTIOFSD})
  set(KDK_VIRTIOFSD "$ENV{KDK_VIRTIOFSD}" CACHE FILEPATH "virtiofsd, for shares over virtiofs")
endif()
find_program(KDK_VIRTIOFSD virtiofsd PATHS /usr/libexec /usr/lib/qemu DOC "virtiofsd, for shares over virtiofs")
set(KDK_VIRTIOFSD_VERSION "")
if(KDK_VIRTIOFSD)
  execute_process(COMMAND "${KDK_VIRTIOFSD}" --version OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_rc EQUAL 0 AND _out MATCHES "virtiofsd ([0-9.]+)")
    set(KDK_VIRTIOFSD_VERSION "${CMAKE_MATCH_1}")
  endif()
endif()
set(KDK_SHARE_TRANSPORT 9p)
if(KDK_SHARE_FS STREQUAL "virtiofs" AND NOT KDK_VIRTIOFSD_VERSION)
  kdk_fatal("KDK_SHARE_FS=virtiofs: no virtiofsd that runs here (KDK_VIRTIOFSD='${KDK_VIRTIOFSD}'). Install it (Debian 13 "
    "and later, Ubuntu 24.04: apt-get install virtiofsd), give its path with -DKDK_VIRTIOFSD=, or use KDK_SHARE_FS=9p")
endif()
if(KDK_VIRTIOFSD_VERSION AND NOT KDK_SHARE_FS STREQUAL "9p")
  set(KDK_SHARE_TRANSPORT virtiofs)
endif()
if(KDK_SHARE_DIRS)
  if(KDK_SHARE_TRANSPORT STREQUAL "virtiofs")
    message(STATUS "kdk: shares over virtiofs (${KDK_VIRTIOFSD}, virtiofsd ${KDK_VIRTIOFSD_VERSION}, run as you, --sandbox=none)")
  else()
    message(STATUS "kdk: shares over 9p (virtiofs needs virtiofsd: Debian 13 and later package it; KDK_SHARE_FS=${KDK_SHARE_FS})")
  endif()
endif()

if(KDK_DISK_IMAGE)
  get_filename_component(KDK_DISK_IMAGE_PATH "${KDK_DISK_IMAGE}" ABSOLUTE)
  if(NOT EXISTS "${KDK_DISK_IMAGE_PATH}" OR IS_DIRECTORY "${KDK_DISK_IMAGE_PATH}")
    kdk_fatal("KDK_DISK_IMAGE: ${KDK_DISK_IMAGE_PATH} is not a file. Give the path of a raw or qcow2 disk image.")
  endif()
  if(NOT KDK_ROOT MATCHES "^[A-Za-z0-9=/:._-]+$")
    kdk_fatal("KDK_ROOT='${KDK_ROOT}': give the root device as the kernel's root= takes it, such as /dev/vda1 or PARTUUID=...")
  endif()
endif()

# kdk_device_fragments(<arch> <out-var>)
# The kernel fragments that the devices in use need: the disk (an ext4 root, or your image),
# shares, the network, a distribution's userland (KDK_DEBIAN), and with them the architecture's
# virtio transport. The test fixtures (KDK_TEST_FIXTURES, unless KDK_TEST_DEVICES is OFF) take
# all of them, for the ext4, disk image, share, network and Debian boot tests (distro only on
# the host's architecture).
# A machine without virtio (the profile's QEMU_VIRTIO is empty, as on the cubieboard) takes none
# of them: the test fixtures leave it out, and asking for a device there stops configure.
function(kdk_device_fragments arch out)
  set(frag "${PROJECT_SOURCE_DIR}/kernels/fragments")
  set(list "")
  kdk_arch_get(${arch} QEMU_VIRTIO virtio)
  if(NOT virtio)
    if(KDK_ROOTFS_FORMAT STREQUAL "ext4" OR KDK_DISK_IMAGE OR KDK_DEBIAN OR KDK_SHARE_DIRS OR NOT KDK_NET STREQUAL "none")
      kdk_fatal("${arch}: QEMU's ${arch} machine has no virtio transport (kernels/arch/${arch}/profile.cmake: QEMU_VIRTIO is empty), "
        "so it cannot have a disk root (KDK_ROOTFS_FORMAT=ext4, KDK_DISK_IMAGE, KDK_DEBIAN), shares (KDK_SHARE_DIRS) or "
        "the network (KDK_NET). Its root filesystem is the initramfs: drop those options, or build this architecture in a tree of its own.")
    endif()
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  if(KDK_ROOTFS_FORMAT STREQUAL "ext4" OR KDK_DISK_IMAGE OR KDK_FIXTURE_DEVICES OR KDK_DEBIAN)
    list(APPEND list "${frag}/disk.config")
  endif()
  # systemd's needs: KDK_DEBIAN, and the fixture kernel of the host's architecture (the Debian
  # boot test runs there, without qemu-user).
  kdk_arch_get(${arch} DEBIAN_ARCH deb_arch)
  if(KDK_DEBIAN OR (KDK_FIXTURE_DEVICES AND deb_arch STREQUAL KDK_HOST_DEBIAN_ARCH))
    list(APPEND list "${frag}/distro.config")
  endif()
  if(KDK_SHARE_DIRS OR KDK_FIXTURE_DEVICES)
    list(APPEND list "${frag}/share.config")
  endif()
  # virtiofs: the shares' transport here, and the fixture kernel of the host's architecture (the
  # share test runs virtiofs there when virtiofsd runs).
  if((KDK_SHARE_DIRS AND KDK_SHARE_TRANSPORT STREQUAL "virtiofs") OR (KDK_FIXTURE_DEVICES AND deb_arch STREQUAL KDK_HOST_DEBIAN_ARCH))
    list(APPEND list "${frag}/virtiofs.config")
  endif()
  if(KDK_NET STREQUAL "user" OR KDK_FIXTURE_DEVICES)
    list(APPEND list "${frag}/net.config")
  endif()
  if(list)
    list(PREPEND list "${PROJECT_SOURCE_DIR}/kernels/arch/${arch}/virtio.config")
  endif()
  set(${out} "${list}" PARENT_SCOPE)
endfunction()
