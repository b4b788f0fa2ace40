#!/usr/bin/env bash
# kselftest mistakes, against this build's real kernel: a collection that does not exist is
# refused naming it, and leaves nothing behind (no new tree, no half-built one beside it, the
# tree the root filesystem packs unchanged).
# usage: kselftest_errors.sh ENV
source "$(dirname "$0")/lib.sh"
source "$1"
script="$TOP/cmake/scripts/kselftest.sh"
real="$STATE_DIR/kselftest/root"
before=$(cd "$real" && find . -type f -exec sha256sum {} + | sort | sha256sum)
expect_failure "unknown collection" bash "$script" build "$1" "$T/root" "$T/stamp" 60 size no-such-collection
expect_output "kdk: kselftest-install made no no-such-collection for $KDK_ARCH: is 'no-such-collection' a collection of tools/testing/selftests in this kernel?"
[ ! -e "$T/root" ] && [ ! -e "$T/root.new" ] && [ ! -e "$T/stamp" ] || { ls -la "$T"; echo "FAIL: the failed build left files behind"; exit 1; }
after=$(cd "$real" && find . -type f -exec sha256sum {} + | sort | sha256sum)
[ "$before" = "$after" ] || { echo "FAIL: $real changed"; exit 1; }
echo "ok: an unknown collection is refused by name; nothing was left behind or changed"
