#!/usr/bin/env bash
# gdb.<arch>.start_kernel: QEMU starts paused with its gdb stub on 127.0.0.1 and a free port;
# gdb on vmlinux (with the kernel's gdb scripts) sets a hardware breakpoint at start_kernel,
# which must hit with a file:line in init/main.c; lx-version there must print the banner that
# the guest then prints on its console.
# usage: gdb_start_kernel.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
port=$("$KDK" port)
qemu_command 'kdk.run=true'
boot_guest_background "$port" --expect '^Linux version ' --expect '^kdk-exit-status: 0$' -- -S -gdb "tcp:127.0.0.1:$port"
# Hardware breakpoint: start_kernel runs before the MMU maps the kernel where gdb expects it.
"$GDB" -batch -nx \
  -iex "add-auto-load-safe-path $LINUX_BUILD_DIR" \
  -iex "set architecture $GDB_ARCH" \
  -ex "target remote 127.0.0.1:$port" \
  -ex "hbreak start_kernel" \
  -ex "continue" \
  -ex "lx-version" \
  -ex "delete" \
  -ex "continue" \
  "$LINUX_BUILD_DIR/vmlinux" > gdb.log 2>&1 || true
wait_guest || fail "the guest did not boot to the end after the breakpoint (serial log: $PWD/serial.log)"
grep -Eq '(Breakpoint|breakpoint) 1, (0x[0-9a-f]+ in )?start_kernel \(\) at [^ ]*init/main\.c:[0-9]+' gdb.log \
  || fail "the breakpoint at start_kernel did not hit with a file:line in init/main.c"
banner=$(grep -m1 '^Linux version ' gdb.log) || fail "lx-version printed no banner (are the kernel's gdb scripts loaded?)"
tr -d '\r' < serial.log | grep -xF "$banner" > /dev/null || fail "lx-version printed '$banner', which the guest did not print"
echo "ok: $(grep -Eo 'start_kernel \(\) at [^ ]*init/main\.c:[0-9]+' gdb.log | head -1); lx-version matches the guest's banner"
