#!/usr/bin/env bash
# boot.<arch>.shell: boots the kernel and initramfs, runs commands in the guest through
# kdk.run=, and checks `uname -r` against the built kernel's release and that /proc/cmdline
# holds nokaslr. The serial log stays in the test's directory.
# usage: shell.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
release=$(cat "$LINUX_BUILD_DIR/include/config/kernel.release")
escaped=$(printf '%s' "$release" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
qemu_command 'kdk.run="echo release=$(uname -r); cat /proc/cmdline; ls -l /dev/console"'
boot_guest \
  --expect '^kdk: booted in [0-9.]+ s' \
  --expect "^release=${escaped}\$" \
  --expect '(^| )nokaslr( |$)' \
  --expect '^kdk-exit-status: 0$'
echo "ok: $KDK_ARCH booted $release ($KDK_INITRAMFS initramfs); $(grep -m1 'kdk: booted' serial.log)"
