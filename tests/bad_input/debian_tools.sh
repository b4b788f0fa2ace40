#!/usr/bin/env bash
# What KDK_DEBIAN's image step (cmake/scripts/debian-rootfs.sh) needs, missing: mmdebstrap (the
# package is named), a foreign architecture without qemu-user in binfmt_misc (the packages are
# named), and an unknown mode. Each fails before anything is written: no image, no archive.
# usage: debian_tools.sh KDK
source "$(dirname "$0")/lib.sh"
kdk=$1
script="$TOP/cmake/scripts/debian-rootfs.sh"
out="$T/img/debian.ext4"
nothing_written() { [ ! -e "$T/img" ] || [ -z "$(ls -A "$T/img")" ] || { ls -la "$T/img"; echo "FAIL: $1 left files"; exit 1; }; }

# A PATH with bash and coreutils but no mmdebstrap.
mkdir -p "$T/bin"
for tool in bash dirname mkdir mktemp rm date dpkg cat; do ln -sf "$(command -v "$tool")" "$T/bin/$tool"; done
expect_failure "no mmdebstrap" env PATH="$T/bin" bash "$script" "$kdk" amd64 bookworm unshare 2G "$out"
expect_output "mmdebstrap is not installed: apt-get install mmdebstrap"
nothing_written "no mmdebstrap"

expect_failure "an unknown mode" bash "$script" "$kdk" amd64 bookworm sudo 2G "$out"
expect_output "KDK_DEBIAN_MODE=sudo: use unshare (user namespaces) or fakeroot"
nothing_written "an unknown mode"

# A foreign architecture whose qemu-user binfmt_misc does not know (on a host where it does, the
# check has nothing to refuse, and this case says so).
host=$(dpkg --print-architecture)
foreign=arm64; [ "$host" != arm64 ] || foreign=amd64
qemu_name=aarch64; [ "$foreign" = arm64 ] || qemu_name=x86_64
if command -v mmdebstrap > /dev/null && [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$qemu_name" ]; then
  expect_failure "a foreign architecture without qemu-user" bash "$script" "$kdk" "$foreign" bookworm unshare 2G "$out"
  expect_output "runs its package scripts under qemu-$qemu_name, which binfmt_misc does not know here: apt-get install qemu-user-static binfmt-support"
  nothing_written "a foreign architecture"
else
  echo "note: binfmt_misc runs $foreign binaries here (or mmdebstrap is missing): the foreign-architecture refusal is not exercised"
fi
echo "ok: a missing mmdebstrap, an unknown mode and a foreign architecture without qemu-user are refused by name, nothing written"
