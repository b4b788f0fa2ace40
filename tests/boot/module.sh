#!/usr/bin/env bash
# boot.<arch>.module: in the guest, `modprobe kdk_example` (tests/module) loads the in-tree
# xz_dec module first, as depmod's modules.dep says; writing to its debugfs file runs
# kdk_example_poke(), which unpacks an .xz stream with xz_dec: the text must be the one packed
# (checked here with the host's xz against the module's source); rmmod unloads it.
# usage: module.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
# The bytes of kdk_example_xz[] in the module's source, unpacked by the host's xz.
text=$(sed -n '/^static const u8 kdk_example_xz\[\] = {$/,/^};$/p' "$(dirname "$0")/../module/kdk_example.c" \
  | grep -Eo '0x[0-9a-f]{2}' | sed 's/^0x/\\x/' | tr -d '\n' | xargs -0 printf '%b' | xz -dc) \
  || fail "the host's xz cannot unpack kdk_example_xz[] from the module's source"
# The kernel's messages are read with dmesg afterwards, not from the console: the console
# orders them against the commands' output as it likes (Linux 7.2 on arm printed
# "kdk_example: loaded" after lsmod's lines, failing the ordered --expect).
qemu_command 'kdk.run="dmesg -n 1 && modprobe kdk_example && lsmod && echo 42 > /sys/kernel/debug/kdk_example/poke && cat /sys/kernel/debug/kdk_example/poke && rmmod kdk_example && dmesg -n 7 && dmesg | grep kdk_example:"'
boot_guest \
  --expect '^xz_dec .*kdk_example' \
  --expect "^pokes=1 last=42 xz=$text\$" \
  --expect 'kdk_example: loaded' \
  --expect 'kdk_example: unloaded' \
  --expect '^kdk-exit-status: 0$'
echo "ok: $KDK_ARCH: modprobe kdk_example loaded xz_dec first; kdk_example_poke(42) unpacked '$text' with it; rmmod unloaded it"
