#!/usr/bin/env bash
# Configure-time mistakes, each in a scratch build tree: a KDK_LINUX_SOURCE that is not a kernel
# tree, an unclean tree, a missing cross compiler, a cross compiler for the wrong architecture,
# an unknown architecture, an unknown KDK_INITRAMFS or KDK_ROOTFS_FORMAT, an ext4 root with an
# embedded initramfs, a malformed KDK_ROOTFS_SIZE, wrong device options (a missing share
# directory, a forward not on 127.0.0.1, a missing disk image, virtiofs without virtiofsd), wrong
# KDK_DEBIAN options, a kernel older than kdk supports, an unknown
# KDK_LINUX_TOOLCHAIN, llvm without a usable clang, an unknown KDK_DISTRIBUTED, a KDK_JOBS that is
# not a number, a malformed KDK_TEST_KERNELS entry, and kernel
# modules declared wrongly (a missing source, an unknown architecture, two sources with one
# name), a device on a machine without virtio, and broken architecture profiles (an unknown key,
# a required key missing, a line that is not set(), a DTB without its Kconfig option), and a
# module project that declares its module before kdk is available or with kdk's superbuild off.
# Each must fail with a message naming it.
source "$(dirname "$0")/lib.sh"
configure() {
  local rc=0
  cmake -S "$TOP" -B "$T/build" -G Ninja -DKDK_BUILD_TESTS=OFF "$@" || rc=$?
  rm -rf "$T/build"
  return $rc
}

mkdir -p "$T/notakernel"; echo 'all:' > "$T/notakernel/Makefile"
expect_failure "not a kernel tree" configure -DKDK_LINUX_SOURCE="$T/notakernel"
expect_output "KDK_LINUX_SOURCE=$T/notakernel is not a Linux kernel source tree"

mkdir -p "$T/dirty"; echo 'VERSION = 6' > "$T/dirty/Makefile"; touch "$T/dirty/Kconfig" "$T/dirty/.config"
expect_failure "unclean tree" configure -DKDK_LINUX_SOURCE="$T/dirty"
expect_output "make -C $T/dirty mrproper"

expect_failure "unknown distributed engine" configure -DKDK_DISTRIBUTED=distc
expect_output "KDK_DISTRIBUTED='distc' is not an engine kdk knows: use distcc, icecream or off."

expect_failure "KDK_JOBS not a number" configure -DKDK_JOBS=many
expect_output "KDK_JOBS='many' is not a number of jobs"

