#!/usr/bin/env bash
# gdb.<arch>.module: gdb, set up exactly as `ninja debug` sets it up (qemu.sh gdb-command: run to
# start_kernel, then lx-symbols), breaks in the module's init function (.init.text) while the guest
# loads it, then in kdk_example_poke() (.text), with arguments, file:line, the caller and a .bss
# variable right; then a bare lx-symbols reloads the module from kdk's directories. Nobody types
# an address: lx-symbols loads the module's symbols when the guest loads it, and kdk-gdb.py
# places each of its sections where the kernel put it.
# usage: gdb_module.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
port=$("$KDK" port)
qemu_command 'kdk.run="modprobe kdk_example && echo 7 > /sys/kernel/debug/kdk_example/poke && cat /sys/kernel/debug/kdk_example/poke"'
boot_guest_background "$port" --expect '^pokes=1 last=7 ' --expect '^kdk-exit-status: 0$' -- -S -gdb "tcp:127.0.0.1:$port"
gdb_command qemu "$port"
# Breakpoint 2 is deleted once it has hit: on arm under TCG, gdb's step over a module breakpoint
# was once reported as a second hit of it (1 CI run in many), and the second continue then
# never reached kdk_example_poke.
"${gdb[0]}" -batch -nx "${gdb[@]:1}" \
  -ex "set breakpoint pending on" \
  -ex "break kdk_example_init" \
  -ex "break kdk_example_poke" \
  -ex "continue" \
  -ex "delete 2" \
  -ex "continue" \
  -ex "bt" \
  -ex "info source" \
  -ex "print kdk_example_pokes" \
  -ex "lx-lsmod" \
  -ex "lx-symbols" \
  -ex "delete" \
  -ex "continue" > gdb.log 2>&1 || true
wait_guest || fail "the guest did not run to the end after the breakpoint (serial log: $PWD/serial.log)"
grep -q 'scanning for modules in' gdb.log || fail "lx-symbols did not run"
grep -Eq '^Breakpoint 2(\.[0-9]+)?, (0x[0-9a-f]+ in )?kdk_example_init \(\) at [^ ]*kdk_example\.c:[0-9]+' gdb.log \
  || fail "the breakpoint in the module's init function, kdk_example_init, did not hit with a file:line in kdk_example.c"
grep -Eq '^Breakpoint 3(\.[0-9]+)?, (0x[0-9a-f]+ in )?kdk_example_poke \(value=7, .*\) at [^ ]*kdk_example\.c:[0-9]+' gdb.log \
  || fail "the breakpoint in kdk_example_poke (value=7) did not hit with a file:line in kdk_example.c"
grep -Eq '^#1 .* poke_write \(' gdb.log || fail "the backtrace does not show poke_write, the module's caller"
# The file gdb lists is the module's own source, not a copy in a build directory (this one's, or
# another tree's whose compile ccache served).
shown=$(sed -n '/^Located in /{s///p;q}' gdb.log)
[ -n "$shown" ] || fail "gdb's 'info source' named no file for kdk_example_poke"
[ "$(readlink -f "$shown")" = "$(readlink -f "$(dirname "$0")/../module/kdk_example.c")" ] \
  || fail "gdb shows $shown, which is not the module's source tests/module/kdk_example.c"
# What the bare lx-symbols printed: from kdk-gdb.py's line naming the directories it reuses. (Not a
# count of every load in the log: under TCG, lx-symbols' own breakpoint in do_init_module has been
# seen to report once more, and then it reloads the module once more.)
sed -n '/^kdk: lx-symbols /,$p' gdb.log | grep '^loading @.*/kdk_example\.ko$' > /dev/null \
  || fail "a bare lx-symbols, run after the module loaded, did not load kdk_example.ko again from kdk's module directories"
grep -Eq '^\$1 = 0$' gdb.log || fail "print kdk_example_pokes did not read the module's variable (0 before the poke)"
echo "ok: $(grep -Eo 'kdk_example_poke \(value=7, .*\) at [^ ]*kdk_example\.c:[0-9]+' gdb.log | head -1)"
