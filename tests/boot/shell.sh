#!/usr/bin/env bash
# boot.<arch>.shell: boots the kernel and initramfs, runs commands in the guest through
# kdk.run=, and checks `uname -r` against the built kernel's release and that /proc/cmdline
# holds nokaslr. The serial log stays in the test's directory.
# usage: shell.sh QEMU_ENV
set -euo pipefail
env_file=$1
source "$env_file"
here=$(cd "$(dirname "$0")" && pwd)
release=$(cat "$LINUX_BUILD_DIR/include/config/kernel.release")
escaped=$(printf '%s' "$release" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
mapfile -t qemu < <(bash "$here/../../cmake/scripts/qemu.sh" command "$env_file" \
  'kdk.run="echo release=$(uname -r); cat /proc/cmdline; ls -l /dev/console"')
"$KDK" boot --quiet --log "$PWD/serial.log" --timeout 300 \
  --expect '^kdk: booted in [0-9.]+ s' \
  --expect "^release=${escaped}\$" \
  --expect '(^| )nokaslr( |$)' \
  --expect '^kdk-exit-status: 0$' \
  -- "${qemu[@]}"
echo "ok: $KDK_ARCH booted $release; $(grep -m1 'kdk: booted' serial.log)"
