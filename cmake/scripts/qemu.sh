#!/usr/bin/env bash
# usage: qemu.sh run|debug|gdbserver|gdb|kgdb ENV_FILE [EXTRA KERNEL ARGS...]
#        qemu.sh command ENV_FILE [--kgdb PORT] [EXTRA KERNEL ARGS...]
#        qemu.sh gdb-command ENV_FILE qemu|kgdb PORT
#        qemu.sh decode ENV_FILE [SERIAL_LOG]
# The one place where kdk builds QEMU and gdb command lines. ENV_FILE is <build>/<arch>/kdk.env,
# from cmake/KdkQemu.cmake. `command` prints the QEMU command line for a scripted boot (tests);
# with --kgdb, KGDB waits on the second serial port, at 127.0.0.1:PORT. `gdb-command` prints
# the gdb command line that debug, gdb and kgdb run, for a scripted session. `decode` prints a
# serial log's kernel oops or panic with the call trace decoded to file:line.
set -euo pipefail
mode=${1:?usage: qemu.sh run|debug|gdbserver|gdb|kgdb|command|gdb-command|decode ENV_FILE}
source "${2:?usage: qemu.sh MODE ENV_FILE}"
shift 2
kgdb_port=""
if [ "$mode" = command ] && [ "${1:-}" = --kgdb ]; then
  kgdb_port=${2:?--kgdb PORT}
  shift 2
fi
extra_cmdline="$*"
read -r -a machine <<< "$QEMU_MACHINE_ARGS"
initrd=()
[ -z "$INITRAMFS" ] || initrd=(-initrd "$INITRAMFS")
fail() { echo "kdk: error: $*" >&2; exit 1; }

# KVM only when a real probe boot shows it works; the answer is cached per kernel image.
accel() {
  local probe="$STATE_DIR/kvm-probe"
  if [ "$KDK_KVM" = off ]; then echo tcg; return; fi
  if [ "$(uname -m)" != "$KVM_HOST" ] || [ ! -w /dev/kvm ]; then
    [ "$KDK_KVM" = on ] && echo "kdk: KDK_KVM=on, but KVM cannot run $KDK_ARCH guests here (no writable /dev/kvm, or another host architecture)" >&2 && exit 1
    echo tcg; return
  fi
  if [ "$KDK_KVM" = on ]; then echo kvm; return; fi
  if [ -f "$probe" ] && [ "$probe" -nt "$KERNEL_IMAGE" ]; then cat "$probe"; return; fi
  echo "kdk: probing KVM with a test boot (once per kernel build)..." >&2
  if "$KDK" boot --quiet --timeout 20 --log "$STATE_DIR/kvm-probe.log" --expect 'kdk: booted' -- \
      "$QEMU" "${machine[@]}" -accel kvm -display none -monitor none -serial stdio -no-reboot \
      -kernel "$KERNEL_IMAGE" "${initrd[@]}" -append "$KERNEL_CMDLINE kdk.run=true" >/dev/null 2>&1; then
    echo kvm > "$probe"
  else
    echo tcg > "$probe"
    echo "kdk: KVM is present but a test boot with it failed (log: $STATE_DIR/kvm-probe.log); using TCG" >&2
  fi
  cat "$probe"
}

port() {
  if [ -n "$KDK_GDB_PORT" ]; then
    "$KDK" port --check "$KDK_GDB_PORT" || exit 1
    echo "$KDK_GDB_PORT"
  else
    "$KDK" port
  fi
}

qemu_cmd() {  # the guest with kernel and initramfs; the caller adds console and gdb options
  local a; a=$(accel)
  cmd=("$QEMU" "${machine[@]}" -accel "$a" -no-reboot -kernel "$KERNEL_IMAGE" "${initrd[@]}"
       -append "$KERNEL_CMDLINE${extra_cmdline:+ $extra_cmdline}")
  if [ "$a" = kvm ]; then
    echo "kdk: using KVM" >&2
  elif [ -f "$STATE_DIR/kvm-probe" ]; then
    echo "kdk: using TCG (software emulation): KVM is present, but a test boot with it failed ($STATE_DIR/kvm-probe.log)" >&2
  else
    echo "kdk: using TCG (software emulation)" >&2
  fi
}

