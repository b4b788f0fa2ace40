#!/usr/bin/env bash
# A download whose SHA256 does not match its pin is reported with both hashes and deleted; a bad
# file already in the cache is replaced, not used. (file:// stands in for the network.)
source "$(dirname "$0")/lib.sh"
printf 'not the real tarball\n' > "$T/upstream.tar.xz"
actual=$(sha256sum "$T/upstream.tar.xz" | cut -d' ' -f1)
pinned=0000000000000000000000000000000000000000000000000000000000000000
expect_failure "wrong hash" cmake -DURL="file://$T/upstream.tar.xz" -DSHA256=$pinned -DFILE="$T/cache/linux.tar.xz" \
  -DWHAT=KDK_LINUX -P "$TOP/cmake/scripts/fetch.cmake"
expect_output "expected $pinned"
expect_output "found    $actual"
expect_output "set KDK_LINUX_SHA256"
[ ! -e "$T/cache/linux.tar.xz" ] && [ ! -e "$T/cache/linux.tar.xz.part" ] || { echo "FAIL: the bad download was kept"; exit 1; }
# The right pin downloads, verifies and renames into place.
cmake -DURL="file://$T/upstream.tar.xz" -DSHA256=$actual -DFILE="$T/cache/linux.tar.xz" -DWHAT=KDK_LINUX \
  -P "$TOP/cmake/scripts/fetch.cmake" > "$T/out" 2>&1
cmp "$T/upstream.tar.xz" "$T/cache/linux.tar.xz"
# A corrupted cache entry is detected, deleted, and fetched again.
printf 'corrupt' > "$T/cache/linux.tar.xz"
cmake -DURL="file://$T/upstream.tar.xz" -DSHA256=$actual -DFILE="$T/cache/linux.tar.xz" -DWHAT=KDK_LINUX \
  -P "$TOP/cmake/scripts/fetch.cmake" > "$T/out" 2>&1
expect_output "has the wrong SHA256"
cmp "$T/upstream.tar.xz" "$T/cache/linux.tar.xz"
echo "ok: mismatch reported with both hashes and deleted; a corrupt cache entry is replaced"
