#!/usr/bin/env bash
# oops.<arch>.decoded: a boot that oopses fails, and the failure output carries the call trace
# decoded to file:line (scripts/decode_stacktrace.sh on vmlinux and the modules). The oops is
# forced: kdk_example_oops() dereferences NULL when its debugfs file is written.
# usage: oops.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
qemu_command 'kdk.run="modprobe kdk_example && echo 1 > /sys/kernel/debug/kdk_example/oops"'
if boot_guest --expect '^kdk-exit-status: 0$' > boot.out 2>&1; then
  cat boot.out
  fail "the boot that dereferences NULL in kdk_example_oops() passed"
fi
cat boot.out
line=$(grep -n 'WRITE_ONCE(\*kdk_example_target' "$(dirname "$0")/../module/kdk_example.c" | cut -d: -f1)
grep -Eq "kdk_example_oops .*\\([^ ]*kdk_example\\.c:$line\\)" boot.out \
  || fail "the failure output does not decode kdk_example_oops to kdk_example.c:$line, the NULL write"
echo "ok: the oops failed the boot and was decoded: $(grep -Eo 'kdk_example_oops.*kdk_example\.c:[0-9]+\)' boot.out | head -1)"