# kgdb_setup PORT: KGDB needs a second serial port and a kernel with KGDB over serial. Adds
# kgdboc= and kgdbwait to the kernel command line, and sets kgdb_serial, the QEMU options that
# put the second serial port on 127.0.0.1:PORT.
kgdb_setup() {
  [ -n "$KGDB_TTY" ] || fail "KGDB needs a second serial port, and QEMU's $KDK_ARCH machine has only one, the console. Use QEMU's gdb stub: ninja debug-$KDK_ARCH."
  grep -q '^CONFIG_KGDB_SERIAL_CONSOLE=y' "$LINUX_BUILD_DIR/.config" \
    || fail "the $KDK_ARCH kernel has no KGDB over a serial port: add kgdb to KDK_LINUX_PRESET_FRAGMENTS (kernels/fragments/kgdb.config; the x86-debug preset has it)"
  # rodata=off: breakpoints that gdb plants while kgdbwait holds the boot are written into text
  # that is still writable; once the kernel marks it read-only, KGDB cannot remove them
  # ("KGDB: BP remove failed") and the guest hangs. x86 cannot configure STRICT_KERNEL_RWX off,
  # which Documentation/dev-tools/kgdb.rst recommends for software breakpoints.
  extra_cmdline="kgdboc=$KGDB_TTY,115200 kgdbwait rodata=off${extra_cmdline:+ $extra_cmdline}"
  kgdb_serial=(-serial "tcp:127.0.0.1:$1,server=on,wait=off")
}

# gdb on vmlinux with the kernel's lx-* scripts, connected to 127.0.0.1:$2. $1 is qemu (the guest
# is paused at reset: run to start_kernel first) or kgdb (the kernel is already running). Then
# lx-symbols, which loads each module's symbols when the guest loads it, from the built modules
# (kdk-gdb.py has it place every section of a module, .init.text included).
gdb_cmd() {
  local target=$1 p=$2
  cmd=("$GDB" -q)
  # KGDB answers over an emulated UART, from a TCG guest: on a loaded host a reply can take
  # longer than gdb's default 2 s, after which gdb drops the connection.
  [ "$target" != kgdb ] || cmd+=(-iex "set remotetimeout 20")
  cmd+=(-iex "add-auto-load-safe-path $LINUX_BUILD_DIR"
        -iex "set architecture $GDB_ARCH"
        -ex "directory $LINUX_SOURCE_DIR"
        -ex "source $(dirname "$0")/kdk-gdb.py"
        -ex "target remote 127.0.0.1:$p")
  [ "$target" = kgdb ] || cmd+=(-ex "thbreak start_kernel" -ex "continue")
  cmd+=(-ex "lx-symbols $MODULES_ROOTFS ${MODULE_DIRS[*]}" "$LINUX_BUILD_DIR/vmlinux")
}

