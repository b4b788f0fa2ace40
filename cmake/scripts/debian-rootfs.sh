#!/usr/bin/env bash
# usage: debian-rootfs.sh KDK DEBIAN_ARCH SUITE MODE SIZE OUT_IMAGE [MIRROR] [-- PACKAGE...]
# A Debian root filesystem with systemd, without root: mmdebstrap (MODE unshare or fakeroot)
# writes a tar archive of it, and `kdk image ext4 --tar` makes OUT_IMAGE (SIZE, such as 2G: the
# file is sparse) from the archive, owners and device nodes as mmdebstrap made them. The archive
# is kept beside the image (OUT_IMAGE with .tar for .ext4). root has no password (log in as root
# on the serial console); the hostname is kdk-debian. MIRROR: a mirror URI, a sources.list file,
# or nothing for mmdebstrap's default. PACKAGEs go into the image too.
# Used by the rootfs-debian-<arch> targets (cmake/KdkDebian.cmake) and the Debian boot test.
set -euo pipefail
kdk=$1 deb_arch=$2 suite=$3 mode=$4 size=$5 out=$6
shift 6
mirror=()
if [ $# -gt 0 ] && [ "$1" != -- ]; then mirror=("$1"); shift; fi
[ $# -eq 0 ] || shift  # --
packages=(systemd-sysv udev "$@")
fail() { echo "kdk: error: $*" >&2; exit 1; }

command -v mmdebstrap > /dev/null \
  || fail "mmdebstrap is not installed: apt-get install mmdebstrap (Debian and Ubuntu package 'mmdebstrap'; as a user other than root, unshare mode also needs 'uidmap' and an /etc/subuid entry)"
case $mode in
  unshare|fakeroot) ;;
  *) fail "KDK_DEBIAN_MODE=$mode: use unshare (user namespaces) or fakeroot; both run without root" ;;
esac
# A foreign architecture's maintainer scripts run under qemu-user through binfmt_misc.
host_arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)
if [ "$deb_arch" != "$host_arch" ]; then
  case $deb_arch in
    amd64) qemu_name=x86_64 ;; armhf) qemu_name=arm ;; arm64) qemu_name=aarch64 ;; *) qemu_name=$deb_arch ;;
  esac
  [ -e "/proc/sys/fs/binfmt_misc/qemu-$qemu_name" ] \
    || fail "a Debian $deb_arch userland on this $host_arch host runs its package scripts under qemu-$qemu_name, which binfmt_misc does not know here: apt-get install qemu-user-static binfmt-support (in a container, the host's binfmt_misc must have it)"
fi

dir=$(dirname "$out")
tar="${out%.ext4}.tar"
mkdir -p "$dir"
partial=$(mktemp --suffix=.tar "$dir/.debian-rootfs.XXXXXX")
trap 'rm -f "$partial"' EXIT
echo "kdk: building a Debian $suite $deb_arch root filesystem with mmdebstrap ($mode mode; packages: ${packages[*]})"
start=$(date +%s)
include=$(IFS=,; echo "${packages[*]}")
mmdebstrap --mode="$mode" --variant=minbase --architectures="$deb_arch" --include="$include" \
  --customize-hook='chroot "$1" passwd --delete root' \
  --customize-hook='echo kdk-debian > "$1/etc/hostname"' \
  --customize-hook='printf "/dev/vda / ext4 rw 0 1\n" > "$1/etc/fstab"' \
  "$suite" "$partial" "${mirror[@]}" \
  || fail "mmdebstrap could not build the Debian $suite $deb_arch root filesystem (its messages are above); nothing was changed"
chmod 0644 "$partial"
mv -f "$partial" "$tar"
echo "kdk: mmdebstrap took $(( $(date +%s) - start )) s; the archive is $tar"
"$kdk" image ext4 --tar "$tar" --size "$size" --label kdk-debian -o "$out"
