#!/usr/bin/env bash
# A truncated source tarball fails with a message naming it and what to do, and leaves the
# previous tree and stamp untouched.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/linux-9.9/init"
head -c 200000 /dev/urandom > "$T/linux-9.9/init/main.c"
tar -C "$T" -cJf "$T/good.tar.xz" linux-9.9
head -c 20000 "$T/good.tar.xz" > "$T/truncated.tar.xz"
mkdir -p "$T/src/linux"; echo previous > "$T/src/linux/marker"
expect_failure "truncated tarball" cmake -DARCHIVE="$T/truncated.tar.xz" -DDEST="$T/src/linux" -DSTAMP="$T/src/linux.stamp" \
  -DWHAT=KDK_LINUX_SOURCE -P "$TOP/cmake/scripts/extract.cmake"
expect_output "cannot unpack $T/truncated.tar.xz"
expect_output "truncated or damaged"
[ "$(cat "$T/src/linux/marker")" = previous ] && [ ! -e "$T/src/linux.stamp" ] && [ ! -e "$T/src/linux.unpacking" ] \
  || { echo "FAIL: a failed unpack changed the tree"; exit 1; }
cmake -DARCHIVE="$T/good.tar.xz" -DDEST="$T/src/linux" -DSTAMP="$T/src/linux.stamp" -DWHAT=KDK_LINUX_SOURCE \
  -P "$TOP/cmake/scripts/extract.cmake"
cmp "$T/linux-9.9/init/main.c" "$T/src/linux/init/main.c"
echo "ok: truncated tarball refused, tree untouched; the good one unpacks"