case $mode in
  run)
    qemu_cmd
    log="$STATE_DIR/serial.log"
    echo "kdk: booting $KDK_ARCH; the console is logged to $log (ninja decode-$KDK_ARCH decodes an oops in it)."
    echo "kdk: quit QEMU with Ctrl-A X (Ctrl-A H for help); in the guest, 'reboot -f' ends it too."
    exec "${cmd[@]}" -display none -chardev "stdio,id=console,mux=on,logfile=$log" \
      -serial chardev:console -mon chardev=console,mode=readline
    ;;
  command)
    kgdb_serial=()
    [ -z "$kgdb_port" ] || kgdb_setup "$kgdb_port"
    qemu_cmd 2>/dev/null
    printf '%s\n' "${cmd[@]}" -display none -monitor none -serial stdio "${kgdb_serial[@]}"
    ;;
  gdb-command)
    gdb_cmd "${1:?qemu|kgdb}" "${2:?PORT}"
    printf '%s\n' "${cmd[@]}"
    ;;
  gdbserver)
    p=$(port)
    echo "qemu $p" > "$STATE_DIR/gdb-target"
    qemu_cmd
    echo "kdk: QEMU is paused, its gdb stub on 127.0.0.1:$p. In another terminal: ninja gdb-$KDK_ARCH"
    echo "kdk: (or: gdb-multiarch $LINUX_BUILD_DIR/vmlinux -ex 'target remote 127.0.0.1:$p'). Quit QEMU with Ctrl-A X."
    exec "${cmd[@]}" -S -gdb "tcp:127.0.0.1:$p" -nographic -serial mon:stdio
    ;;
  kgdb)
    p=$(port)
    kgdb_setup "$p"
    echo "kgdb $p" > "$STATE_DIR/gdb-target"
    qemu_cmd
    echo "kdk: booting $KDK_ARCH with kgdboc=$KGDB_TTY kgdbwait: the kernel stops early and waits for gdb on its"
    echo "kdk: second serial port, 127.0.0.1:$p. In another terminal: ninja gdb-$KDK_ARCH. This terminal stays the console."
    echo "kdk: later, 'echo g > /proc/sysrq-trigger' in the guest breaks into gdb again. Quit QEMU with Ctrl-A X."
    exec "${cmd[@]}" -nographic -serial mon:stdio "${kgdb_serial[@]}"
    ;;
  gdb)
    if [ -n "$KDK_GDB_PORT" ]; then
      target="qemu $KDK_GDB_PORT"
    else
      target=$(cat "$STATE_DIR/gdb-target" 2>/dev/null) \
        || fail "nothing to connect to: start 'ninja gdbserver-$KDK_ARCH' or 'ninja kgdb-$KDK_ARCH' first"
    fi
    gdb_cmd $target
    exec "${cmd[@]}"
    ;;
  debug)
    p=$(port)
    qemu_cmd
    log="$STATE_DIR/serial.log"
    setsid "${cmd[@]}" -S -gdb "tcp:127.0.0.1:$p" -display none -monitor none -serial "file:$log" &
    qemu=$!
    trap 'kill -- -$qemu 2>/dev/null || kill $qemu 2>/dev/null || true' EXIT
    echo "kdk: QEMU is paused with its gdb stub on 127.0.0.1:$p; the guest console goes to $log (tail -f it)."
    echo "kdk: gdb runs the guest to start_kernel, then lx-symbols loads each module's symbols as the guest loads it."
    echo "kdk: try: break <function>, continue, lx-dmesg, lx-ps, lx-lsmod. QEMU ends when gdb does."
    gdb_cmd qemu "$p"
    "${cmd[@]}"
    ;;
  decode)
    log=${1:-$STATE_DIR/serial.log}
    [ -f "$log" ] || fail "no serial log $log: boot with ninja run-$KDK_ARCH or debug-$KDK_ARCH first"
    report=$("$KDK" report "$log") || exit 1  # from the first oops/panic/BUG/WARNING line on
    [ -n "$report" ] || { echo "kdk: no oops, panic, BUG or WARNING in $log"; exit 0; }
    release=$(cat "$LINUX_BUILD_DIR/include/config/kernel.release")
    echo "kdk: the kernel's report in $log, decoded (scripts/decode_stacktrace.sh, addr2line -e vmlinux):"
    printf '%s\n' "$report" \
      | CROSS_COMPILE=$CROSS_COMPILE bash "$LINUX_SOURCE_DIR/scripts/decode_stacktrace.sh" \
          "$LINUX_BUILD_DIR/vmlinux" "$LINUX_SOURCE_DIR" "$MODULES_ROOTFS/lib/modules/$release"
    ;;
  *) fail "qemu.sh: unknown mode '$mode' (run, debug, gdbserver, gdb, kgdb, command, gdb-command, decode)" ;;
esac
