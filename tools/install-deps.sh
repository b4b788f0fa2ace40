#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages kdk needs that are missing, and nothing else.
# usage: tools/install-deps.sh [--print] [GROUP...]
#   GROUP: helper (the kdk helper and its tests), fuzz (clang/libFuzzer), kernel (kernel and
#   BusyBox builds for x86_64, QEMU, gdb), cross (arm, arm64 and riscv64 toolchains and QEMU),
#   llvm (clang, lld and llvm for KDK_LINUX_TOOLCHAIN=llvm), sources (Debian's offline kernel
#   sources: 6.1 and 6.12), debian (mmdebstrap, for KDK_DEBIAN and its boot test), libvirt
#   (virt-xml-validate and an unprivileged qemu:///session libvirt, for ninja libvirt-<arch> and
#   its tests), distributed (distcc and icecream, for KDK_DISTRIBUTED and its tests; not in the
#   default set: on a machine with systemd, Debian's icecc package starts iceccd, which joins any
#   icecream farm on the network), or all (default: helper kernel cross debian libvirt).
#   --print lists the missing packages without installing them.
# The same list serves the README's quick start and .ci/run.
set -euo pipefail
declare -A group=(
  [helper]="build-essential cmake ninja-build pkg-config libarchive-dev zlib1g-dev libbz2-dev liblzma-dev libzstd-dev liblz4-dev libgtest-dev cpio libarchive-tools gzip zstd xz-utils lz4 bzip2 time python3 e2fsprogs"
  [fuzz]="clang libclang-rt-14-dev"
  [kernel]="flex bison bc libelf-dev libssl-dev libncurses-dev kmod ccache qemu-system-x86 qemu-system-arm qemu-utils gdb-multiarch python3 file iproute2 rsync"
  [cross]="gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-armhf-cross libc6-dev-arm64-cross libc6-dev-riscv64-cross qemu-system-misc qemu-system-data"
  [llvm]="clang-19 lld-19 llvm-19"
  [sources]="linux-source-6.1 linux-source-6.12"
  [debian]="mmdebstrap uidmap"
  [libvirt]="libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu libxml2-utils"
  [distributed]="distcc icecc util-linux iproute2"
)
print=0 wanted=()
for arg in "$@"; do
  case $arg in
    --print) print=1 ;;
    -h|--help) sed -n '2,13p' "$0" | grep -v '^set ' | sed 's/^# \{0,1\}//'; exit 0 ;;
    all) wanted+=(helper fuzz kernel cross llvm sources debian libvirt distributed) ;;
    *) [ -n "${group[$arg]+x}" ] || { echo "install-deps: unknown group '$arg' (helper, fuzz, kernel, cross, llvm, sources, debian, libvirt, distributed, all)" >&2; exit 2; }
       wanted+=("$arg") ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(helper kernel cross debian libvirt)
missing=()
for g in "${wanted[@]}"; do
  for p in ${group[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything for ${wanted[*]} is installed"
  exit 0
fi
if [ $print -eq 1 ]; then
  echo "${missing[*]}"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
