#!/usr/bin/env bash
# A module built for one architecture is never installed into another's root filesystem: the
# install step of architecture B, given A's module directory, refuses it by its ELF machine and
# leaves B's staging tree as it was (here, not created).
# usage: module_wrong_arch.sh ENV_OF_B MODULE_DIR_OF_A
source "$(dirname "$0")/lib.sh"
env_file=$1
source "$env_file"
ko=$(find "$2" -maxdepth 1 -name '*.ko' -print -quit)
[ -n "$ko" ] || { echo "FAIL: no built module in $2 (build the tree first)"; exit 1; }
expect_failure "wrong-architecture module" \
  bash "$TOP/cmake/scripts/kernel-module.sh" install "$env_file" "$T/staging" "$T/stamp" "$2"
expect_output "$ko is built for '"
expect_output "but the $KDK_ARCH kernel is '"
expect_output "it is never installed into the $KDK_ARCH root filesystem"
[ ! -e "$T/staging" ] && [ ! -e "$T/stamp" ] || { echo "FAIL: the staging tree or its stamp was written"; exit 1; }
echo "ok: $(basename "$ko") from another architecture was refused for $KDK_ARCH"
