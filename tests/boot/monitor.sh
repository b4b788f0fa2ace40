#!/usr/bin/env bash
# boot.<arch>.monitor: the QEMU monitor of an interactive boot, as a user reaches it. Starts the
# gdbserver-<arch> target's command (qemu.sh gdbserver: QEMU paused at reset, its gdb stub on this
# tree's fixed port), attaches with the monitor-<arch> target's command (qemu.sh monitor, which is
# kdk console on <arch>/monitor.sock), types `info status`, `info registers`, `xp` at the
# program counter and `quit`, and checks the answers, that `quit` ended QEMU, and that QEMU listened on 127.0.0.1
# only (the gdb stub) and nowhere else.
# usage: monitor.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
rm -f monitor.out monitor.in listeners.txt "$STATE_DIR/monitor.path"
bash "$qemu_sh" gdbserver "$env_file" < /dev/null > gdbserver.out 2>&1 &
server=$!
trap 'pkill -P $server 2>/dev/null; kill $server 2>/dev/null || true' EXIT
wait_for_listener "$GDB_PORT" || fail "gdbserver-$KDK_ARCH did not listen on its port $GDB_PORT: $(cat gdbserver.out)"
sock=$(cat "$STATE_DIR/monitor.path") || fail "gdbserver-$KDK_ARCH wrote no $STATE_DIR/monitor.path"
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "no monitor socket at $sock: $(cat gdbserver.out)"
case $sock in
  "$STATE_DIR/monitor.sock"|"${XDG_RUNTIME_DIR:-/tmp}"/kdk-monitor-*.sock) ;;
  *) fail "the monitor socket is $sock, not $STATE_DIR/monitor.sock (or its short stand-in)" ;;
esac

# Every listening socket of QEMU (and of the script that started it): the gdb stub on 127.0.0.1.
pids=$(echo $server; pgrep -P $server || true)
ss -Hltnp > listeners.txt
while read -r pid; do
  grep "pid=$pid," listeners.txt || true
done <<< "$pids" > qemu-listeners.txt
[ -s qemu-listeners.txt ] || fail "QEMU's listeners were not found (ss -ltnp): $(cat listeners.txt)"
if awk '{print $4}' qemu-listeners.txt | grep -v '^127\.0\.0\.1:' > /dev/null; then
  fail "QEMU listens beyond 127.0.0.1: $(cat qemu-listeners.txt)"
fi
grep -F "127.0.0.1:$GDB_PORT " qemu-listeners.txt > /dev/null || fail "the gdb stub is not on 127.0.0.1:$GDB_PORT: $(cat qemu-listeners.txt)"

# wait_prompts N: until the monitor has shown its prompt N times (it does after each answer).
wait_prompts() {
  for _ in $(seq 100); do
    [ "$(grep -o '(qemu)' monitor.out 2>/dev/null | wc -l)" -ge "$1" ] && return 0
    sleep 0.1
  done
}
type_commands() {  # (the session's typist) each command after the answer to the one before
  local n=1 c
  wait_prompts $n
  for c in 'info status' 'info registers'; do
    printf '%s\n' "$c"
    n=$((n + 1))
    wait_prompts $n
  done
  # Memory at the program counter, by physical address (the MMU is off at reset).
  printf 'xp /2xw 0x%s\n' "$(tr -d '\r' < monitor.out | sed -nE 's/.*(RIP|EIP|R15|PC|pc) *[= ] *([0-9a-f]{8,16}).*/\2/p' | head -1)"
  wait_prompts $((n + 1))
  printf 'quit\n'
}
mkfifo monitor.in
bash "$qemu_sh" monitor "$env_file" < monitor.in > monitor.out 2> monitor.err &
session=$!
type_commands > monitor.in &
wait $session || fail "ninja monitor-$KDK_ARCH's command failed: $(cat monitor.err)"
status=0
timeout 20 tail --pid=$server -f /dev/null || status=$?
[ $status = 0 ] || fail "QEMU did not end after the monitor's quit"
trap - EXIT
out=$(tr -d '\r' < monitor.out | sed 's/\x1b\[[0-9;]*[A-Za-z]//g')
grep -E 'VM status: paused' <<< "$out" > /dev/null || fail "info status did not say the VM is paused: $out"
grep -E '(RIP|EIP|R15|PC|pc)[ =]+[0-9a-f]{8}' <<< "$out" > /dev/null || fail "info registers showed no program counter: $out"
grep -E '^[0-9a-f]+: 0x[0-9a-f]{8} 0x[0-9a-f]{8}' <<< "$out" > /dev/null || fail "xp read no memory at the program counter: $out"
echo "ok: $KDK_ARCH: the monitor on $sock answered info status, info registers and xp at the program counter, and quit ended QEMU; QEMU listened on $(awk '{print $4}' qemu-listeners.txt | tr '\n' ' ')only"