# A module project (kdk as a dependency, examples/hello-module) that declares its module before
# kdk is available: CMake stops at the call, naming it; and one whose kdk has no superbuild.
mkdir -p "$T/early" "$T/nosuper"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(early LANGUAGES NONE)\nkdk_add_kernel_module(hello SOURCES hello.c)\ninclude(FetchContent)\nFetchContent_Declare(kdk GIT_REPOSITORY https://example.org/kdk.git GIT_TAG main)\nFetchContent_MakeAvailable(kdk)\n' > "$T/early/CMakeLists.txt"
expect_failure "module declared before kdk is available" cmake -S "$T/early" -B "$T/early/build" -DFETCHCONTENT_SOURCE_DIR_KDK="$TOP"
expect_output "CMakeLists.txt:3 (kdk_add_kernel_module)"
expect_output 'Unknown CMake command "kdk_add_kernel_module"'
[ ! -e "$T/early/build/_deps" ] || { echo "FAIL: kdk was configured after the error"; exit 1; }
sed -e '/kdk_add_kernel_module/d' -e '$a kdk_add_kernel_module(hello SOURCES hello.c)' "$T/early/CMakeLists.txt" > "$T/nosuper/CMakeLists.txt"
touch "$T/nosuper/hello.c"
expect_failure "module with kdk's superbuild off" cmake -S "$T/nosuper" -B "$T/nosuper/build" -G Ninja \
  -DFETCHCONTENT_SOURCE_DIR_KDK="$TOP" -DKDK_SUPERBUILD=OFF
expect_output "kdk_add_kernel_module(hello): kdk's superbuild is off"

expect_failure "missing cross compiler" configure -DKDK_CROSS_COMPILE_X86_64=nosuch-linux-gnu-
expect_output "nosuch-linux-gnu-gcc: Debian/Ubuntu 'gcc-x86-64-linux-gnu'"

if command -v aarch64-linux-gnu-gcc >/dev/null || command -v arm-linux-gnueabihf-gcc >/dev/null; then
  wrong=$(command -v aarch64-linux-gnu-gcc >/dev/null && echo aarch64-linux-gnu- || echo arm-linux-gnueabihf-)
  expect_failure "wrong-architecture compiler" configure -DKDK_CROSS_COMPILE_X86_64=$wrong
  expect_output "KDK_CROSS_COMPILE_X86_64=$wrong"
  expect_output "not for x86_64"
fi

if command -v arm-linux-gnueabihf-gcc >/dev/null; then  # issue 4's example: a 32-bit compiler for arm64
  expect_failure "arm compiler for arm64" configure -DKDK_ARCHES=arm64 -DKDK_CROSS_COMPILE_ARM64=arm-linux-gnueabihf-
  expect_output "KDK_CROSS_COMPILE_ARM64=arm-linux-gnueabihf-: "
  expect_output "builds for 'arm-linux-gnueabihf', not for arm64"
fi

expect_failure "unknown architecture" configure -DKDK_ARCHES=sparc64
expect_output "KDK_ARCHES: unknown architecture 'sparc64'. Known: "
expect_failure "unknown KDK_INITRAMFS" configure -DKDK_INITRAMFS=builtin
expect_output "KDK_INITRAMFS=builtin: use external (QEMU's -initrd, the default) or embedded"
expect_failure "unknown KDK_ROOTFS_FORMAT" configure -DKDK_ROOTFS_FORMAT=btrfs
expect_output "KDK_ROOTFS_FORMAT=btrfs: use initramfs (the default) or ext4"
expect_failure "an ext4 root with an embedded initramfs" configure -DKDK_ROOTFS_FORMAT=ext4 -DKDK_INITRAMFS=embedded
expect_output "KDK_ROOTFS_FORMAT=ext4 and KDK_INITRAMFS=embedded do not go together"
expect_failure "a malformed KDK_ROOTFS_SIZE" configure -DKDK_ROOTFS_FORMAT=ext4 -DKDK_ROOTFS_SIZE=12
expect_output "KDK_ROOTFS_SIZE=12: give N with K, M or G, such as 512M"

# The guest's devices (KdkDevices): a share of a missing directory, a forward on another address
# than 127.0.0.1, a forward without the network, an unknown network, a disk image that is not there.
expect_failure "a share of a missing directory" configure "-DKDK_SHARE_DIRS=src|$T/no such dir"
expect_output "KDK_SHARE_DIRS: 'src|$T/no such dir': the host directory $T/no such dir does not exist or is not a directory"
expect_failure "a share without a tag" configure "-DKDK_SHARE_DIRS=$T"
expect_output "is not TAG|HOST_DIR[|GUEST_DIR[|ro]]"
expect_failure "a forward on all interfaces" configure -DKDK_NET=user -DKDK_HOSTFWD=tcp:0.0.0.0:2222-:22
expect_output "KDK_HOSTFWD: 'tcp:0.0.0.0:2222-:22' binds to 0.0.0.0: kdk binds forwards to 127.0.0.1 only"
expect_failure "a forward without the network" configure -DKDK_HOSTFWD=tcp:2222-:22
expect_output "KDK_HOSTFWD=tcp:2222-:22 needs KDK_NET=user"
expect_failure "a forward to port 0" configure -DKDK_NET=user -DKDK_HOSTFWD=tcp:2222-:0
expect_output "KDK_HOSTFWD: 'tcp:2222-:0': port 0 is not between 1 and 65535"
expect_failure "an unknown network" configure -DKDK_NET=tap
expect_output "KDK_NET=tap: use none (the default) or user"
expect_failure "virtiofs without virtiofsd" configure -DKDK_SHARE_FS=virtiofs -DKDK_VIRTIOFSD="$T/no/virtiofsd"
expect_output "KDK_SHARE_FS=virtiofs: no virtiofsd that runs here (KDK_VIRTIOFSD='$T/no/virtiofsd'). Install it (Debian 13 and later, Ubuntu 24.04: apt-get install virtiofsd)"
expect_failure "an unknown share transport" configure -DKDK_SHARE_FS=nfs
expect_output "KDK_SHARE_FS=nfs: use auto (the default), 9p or virtiofs"
expect_failure "a missing disk image" configure -DKDK_DISK_IMAGE="$T/no.qcow2"
expect_output "KDK_DISK_IMAGE: $T/no.qcow2 is not a file"
truncate -s 1M "$T/disk.img"
expect_failure "a disk image and an ext4 root" configure -DKDK_DISK_IMAGE="$T/disk.img" -DKDK_ROOTFS_FORMAT=ext4
expect_output "KDK_ROOTFS_FORMAT=ext4 and KDK_DISK_IMAGE: each names the root disk; keep one of them"
# KDK_DEBIAN: its options, and the roots it does not go with.
expect_failure "Debian with an unknown mode" configure -DKDK_DEBIAN=ON -DKDK_DEBIAN_MODE=sudo
expect_output "KDK_DEBIAN_MODE=sudo: use unshare (user namespaces) or fakeroot; both run without root"
expect_failure "Debian with a bad package name" configure -DKDK_DEBIAN=ON "-DKDK_DEBIAN_PACKAGES=gcc;Make Me"
expect_output "KDK_DEBIAN_PACKAGES: 'Make Me' is not a Debian package name"
expect_failure "Debian with an ext4 root" configure -DKDK_DEBIAN=ON -DKDK_ROOTFS_FORMAT=ext4
expect_output "KDK_ROOTFS_FORMAT=ext4 and KDK_DEBIAN: each names the root disk; keep one of them"
expect_failure "Debian with an embedded initramfs" configure -DKDK_DEBIAN=ON -DKDK_INITRAMFS=embedded
expect_output "KDK_DEBIAN and KDK_INITRAMFS=embedded do not go together"
expect_failure "Debian with a malformed size" configure -DKDK_DEBIAN=ON -DKDK_DEBIAN_SIZE=2T
expect_output "KDK_DEBIAN_SIZE=2T: give N with K, M or G, such as 2G"

# A tree whose Makefile says 5.15: refused with the oldest supported version named.
mkdir -p "$T/old"; printf 'VERSION = 5\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION =\n' > "$T/old/Makefile"; touch "$T/old/Kconfig"
expect_failure "kernel older than supported" configure -DKDK_LINUX_SOURCE="$T/old"
expect_output "KDK_LINUX_SOURCE=$T/old is Linux 5.15.0, older than the oldest kernel kdk supports, Linux 6.1"

# The same check when a tarball's tree is configured at build time (kbuild-config.cmake).
expect_failure "kernel tarball older than supported" cmake -DMIN_VERSION=6.1 -DSOURCE_DIR="$T/old" -DNAME=vmlinux-x86_64 \
  -DBUILD_DIR="$T/old-build" -P "$TOP/cmake/scripts/kbuild-config.cmake"
expect_output "vmlinux-x86_64: the kernel source $T/old is Linux 5.15.0, older than the oldest kernel kdk supports, Linux 6.1"
[ ! -e "$T/old-build" ] || { echo "FAIL: the refused configuration step created $T/old-build"; exit 1; }
# A kernel that needs a newer LLVM than the clang given (its scripts/min-tool-version.sh says
# so), at the configuration step, with a real clang.
clang19=/usr/lib/llvm-19/bin/clang
if [ -x "$clang19" ]; then
  mkdir -p "$T/new/scripts"; printf 'VERSION = 7\nPATCHLEVEL = 9\nSUBLEVEL = 0\n' > "$T/new/Makefile"
  printf '#!/bin/sh\ncase "$1" in llvm) echo 99.0.0 ;; *) exit 1 ;; esac\n' > "$T/new/scripts/min-tool-version.sh"
  expect_failure "clang older than the kernel needs" cmake -DMIN_VERSION=6.1 -DSOURCE_DIR="$T/new" -DNAME=vmlinux-x86_64 \
    -DKCONFIG_ARCH=x86 -DCLANG="$clang19" -DBUILD_DIR="$T/new-build" -P "$TOP/cmake/scripts/kbuild-config.cmake"
  expect_output "vmlinux-x86_64: KDK_LINUX_TOOLCHAIN=llvm: this kernel needs LLVM 99.0.0 or newer (scripts/min-tool-version.sh), but $clang19 is '19."
  expect_output "Install clang, lld and llvm 99 or newer (Debian/Ubuntu: clang-N lld-N llvm-N, N >= 99: Debian 12 has up to 19)"
  [ ! -e "$T/new-build" ] || { echo "FAIL: the refused configuration step created $T/new-build"; exit 1; }
fi

expect_failure "unknown toolchain" configure -DKDK_LINUX_TOOLCHAIN=icc
expect_output "KDK_LINUX_TOOLCHAIN=icc: use gcc (the default) or llvm"
expect_failure "llvm without clang" configure -DKDK_LINUX_TOOLCHAIN=llvm -DKDK_CLANG="$T/no/clang"
expect_output "clang (KDK_LINUX_TOOLCHAIN=llvm, KDK_CLANG=$T/no/clang): Debian/Ubuntu 'clang-19 lld-19 llvm-19'"
expect_output "Linux 7.x needs LLVM 17.0.1 or newer"
# A clang whose directory has no ld.lld (a copy of a real one, alone in a directory).
if command -v clang >/dev/null; then
  mkdir -p "$T/lonely"; cp "$(readlink -f "$(command -v clang)")" "$T/lonely/clang"
  expect_failure "llvm without lld" configure -DKDK_LINUX_TOOLCHAIN=llvm -DKDK_CLANG="$T/lonely/clang"
  expect_output "$T/lonely/ld.lld (beside $T/lonely/clang, kbuild's LLVM=1 needs it)"
fi

expect_failure "malformed KDK_TEST_KERNELS" cmake -S "$TOP" -B "$T/build" -G Ninja -DKDK_TEST_KERNELS="7.2|/src|x86_64"
rm -rf "$T/build"
expect_output "KDK_TEST_KERNELS: '7.2|/src|x86_64' is not LABEL|SOURCE|ARCH,ARCH...|TOOLCHAIN"

printf 'kdk_add_kernel_module(kdk_nosources SOURCES missing.c)\n' > "$T/missing.cmake"
expect_failure "module source missing" configure -DKDK_EXTRA_CMAKE="$T/missing.cmake"
expect_output "kdk_add_kernel_module(kdk_nosources): source $T/missing.c does not exist."

touch "$T/m.c"
# (A message with a ';' in it: kdk_fatal prints it whole.)
printf 'kdk_add_kernel_module(kdk-m SOURCES m.c)\n' > "$T/name.cmake"
expect_failure "module name with a dash" configure -DKDK_EXTRA_CMAKE="$T/name.cmake"
expect_output "kdk_add_kernel_module: 'kdk-m' is not a module name (letters, digits and _; it becomes kdk-m.ko and the name in lsmod)."
printf 'kdk_add_kernel_module(kdk_m SOURCES m.c ARCHES sparc64)\n' > "$T/arch.cmake"
expect_failure "module for an unknown architecture" configure -DKDK_EXTRA_CMAKE="$T/arch.cmake"
expect_output "kdk_add_kernel_module(kdk_m): unknown architecture 'sparc64' in ARCHES (known: "
mkdir -p "$T/lib"
touch "$T/lib/m.c"
printf 'kdk_add_kernel_module(kdk_m SOURCES m.c lib/m.c)\n' > "$T/twice.cmake"
expect_failure "two module sources with one name" configure -DKDK_EXTRA_CMAKE="$T/twice.cmake"
expect_output "kdk_add_kernel_module(kdk_m): two sources are called m.c ($T/lib/m.c is the second)."
# A machine without virtio asked for a device.
if command -v arm-linux-gnueabihf-gcc >/dev/null; then
  expect_failure "network on the cubieboard" configure -DKDK_ARCHES=cubieboard -DKDK_NET=user
  expect_output "cubieboard: QEMU's cubieboard machine has no virtio transport (kernels/arch/cubieboard/profile.cmake: QEMU_VIRTIO is empty)"
fi

# Profiles: facts only, every key known, every required key set. A scratch copy of the checkout
# holds the broken profile (the real checkout is never written).
src="$T/src"
mkdir -p "$src"
cp -a "$TOP"/CMakeLists.txt "$TOP"/cmake "$TOP"/kernels "$TOP"/busybox "$TOP"/rootfs "$TOP"/src "$src"/
profile="$src/kernels/arch/badarch/profile.cmake"
mkdir -p "$(dirname "$profile")"
cp "$src/kernels/arch/x86_64/qemu.config" "$(dirname "$profile")/"
configure_copy() { local rc=0; cmake -S "$src" -B "$T/build" -G Ninja -DKDK_BUILD_TESTS=OFF -DKDK_ARCHES=badarch "$@" || rc=$?; rm -rf "$T/build"; return $rc; }
{ cat "$TOP/kernels/arch/x86_64/profile.cmake"; echo 'set(QEMU_MACHNE         q35)'; } > "$profile"
line=$(wc -l < "$profile")
expect_failure "unknown profile key" configure_copy
expect_output "$profile:$line: unknown profile key QEMU_MACHNE. The keys are: KERNEL_ARCH"
grep -v '^set(CONSOLE ' "$TOP/kernels/arch/x86_64/profile.cmake" > "$profile"
expect_failure "missing profile key" configure_copy
expect_output "$profile: the profile does not set CONSOLE, which every profile needs"
{ cat "$TOP/kernels/arch/x86_64/profile.cmake"; echo 'if(UNIX)'; echo 'endif()'; } > "$profile"
expect_failure "logic in a profile" configure_copy
expect_output "$profile:$((line)): a profile holds only set(KEY value) lines and comments"
{ cat "$TOP/kernels/arch/x86_64/profile.cmake"; echo 'set(DTB board.dtb)'; } > "$profile"
expect_failure "DTB without DTB_CONFIG" configure_copy
expect_output "$profile: DTB is board.dtb, but DTB_CONFIG (the Kconfig option that builds it) is not set"
echo "ok: every configure mistake was named"
