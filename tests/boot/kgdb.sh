#!/usr/bin/env bash
# gdb.<arch>.kgdb: the kernel boots with kgdboc=<second UART> kgdbwait, and QEMU has no gdb stub
# (no -gdb, no -s): gdb, set up as `ninja kgdb` + `ninja gdb` set it up, talks to the kernel's
# own KGDB on the second serial port (127.0.0.1). It reads linux_banner, breaks in ksys_sync()
# when the guest runs sync, and continues; the console on the first port runs the guest's
# command to the end meanwhile.
# usage: kgdb.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
port=$("$KDK" port)
qemu_command --kgdb "$port" 'kdk.run="echo console-ok; sync; echo synced"'
if printf '%s\n' "${qemu[@]}" | grep -Ex -- '-gdb|-s' > /dev/null; then fail "the KGDB boot must not start QEMU's gdb stub"; fi
boot_guest_background "$port" --expect 'KGDB: Waiting for connection from remote gdb' --expect '^console-ok$' --expect '^synced$' \
  --expect '^kdk-exit-status: 0$'
# QEMU listens on the port from its start; KGDB answers only once the kernel waits in kgdbwait.
# gdb connects then, as a user does after the message (on a loaded host that can take seconds).
wait_for_serial 'KGDB: Waiting for connection from remote gdb' || exit 1
gdb_command kgdb "$port"
"${gdb[0]}" -batch -nx "${gdb[@]:1}" \
  -ex "print linux_banner" \
  -ex "break ksys_sync" \
  -ex "continue" \
  -ex "bt 3" \
  -ex "delete" \
  -ex "continue" > gdb.log 2>&1 || true
wait_guest || fail "the guest did not run to the end (serial log: $PWD/serial.log)"
banner=$(sed -nE 's/^\$1 = .*"(Linux version [^"]*)\\n"$/\1/p' gdb.log)
[ -n "$banner" ] || fail "print linux_banner through KGDB printed no banner"
tr -d '\r' < serial.log | grep -xF "$banner" > /dev/null || fail "KGDB read '$banner', which the guest did not print"
# "Breakpoint 1.2, 0x... in ksys_sync ()": where the compiler also inlined ksys_sync into its caller
# (-O2), it has two locations, and the one hit may be mid-line.
grep -Eq '^(Thread [0-9]+ hit )?Breakpoint 1(\.[0-9]+)?, (0x[0-9a-f]+ in )?ksys_sync \(\) at [^ ]*fs/sync\.c:[0-9]+' gdb.log \
  || fail "the breakpoint in ksys_sync did not hit with a file:line in fs/sync.c"
echo "ok: KGDB on $KGDB_TTY read the banner and stopped in $(grep -Eo 'ksys_sync \(\) at [^ ]*fs/sync\.c:[0-9]+' gdb.log | head -1)"
