# Sourced by the boot tests after their arguments are read: env_file (<build>/<arch>/kdk.env) must
# be set. Gives the QEMU and gdb command lines of cmake/scripts/qemu.sh, the same ones the
# run/debug/kgdb targets use, and a boot that decodes the kernel's report when it fails.
source "$env_file"
qemu_sh="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../cmake/scripts" && pwd)/qemu.sh"

# qemu_command [--kgdb PORT] [KERNEL ARGS...]: sets the array qemu; fails when qemu.sh refuses.
# In a tree whose root is a disk image of the user's or Debian (KDK_DISK_IMAGE, KDK_DEBIAN), a test
# that does not give its own --disk-image is skipped: it needs kdk's BusyBox root filesystem.
qemu_command() {
  local out
  if [ -n "$DISK_IMAGE" ] && [[ " $* " != *" --disk-image "* ]]; then
    echo "SKIP: this tree boots $DISK_IMAGE (KDK_DISK_IMAGE or KDK_DEBIAN); this test needs kdk's own root filesystem"
    exit 77
  fi
  out=$(bash "$qemu_sh" command "$env_file" "$@") || return 1
  mapfile -t qemu <<< "$out"
}

# gdb_command qemu|kgdb PORT: sets the array gdb (what ninja debug / ninja gdb run).
gdb_command() { local out; out=$(bash "$qemu_sh" gdb-command "$env_file" "$@") || return 1; mapfile -t gdb <<< "$out"; }

# boot_guest [kdk boot options...] [-- EXTRA QEMU ARGS...]: boots "${qemu[@]}" under kdk boot with
# the serial log and the boot's metrics (boot-metrics.json: guest uptime at "kdk: booted", kernel image
# and root filesystem sizes, initramfs or ext4 image; also printed as CTest measurements) in the test's directory. When the boot fails and the kernel reported an oops,
# panic, BUG or WARNING, the call trace follows, decoded to file:line.
boot_guest() {
  local opts=() extra=() rootfs_size="initramfs=$INITRAMFS_FILE"
  [ "$ROOTFS_FORMAT" != ext4 ] || rootfs_size="rootfs_ext4=$ROOTFS_EXT4"
  while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
  [ $# -eq 0 ] || { shift; extra=("$@"); }
  if ! "$KDK" boot --quiet --log "$PWD/serial.log" --timeout 300 --metrics "$PWD/boot-metrics.json" \
    --size kernel_image="$KERNEL_IMAGE" --size "$rootfs_size" --ctest-measurements "${opts[@]}" -- "${qemu[@]}" "${extra[@]}"; then
    bash "$qemu_sh" decode "$env_file" "$PWD/serial.log" || true
    return 1
  fi
}

# boot_guest_background PORT [boot_guest arguments]: boot_guest in the background, returning once
# something listens on 127.0.0.1:PORT, for gdb to connect. If the test exits before wait_guest,
# the boot and every other job of the test (gdb, a console session's writer) are killed: one left
# holding the test's output would keep CTest waiting for it.
# wait_guest: waits for that boot; its status is the boot's.
boot_guest_background() {
  local port=$1; shift
  boot_guest "$@" &
  guest=$!
  # The boot's kdk boot too (a child of the subshell): it ends QEMU when it is killed.
  trap 'pkill -P $guest 2>/dev/null; pkill -P $$ 2>/dev/null; kill $guest 2>/dev/null || true' EXIT
  wait_for_listener "$port"
}
wait_guest() {
  local status=0
  wait "$guest" || status=$?
  trap - EXIT
  return $status
}

# wait_for_listener PORT: until something listens on 127.0.0.1:PORT (QEMU's gdb stub or serial).
wait_for_listener() {
  local i
  for i in $(seq 100); do
    "$KDK" port --check "$1" > /dev/null 2>&1 || return 0
    sleep 0.1
  done
  echo "FAIL: nothing listens on 127.0.0.1:$1 after 10 s"
  return 1
}

# wait_for_serial PATTERN: until the guest of boot_guest_background has printed a line matching
# the extended regular expression PATTERN on its console (serial.log), as a user waits for a
# message before attaching gdb. Fails when the boot ended first or after 300 s.
wait_for_serial() {
  local i
  for i in $(seq 3000); do
    tr -d '\r' < serial.log 2>/dev/null | grep -E -- "$1" > /dev/null && return 0
    kill -0 "$guest" 2>/dev/null || { echo "FAIL: the guest ended before printing '$1' (serial log: $PWD/serial.log)"; return 1; }
    sleep 0.1
  done
  echo "FAIL: the guest did not print '$1' within 300 s (serial log: $PWD/serial.log)"
  return 1
}

fail() { echo "FAIL: $*"; for f in gdb.log; do [ ! -f "$f" ] || { echo "--- $f"; cat "$f"; }; done; exit 1; }

# boot_wrong_root ROOT DEVICE: boots "${qemu[@]}" (its root= names ROOT, which is not there) and
# checks that the boot fails at once, the kernel saying it cannot mount the root and listing
# DEVICE (a disk or partition it did find) in its panic. Log in wrong.log.
boot_wrong_root() {
  local status=0
  "$KDK" boot --quiet --log "$PWD/wrong.log" --timeout 120 -- "${qemu[@]}" > wrong.out 2>&1 || status=$?
  [ "$status" = 1 ] || { cat wrong.out; fail "a boot with root=$1 did not fail (kdk boot status $status)"; }
  tr -d '\r' < wrong.log | grep -E 'VFS: Unable to mount root fs|Cannot open root device' > /dev/null \
    || { tail -20 wrong.log; fail "the kernel did not say that it could not mount root=$1"; }
  tr -d '\r' < wrong.log | grep -E "^ *[0-9a-f]+ +[0-9]+ $2( |\$)" > /dev/null \
    || { tail -20 wrong.log; fail "the panic does not list what the kernel found ($2)"; }
}

# console_session SOCKET TYPIST: a `kdk console SOCKET` session (what the guest prints in
# console.out, kdk's errors in console.err) whose input comes through a FIFO from the function
# TYPIST, run as a job of its own with the session's pid as $1. Both are the test's own jobs, so a
# session that fails ends the test at once. Returns the session's status.
console_session() {
  local session
  rm -f session.in
  mkfifo session.in
  "$KDK" console "$1" < session.in > console.out 2> console.err &
  session=$!
  "$2" "$session" > session.in &
  wait "$session"
}

# wait_for_console PATTERN PID: until console.out has a line matching the extended regular
# expression PATTERN (searched, not anchored: a shell may put escape sequences first), while PID
# (the session) lives, for at most 120 s.
wait_for_console() {
  local i
  for i in $(seq 1200); do
    tr -d '\r' < console.out 2>/dev/null | grep -E -- "$1" > /dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
