#!/usr/bin/env bash
# gdb.<arch>.console: the guest console while gdb holds the terminal, as in `ninja debug`, where
# QEMU serves the console on a unix socket (qemu.sh command --console-socket, the same options)
# and `ninja console-<arch>` attaches with `kdk console`. A scripted session types a command
# into the guest's shell; the command's sync() stops the guest at gdb's breakpoint in ksys_sync;
# while it is stopped, the command's output has not appeared; after gdb continues, the session
# reads it, then ends the guest with `reboot -f`.
# usage: console.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
port=$("$KDK" port)
# Relative, in the test directory where kdk boot starts QEMU: sun_path holds at most 107 bytes,
# and a CI checkout's test directory alone can be that long.
sock=console.sock
long="$PWD/$(printf 'd%.0s' {1..110})/console.sock"
if out=$(bash "$qemu_sh" command "$env_file" --console-socket "$long" 2>&1); then
  fail "qemu.sh took a console socket path of ${#long} bytes, which QEMU cannot bind"
fi
grep -F "$long: ${#long} bytes; a unix socket's path has at most 107" <<< "$out" > /dev/null || fail "no clear error for a socket path too long: $out"
rm -f console.out at-break.out gdb-stopped
qemu_command --console-socket "$sock"
boot_guest_background "$port" --expect '^typed-42' -- -S -gdb "tcp:127.0.0.1:$port"
gdb_command qemu "$port"
"${gdb[0]}" -batch -nx "${gdb[@]:1}" \
  -ex "break ksys_sync" \
  -ex "continue" \
  -ex "shell cp console.out at-break.out; touch gdb-stopped" \
  -ex "bt 1" \
  -ex "delete" \
  -ex "continue" > gdb.log 2>&1 &
gdb_pid=$!

# The shell's prompt on the console (the log has it too), then the session.
wait_for_serial "^kdk: 'reboot -f' ends QEMU"
wait_for_serial '^[~/][^ ]* # '  # the shell's prompt
type_command() {  # (console_session's typist)
  printf 'sync; echo typed-$((6*7))\n'
  wait_for_console '^typed-42' "$1" || true
  printf 'reboot -f\n'
}
console_session "$sock" type_command || fail "kdk console failed: $(cat console.err)"
wait_guest || fail "the guest did not run to the end (serial log: $PWD/serial.log)"
wait "$gdb_pid" || true
[ -e gdb-stopped ] || fail "gdb did not stop at ksys_sync"
grep -Eq '^Breakpoint 2(\.[0-9]+)?, .*ksys_sync' gdb.log || fail "the breakpoint in ksys_sync did not hit"
tr -d '\r' < at-break.out | grep -F 'sync; echo typed-$((6*7))' > /dev/null \
  || fail "the typed command had not reached the guest's console when gdb stopped: $(cat at-break.out)"
! tr -d '\r' < at-break.out | grep -E '^typed-42' > /dev/null || fail "the command's output appeared while gdb held the guest"
tr -d '\r' < console.out | grep -E '^typed-42' > /dev/null || fail "the session did not read the command's output: $(cat console.out)"
echo "ok: $KDK_ARCH: a command typed on the console socket stopped in gdb at ksys_sync, and its output came after gdb continued"
