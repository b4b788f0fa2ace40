#!/usr/bin/env bash
# boot.<arch>.module: in the guest, `modprobe kdk_example` (tests/module) loads the in-tree
# crc-ccitt module first, as depmod's modules.dep says; writing to its debugfs file runs
# kdk_example_poke(), whose CRC-CCITT of the text must match the one computed here; rmmod
# unloads it.
# usage: module.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
crc=$(python3 -c '
crc = 0
for b in b"42":
    crc ^= b
    for _ in range(8):
        crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
print("0x%04x" % crc)')
qemu_command 'kdk.run="modprobe kdk_example && lsmod && echo 42 > /sys/kernel/debug/kdk_example/poke && cat /sys/kernel/debug/kdk_example/poke && rmmod kdk_example"'
boot_guest \
  --expect 'kdk_example: loaded' \
  --expect '^crc_ccitt .*kdk_example' \
  --expect "^pokes=1 last=42 crc-ccitt=$crc\$" \
  --expect 'kdk_example: unloaded' \
  --expect '^kdk-exit-status: 0$'
echo "ok: $KDK_ARCH: modprobe kdk_example loaded crc_ccitt first; kdk_example_poke(42) computed crc-ccitt $crc; rmmod unloaded it"
