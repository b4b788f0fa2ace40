#!/usr/bin/env bash
# A fragment with a typo, and a fragment option whose dependency is off, against the real kernel
# tree and .config of this build: each is named with FILE:LINE and explained.
# usage: fragment_errors.sh ENV SRCARCH
source "$(dirname "$0")/lib.sh"
source "$1"
printf '# my fragment\nCONFIG_DEBUG_INOF=y\n' > "$T/typo.config"
expect_failure "typo" "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$2" "$LINUX_BUILD_DIR/.config" "$T/typo.config"
expect_output "kdk: $T/typo.config:2: CONFIG_DEBUG_INOF=y did not stick: the final .config has it unset; no Kconfig file defines DEBUG_INOF (did you mean 'CONFIG_DEBUG_INFO'?)"
printf 'CONFIG_EXT4_FS_POSIX_ACL=y\n' > "$T/dep.config"
expect_failure "dependency off" "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$2" "$LINUX_BUILD_DIR/.config" "$T/dep.config"
expect_output "kdk: $T/dep.config:1: CONFIG_EXT4_FS_POSIX_ACL=y did not stick"
expect_output "EXT4_FS is unset"
echo "ok: typo and unmet dependency both named with FILE:LINE"
