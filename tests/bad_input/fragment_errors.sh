#!/usr/bin/env bash
# Fragment mistakes against the real kernel tree and .config of this build, each named with
# FILE:LINE and explained: a typo, an option whose dependency is off, an option without a prompt
# (only `select` sets it), a symbol that only older or newer kernels have (kdk's catalogue), and
# a malformed '# kdk-if:' line.
# usage: fragment_errors.sh ENV SRCARCH
source "$(dirname "$0")/lib.sh"
source "$1"
printf '# my fragment\nCONFIG_DEBUG_INOF=y\n' > "$T/typo.config"
expect_failure "typo" "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$2" "$LINUX_BUILD_DIR/.config" "$T/typo.config"
expect_output "kdk: $T/typo.config:2: CONFIG_DEBUG_INOF=y did not stick: the final .config has it unset; no Kconfig file defines DEBUG_INOF (did you mean 'CONFIG_DEBUG_INFO'?)"
printf 'CONFIG_BTRFS_FS_POSIX_ACL=y\n' > "$T/dep.config"
expect_failure "dependency off" "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$2" "$LINUX_BUILD_DIR/.config" "$T/dep.config"
expect_output "kdk: $T/dep.config:1: CONFIG_BTRFS_FS_POSIX_ACL=y did not stick"
expect_output "BTRFS_FS is unset"
verify() { "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$2" --catalogue "$KCONFIG_CATALOGUE" "$LINUX_BUILD_DIR/.config" "$1"; }
# A symbol without a prompt that nothing selected in this kernel (a board's platform selects
# GENERIC_ALLOCATOR, for one).
for noprompt in GENERIC_ALLOCATOR ZLIB_DEFLATE LZO_COMPRESS; do
  grep -q "^CONFIG_$noprompt=" "$LINUX_BUILD_DIR/.config" || break
done
printf 'CONFIG_%s=y\n' "$noprompt" > "$T/select.config"
expect_failure "no prompt" verify "$T/select.config" "$2"
expect_output "kdk: $T/select.config:1: CONFIG_$noprompt=y did not stick: the final .config has it unset; $noprompt has no prompt in Linux "
expect_output ": only \`select\` can set it; selected by: "
version=$(sed -n 's/^VERSION = //p' "$LINUX_SOURCE_DIR/Makefile" | sed q)
if [ "$version" -ge 7 ]; then
  symbol=CRC32_SARWATE when="older kernels (kdk's catalogue: Linux 6.1, 6.12)"
else
  symbol=CPUFREQ_VIRT when="newer kernels (kdk's catalogue: Linux 7.2)"
fi
printf 'CONFIG_%s=y\n' "$symbol" > "$T/other.config"
expect_failure "symbol of another kernel" verify "$T/other.config" "$2"
expect_output "kdk: $T/other.config:1: CONFIG_$symbol=y did not stick: the final .config has it unset; no Kconfig file defines $symbol: it exists only in $when, not in Linux $version."
expect_output "to apply it only where it exists, put '# kdk-if: defined' on the line above it"
# The same request guarded by '# kdk-if: defined' is left out, and verify passes.
printf '# kdk-if: defined\nCONFIG_%s=y\n' "$symbol" > "$T/guarded.config"
verify "$T/guarded.config" "$2" > "$T/out" 2>&1 || { cat "$T/out"; echo "FAIL: a guarded symbol this kernel lacks was still required"; exit 1; }
expect_output "(1 of 1 '# kdk-if:' settings do not apply to Linux $version."
printf '# kdk-if: linux >= 6.x\nCONFIG_DEBUG_INFO=y\n' > "$T/cond.config"
expect_failure "malformed condition" verify "$T/cond.config" "$2"
expect_output "kdk: $T/cond.config:1: '6.x' is not a version (write it as 6.12 or 6.12.3)"
echo "ok: typo, unmet dependency, promptless option, another kernel's symbol and a bad condition, each named with FILE:LINE"
