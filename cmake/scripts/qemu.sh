#!/usr/bin/env bash
# usage: qemu.sh run|debug|gdbserver|gdb|command ENV_FILE [EXTRA KERNEL ARGS...]
# The one place where kdk builds QEMU and gdb command lines. ENV_FILE comes from
# cmake/KdkQemu.cmake. `command` prints the QEMU command line for a scripted boot (tests).
set -euo pipefail
mode=${1:?usage: qemu.sh run|debug|gdbserver|gdb|command ENV_FILE}
source "${2:?usage: qemu.sh MODE ENV_FILE}"
shift 2
extra_cmdline="$*"
read -r -a machine <<< "$QEMU_MACHINE_ARGS"

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
      -kernel "$KERNEL_IMAGE" -initrd "$INITRAMFS" -append "$KERNEL_CMDLINE kdk.run=true" >/dev/null 2>&1; then
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
  cmd=("$QEMU" "${machine[@]}" -accel "$a" -no-reboot -kernel "$KERNEL_IMAGE" -initrd "$INITRAMFS"
       -append "$KERNEL_CMDLINE${extra_cmdline:+ $extra_cmdline}")
  if [ "$a" = kvm ]; then
    echo "kdk: using KVM" >&2
  elif [ -f "$STATE_DIR/kvm-probe" ]; then
    echo "kdk: using TCG (software emulation): KVM is present, but a test boot with it failed ($STATE_DIR/kvm-probe.log)" >&2
  else
    echo "kdk: using TCG (software emulation)" >&2
  fi
}

gdb_cmd() {  # gdb on vmlinux with the kernel's lx-* scripts, connected to 127.0.0.1:$1
  cmd=("$GDB" -q
       -iex "add-auto-load-safe-path $LINUX_BUILD_DIR"
       -iex "set architecture $GDB_ARCH"
       -ex "directory $LINUX_SOURCE_DIR"
       -ex "target remote 127.0.0.1:$1"
       "$LINUX_BUILD_DIR/vmlinux")
}

case $mode in
  run)
    qemu_cmd
    echo "kdk: booting $KDK_ARCH. Quit QEMU with Ctrl-A X (Ctrl-A H for help); in the guest, 'reboot -f' ends it too."
    exec "${cmd[@]}" -nographic -serial mon:stdio
    ;;
  command)
    qemu_cmd 2>/dev/null
    printf '%s\n' "${cmd[@]}" -display none -monitor none -serial stdio
    ;;
  gdbserver)
    p=$(port)
    echo "$p" > "$STATE_DIR/gdb-port"
    qemu_cmd
    echo "kdk: QEMU is paused, its gdb stub on 127.0.0.1:$p. In another terminal: ninja gdb-$KDK_ARCH"
    echo "kdk: (or: gdb-multiarch $LINUX_BUILD_DIR/vmlinux -ex 'target remote 127.0.0.1:$p'). Quit QEMU with Ctrl-A X."
    exec "${cmd[@]}" -S -gdb "tcp:127.0.0.1:$p" -nographic -serial mon:stdio
    ;;
  gdb)
    p=${KDK_GDB_PORT:-$(cat "$STATE_DIR/gdb-port" 2>/dev/null || true)}
    [ -n "$p" ] || { echo "kdk: no gdb stub to connect to: start 'ninja gdbserver-$KDK_ARCH' first" >&2; exit 1; }
    gdb_cmd "$p"
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
    echo "kdk: try: hbreak start_kernel, continue, lx-dmesg, lx-ps. QEMU ends when gdb does."
    gdb_cmd "$p"
    "${cmd[@]}"
    ;;
  *) echo "qemu.sh: unknown mode '$mode' (run, debug, gdbserver, gdb, command)" >&2; exit 2 ;;
esac
