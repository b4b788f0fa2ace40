#!/usr/bin/env bash
# usage: qemu.sh run|debug|gdbserver|gdb|kgdb|console|monitor ENV_FILE [EXTRA KERNEL ARGS...]
#        qemu.sh command ENV_FILE [--kgdb PORT] [--disk OVERLAY] [--disk-image IMAGE --root DEV]
#                                 [--share TAG|HOST_DIR[|GUEST_DIR[|ro]]]... [--net user] [--hostfwd FWD,...]
#                                 [--console-socket PATH] [--share-fs 9p|virtiofs] [EXTRA KERNEL ARGS...]
#        qemu.sh reset ENV_FILE
#        qemu.sh libvirt ENV_FILE
#        qemu.sh gdb-command ENV_FILE qemu|kgdb PORT
#        qemu.sh decode ENV_FILE [SERIAL_LOG]
#        qemu.sh accel ENV_FILE
#        qemu.sh probe-guest ENV_FILE [tcg|kvm]
#        qemu.sh with-virtiofsd VIRTIOFSD RUNDIR SOCKET|DIR|MODE... -- COMMAND...
# The one place where kdk builds QEMU and gdb command lines. ENV_FILE is <build>/<arch>/kdk.env,
# from cmake/KdkQemu.cmake. `command` prints the QEMU command line for a scripted boot (tests);
# with --kgdb, KGDB waits on the second serial port, at 127.0.0.1:PORT; with --disk, the root is
# the disk (the ext4 image, or with --disk-image your own image and root=DEV) through the qcow2
# overlay OVERLAY (made when missing, kept when there: a second boot on it sees what the first
# wrote); in a KDK_ROOTFS_FORMAT=ext4 or KDK_DISK_IMAGE tree, without --disk, a new
# ./rootfs-overlay.qcow2. --share, --net and --hostfwd add to what KDK_SHARE_DIRS, KDK_NET and
# KDK_HOSTFWD give; --share-fs overrides KDK_SHARE_FS's choice; --console-socket serves the console
# on a unix socket as ninja debug does.
# `console` attaches to the console of a running `ninja debug`; `monitor` to the QEMU monitor of
# any running boot mode (run, debug, gdbserver, kgdb), which each serves on a unix socket. `reset` removes the persistent
# overlay (KDK_ROOTFS_PERSIST). `libvirt` writes <build>/<arch>/libvirt/kdk-<arch>.xml, a libvirt
# domain of what `run` boots, with the gdb stub on 127.0.0.1. `gdb-command` prints
# the gdb command line that debug, gdb and kgdb run, for a scripted session. `decode` prints a
# serial log's kernel oops or panic with the call trace decoded to file:line. `accel` prints what
# a boot would use (kvm or tcg, and why), probing KVM first when nothing is cached; `probe-guest`
# runs the KVM probe's guest with the given accelerator and prints ok, or why not.
set -euo pipefail

# with-virtiofsd VIRTIOFSD RUNDIR SOCKET|DIR|MODE... -- COMMAND...: what a boot with virtiofs
# shares runs (the QEMU command line of every mode starts with it). Starts one virtiofsd per
# share, as the user, on SOCKET in RUNDIR (a private directory that shares_setup made), waits
# for the sockets, runs COMMAND (QEMU), then ends what is left and removes RUNDIR. Each
# virtiofsd also ends by itself when QEMU disconnects.
if [ "${1:-}" = with-virtiofsd ]; then
  virtiofsd=$2 rundir=$3
  shift 3
  pids=() socks=()
  trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$rundir"' EXIT
  trap 'exit 143' TERM HUP INT
  while [ "$1" != -- ]; do
    IFS='|' read -r sock dir share_mode <<< "$1"
    shift
    ro=()
    [ "$share_mode" != ro ] || ro=(--readonly)
    "$virtiofsd" --socket-path="$sock" --shared-dir="$dir" --sandbox=none "${ro[@]}" --log-level=error > "$sock.log" 2>&1 &
    pids+=($!) socks+=("$sock")
  done
  shift
  for sock in "${socks[@]}"; do
    for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
    [ -S "$sock" ] || { echo "kdk: error: virtiofsd did not start for $sock: $(cat "$sock.log")" >&2; exit 1; }
  done
  status=0
  "$@" || status=$?
  exit $status
fi

mode=${1:?usage: qemu.sh run|debug|gdbserver|gdb|kgdb|console|command|gdb-command|decode ENV_FILE}
source "${2:?usage: qemu.sh MODE ENV_FILE}"
shift 2
kgdb_port="" disk_overlay="" console_socket="" extra_shares=()
while [ "$mode" = command ] && [ $# -gt 0 ]; do
  case $1 in
    --kgdb) kgdb_port=${2:?--kgdb PORT}; shift 2 ;;
    --disk) disk_overlay=${2:?--disk OVERLAY}; shift 2 ;;
    --disk-image) DISK_IMAGE=${2:?--disk-image IMAGE}; shift 2 ;;
    --root) DISK_ROOT=${2:?--root DEV}; shift 2 ;;
    --share) extra_shares+=("${2:?--share TAG|HOST_DIR[|GUEST_DIR[|ro]]}"); shift 2 ;;
    --net) NET=${2:?--net user}; shift 2 ;;
    --hostfwd) HOSTFWD=${2:?--hostfwd FWD,...}; NET=user; shift 2 ;;
    --console-socket) console_socket=${2:?--console-socket PATH}; shift 2 ;;
    --share-fs) SHARE_FS=${2:?--share-fs 9p|virtiofs}; shift 2 ;;
    *) break ;;
  esac
done
extra_cmdline="$*"
read -r -a machine <<< "$QEMU_MACHINE_ARGS"
initrd=()
[ -z "$INITRAMFS" ] || initrd=(-initrd "$INITRAMFS")
fail() { echo "kdk: error: $*" >&2; exit 1; }
quiet=""  # `command`: the command line only
note() { [ -n "$quiet" ] || echo "kdk: $*" >&2; }

# A disk root filesystem, the built ext4 image (KDK_ROOTFS_FORMAT=ext4) or your own image
# (KDK_DISK_IMAGE): each boot runs on a qcow2 overlay over it, and it stays as it is. The
# persistent overlay (KDK_ROOTFS_PERSIST) lives in the build tree; a throwaway one is made for the
# boot and removed after it.
persistent_overlay="$STATE_DIR/rootfs-persistent.qcow2"
disk=() throwaway_overlay=""
# root_disk: sets root_image, root_format (raw or qcow2) and root_args (the kernel's), or fails
# when this tree boots from no disk.
root_disk() {
  if [ -n "$DISK_IMAGE" ]; then
    local info size
    [ -f "$DISK_IMAGE" ] || fail "KDK_DISK_IMAGE: $DISK_IMAGE is not a file"
    info=$("$QEMU_IMG" info --output=json "$DISK_IMAGE" 2>&1) || fail "KDK_DISK_IMAGE: qemu-img cannot read $DISK_IMAGE: $info"
    root_format=$(sed -n 's/^    "format": "\([^"]*\)".*/\1/p' <<< "$info" | head -1)
    case $root_format in
      raw)
        size=$(stat -Lc %s "$DISK_IMAGE")
        [ $((size % 512)) = 0 ] && [ "$size" -gt 0 ] \
          || fail "KDK_DISK_IMAGE: $DISK_IMAGE is not a disk image: its size, $size bytes, is not a whole number of 512-byte sectors" ;;
      qcow2) ;;
      *) fail "KDK_DISK_IMAGE: $DISK_IMAGE is a ${root_format:-?} image; kdk boots raw and qcow2 images (qemu-img convert -O qcow2 IN OUT converts it)" ;;
    esac
    root_image=$DISK_IMAGE
    root_args="root=$DISK_ROOT rw"
  else
    [ -n "$ROOTFS_EXT4" ] || fail "this tree builds no ext4 image: configure with -DKDK_ROOTFS_FORMAT=ext4 (or give your own with -DKDK_DISK_IMAGE=FILE)"
    [ -f "$ROOTFS_EXT4" ] || fail "the root filesystem image $ROOTFS_EXT4 is not built: ninja rootfs-ext4-$KDK_ARCH"
    root_image=$ROOTFS_EXT4 root_format=raw
    root_args="root=/dev/vda rw rootfstype=ext4 init=/init"
  fi
}
# disk_setup OVERLAY: boot from the disk through OVERLAY, made now when it does not exist. An
# overlay made over an image that has changed since is set aside (OVERLAY.old): its blocks would
# lie over a different file system.
disk_setup() {
  local overlay=$1 base
  root_disk
  base=$(stat -Lc '%n %s %Y' "$root_image")
  if [ -e "$overlay" ] && [ "$(cat "$overlay.base" 2>/dev/null)" != "$base" ]; then
    mv -f "$overlay" "$overlay.old"
    echo "kdk: $root_image changed after $overlay was made over it: starting a new overlay (the old one is $overlay.old)" >&2
  fi
  if [ ! -e "$overlay" ]; then
    "$QEMU_IMG" create -q -f qcow2 -F "$root_format" -b "$root_image" "$overlay" || fail "qemu-img could not create the overlay $overlay"
    echo "$base" > "$overlay.base"
  fi
  initrd=()
  # A comma in a -drive value is written twice (QEMU's option syntax); a build tree may have one.
  disk=(-drive "file=${overlay//,/,,},format=qcow2,if=none,id=rootdisk" -device "virtio-blk-$QEMU_VIRTIO,drive=rootdisk")
  # No rootwait: a root device that is not there panics at once, and the panic lists the block
  # devices the kernel found.
  extra_cmdline="$root_args${extra_cmdline:+ $extra_cmdline}"
}
# disk_for_boot: the boot modes (run, debug, gdbserver, kgdb) of a tree that boots from a disk.
disk_for_boot() {
  [ "$ROOTFS_FORMAT" = ext4 ] || [ -n "$DISK_IMAGE" ] || return 0
  if [ "$ROOTFS_PERSIST" = 1 ]; then
    disk_setup "$persistent_overlay"
    echo "kdk: root filesystem: $root_image through the persistent overlay $persistent_overlay (ninja rootfs-reset-$KDK_ARCH starts it over)" >&2
  else
    throwaway_overlay=$(mktemp "$STATE_DIR/rootfs-overlay.XXXXXX")
    rm -f "$throwaway_overlay"
    trap 'rm -f "$throwaway_overlay" "$throwaway_overlay.base"' EXIT
    disk_setup "$throwaway_overlay"
    echo "kdk: root filesystem: $root_image through a throwaway overlay (KDK_ROOTFS_PERSIST=ON keeps what the guest writes)" >&2
  fi
}

# Host directory shares (KDK_SHARE_DIRS, --share), each TAG|HOST_DIR[|GUEST_DIR[|ro]]: a device
# per share, and kdk.share=TAG,GUEST_DIR,MODE[,virtiofs] for /init, which mounts it (a space in
# GUEST_DIR written \040, as in fstab). 9p (virtio-9p, security_model=none) or, with
# SHARE_FS=virtiofs (KDK_SHARE_FS, or command --share-fs), a virtiofsd per share (with-virtiofsd,
# --sandbox=none) and a vhost-user-fs device, the guest's memory a shared memfd, which vhost-user
# needs; without a virtiofsd that runs, 9p, saying so. Either way the guest sees the host's
# owners and modes, and what it creates belongs to the user running QEMU; no root.
devices=()
vfs_prefix=()
shares_setup() {
  local i=0 spec tag host guest mode ro rundir="" specs=()
  if [ "$SHARE_FS" = virtiofs ] && [ -z "$VIRTIOFSD" ]; then
    note "shares: 9p, not virtiofs: this tree found no virtiofsd that runs (Debian 13 and later package it; KDK_VIRTIOFSD names one)"
    SHARE_FS=9p
  fi
  for spec in "${SHARE_DIRS[@]}" "${extra_shares[@]}"; do
    IFS='|' read -r tag host guest mode <<< "$spec"
    [ -n "$tag" ] && [ -n "$host" ] || fail "the share '$spec' is not TAG|HOST_DIR[|GUEST_DIR[|ro]]"
    [ -d "$host" ] || fail "the share '$tag': the host directory $host does not exist (KDK_SHARE_DIRS). Create it, or drop the share."
    guest=${guest:-/mnt/$tag} mode=${mode:-rw} ro=""
    if [ "$SHARE_FS" = virtiofs ]; then
      [ -n "$rundir" ] || rundir=$(mktemp -d "${XDG_RUNTIME_DIR:-/tmp}/kdk-virtiofs.XXXXXX")
      specs+=("$rundir/$i.sock|$host|$mode")
      devices+=(-chardev "socket,id=vfs$i,path=$rundir/$i.sock" -device "vhost-user-fs-$QEMU_VIRTIO,chardev=vfs$i,tag=$tag")
      extra_cmdline+="${extra_cmdline:+ }kdk.share=$tag,${guest// /\\040},$mode,virtiofs"
    else
      [ "$mode" != ro ] || ro=",readonly=on"
      devices+=(-fsdev "local,id=share$i,path=${host//,/,,},security_model=none,multidevs=remap$ro"
                -device "virtio-9p-$QEMU_VIRTIO,fsdev=share$i,mount_tag=$tag")
      extra_cmdline+="${extra_cmdline:+ }kdk.share=$tag,${guest// /\\040},$mode"
    fi
    note "share '$tag': $host on $guest in the guest ($mode, $SHARE_FS over virtio)"
    i=$((i + 1))
  done
  if [ ${#specs[@]} -gt 0 ]; then
    vfs_prefix=(bash "$0" with-virtiofsd "$VIRTIOFSD" "$rundir" "${specs[@]}" --)
    devices+=(-object "memory-backend-memfd,id=kdkmem,size=$QEMU_MEMORY,share=on" -machine memory-backend=kdkmem)
  fi
}

# User-mode networking (KDK_NET=user): a virtio-net card on QEMU's user network, kdk.net=dhcp for
# /init (udhcpc), and the forwards of KDK_HOSTFWD, each bound to 127.0.0.1 and checked free first.
net_setup() {
  [ "$NET" = user ] || { [ "$NET" = none ] || fail "KDK_NET=$NET: use none or user"; return 0; }
  local fwd netdev="user,id=net0" proto host_port guest
  local IFS=,
  for fwd in $HOSTFWD; do
    [[ $fwd =~ $HOSTFWD_REGEX ]] || fail "KDK_HOSTFWD: '$fwd' is not a forward bound to 127.0.0.1: write tcp:HOST_PORT-:GUEST_PORT (or udp:...)"
    proto=${BASH_REMATCH[1]} host_port=${BASH_REMATCH[4]} guest=${BASH_REMATCH[5]:-:}${BASH_REMATCH[6]}
    if [ "$proto" = tcp ] && ! "$KDK" port --check "$host_port" > /dev/null 2>&1; then
      fail "KDK_HOSTFWD: '$fwd': port $host_port on 127.0.0.1 is in use (ss -ltnp 'sport = :$host_port' shows by what); choose another host port"
    fi
    netdev+=",hostfwd=$proto:127.0.0.1:$host_port-$guest"
    note "forward: 127.0.0.1:$host_port ($proto) to the guest's port ${BASH_REMATCH[6]}"
  done
  devices+=(-netdev "$netdev" -device "virtio-net-$QEMU_VIRTIO,netdev=net0")
  extra_cmdline+="${extra_cmdline:+ }kdk.net=dhcp"
}

# guest_devices: the disk, shares and network of the boot modes.
guest_devices() { disk_for_boot; shares_setup; net_setup; }

# socket_path NAME: <build>/<arch>/NAME.sock, the path of a unix socket QEMU serves: ninja
# debug's console (NAME console), every boot mode's monitor (NAME monitor). A socket's path has
# at most 107 bytes: a deeper build tree's goes into ${XDG_RUNTIME_DIR:-/tmp}. The path is kept in
# <build>/<arch>/NAME.path, for `console` and `monitor`.
socket_path() {
  local path="$STATE_DIR/$1.sock"
  if [ ${#path} -gt 100 ]; then
    path="${XDG_RUNTIME_DIR:-/tmp}/kdk-$1-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-12).sock"
  fi
  echo "$path"
}

# monitor_setup: the QEMU monitor of an interactive boot on a unix socket, for ninja
# monitor-<arch> (kdk console attaches to it): sets monitor to QEMU's options. A socket that
# another QEMU of this tree still serves is left to it: this boot's goes beside it, with its pid.
monitor=()
monitor_setup() {
  local sock
  sock=$(socket_path monitor)
  if [ -S "$sock" ] && "$KDK" console --check "$sock" 2> /dev/null; then
    sock="${sock%.sock}-$$.sock"
    note "another QEMU of this tree serves its monitor on $(socket_path monitor); this one's is $sock"
  fi
  rm -f "$sock"
  echo "$sock" > "$STATE_DIR/monitor.path"
  monitor=(-chardev "socket,id=kdkmon,path=${sock//,/,,},server=on,wait=off" -mon chardev=kdkmon,mode=readline)
  note "the QEMU monitor is on $sock: ninja monitor-$KDK_ARCH attaches (Ctrl-] leaves it)"
}

# launch COMMAND...: exec, or, with a throwaway overlay to remove afterwards, run and wait.
launch() {
  if [ -n "$throwaway_overlay" ]; then "$@"; else exec "$@"; fi
}

# KVM only when a probe shows it works: a guest of a few instructions (not the kernel) on the
# machine and CPU model of a real boot, which ends QEMU itself, given 3 s, so that a /dev/kvm that hangs or makes QEMU abort costs at most that.
# Decided once per host boot and QEMU binary (its path, size and mtime), cached in
# ${XDG_CACHE_HOME:-~/.cache}/kdk/kvm; concurrent boots wait for one probe.
kvm_cache() {
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/kdk/kvm" bin key
  bin=$(command -v "$QEMU") || fail "$QEMU is not installed"
  key=$( { uname -r; cat /proc/sys/kernel/random/boot_id 2>/dev/null; readlink -f "$bin"; stat -Lc '%s %Y' "$bin"; } \
         | sha256sum | cut -c1-16)
  echo "$dir/$(basename "$QEMU")-$key"
}

# kvm_probe_guest DIR: writes DIR/probe-<host>.bin and sets probe_args (QEMU's options for it)
# and probe_status (QEMU's exit status when the guest ran). Fails for a host without one.
kvm_probe_guest() {
  local image="$1/probe-$KVM_HOST.bin"
  case $KVM_HOST in
    x86_64)  # a 64 KiB BIOS: at the reset vector, out 0x31 to isa-debug-exit, which exits (0x31 << 1) | 1
      { head -c 65520 /dev/zero | tr '\0' '\364'; printf '\xb0\x31\xe6\xf4\xf4\xeb\xfd\xf4\xf4\xf4\xf4\xf4\xf4\xf4\xf4\xf4'; } > "$image"
      probe_args=(-bios "$image" -device isa-debug-exit,iobase=0xf4,iosize=0x04)
      probe_status=99 ;;
    aarch64)  # PSCI SYSTEM_OFF (0x84000008) through hvc: QEMU exits 0
      printf '\x00\x01\x80\xd2\x00\x80\xb0\xf2\x02\x00\x00\xd4\x00\x00\x00\x14' > "$image"
      probe_args=(-kernel "$image")
      probe_status=0 ;;
    riscv64)  # SBI system reset (SRST, shutdown) through ecall to OpenSBI: QEMU exits 0
      printf '\xb7\x58\x52\x53\x93\x88\x48\x35\x13\x08\x00\x00\x13\x05\x00\x00\x93\x05\x00\x00\x73\x00\x00\x00\x6f\x00\x00\x00' > "$image"
      probe_args=(-kernel "$image")
      probe_status=0 ;;
    *) return 1 ;;
  esac
}

# kvm_probe ACCEL: runs the probe guest with -accel ACCEL; prints "ok" or why not.
kvm_probe() {
  local dir status=0
  dir=$(mktemp -d)
  if ! kvm_probe_guest "$dir"; then echo "kdk has no probe guest for $KVM_HOST hosts"; rm -rf "$dir"; return; fi
  # The machine and CPU of a real boot: a CPU model that KVM cannot give fails here, not there.
  ( timeout -s KILL 3 "$QEMU" "${machine[@]}" "${probe_args[@]}" -accel "$1" -display none -monitor none -serial none \
      -nodefaults -no-reboot; exit $? ) > "$dir/log" 2>&1 || status=$?  # "exit": bash's own word on a crash goes to the log
  if [ "$status" = "$probe_status" ]; then echo ok
  elif [ "$status" = 137 ]; then echo "the probe guest did not finish in 3 s"
  else echo "QEMU exited with status $status: $(grep -m1 -F "$(basename "$QEMU"):" "$dir/log" || tail -1 "$dir/log")"; fi
  rm -rf "$dir"
}

# decide_accel: sets accel to kvm or tcg, as KDK_KVM says (auto: the cached probe's answer),
# and kvm_note to why TCG was chosen when KVM is present.
decide_accel() {
  accel=tcg kvm_note=""
  [ "$KDK_KVM" != off ] || return 0
  if [ "$(uname -m)" != "$KVM_HOST" ] || [ ! -w /dev/kvm ]; then
    [ "$KDK_KVM" != on ] || fail "KDK_KVM=on, but KVM cannot run $KDK_ARCH guests here (no writable /dev/kvm, or another host architecture)"
    return 0
  fi
  if [ "$KDK_KVM" = on ]; then accel=kvm; return 0; fi
  local cache answer
  cache=$(kvm_cache)
  mkdir -p "$(dirname "$cache")"
  (
    flock 9
    if [ ! -s "$cache" ]; then
      echo "kdk: probing KVM for $QEMU on this host (once; the answer is kept in $cache)..." >&2
      kvm_probe kvm > "$cache.new" && mv "$cache.new" "$cache"
    fi
  ) 9> "$(dirname "$cache")/.lock"
  answer=$(cat "$cache")
  if [ "$answer" = ok ]; then accel=kvm; return 0; fi
  kvm_note="KVM is present, but a probe guest failed with it: $answer (rm $cache to probe again; KDK_KVM=on or off to choose)"
}

# port fixed|free: the gdb stub's port. fixed (gdbserver, and debug and kgdb when KDK_GDB_PORT is
# set): this tree's port of the architecture, GDB_PORT, which the IDE files name; free: any free
# one. A fixed port that is taken stops the boot, naming what holds it and how to change it.
port() {
  if [ "$1" = free ] && [ -z "$KDK_GDB_PORT" ]; then "$KDK" port; return; fi
  if ! "$KDK" port --check "$GDB_PORT" 2> /dev/null; then
    local holder
    holder=$(ss -Hltnp "sport = :$GDB_PORT" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1)
    fail "the gdb port of $KDK_ARCH in this tree, 127.0.0.1:$GDB_PORT, is in use${holder:+ by $holder} (ss -ltnp 'sport = :$GDB_PORT' shows it). Stop that (another gdbserver-$KDK_ARCH of this tree?), or move this tree's gdb ports: cmake -DKDK_GDB_PORT=N $(dirname "$STATE_DIR") (the architectures take N and the next ones), then ninja ide-$KDK_ARCH for the IDE files."
  fi
  echo "$GDB_PORT"
}

# dtb_args: a board's device tree (the profile's DTB), which kbuild built somewhere under
# arch/<arch>/boot/dts/ (vendor folders since Linux 6.5): sets dtb to -dtb PATH, or fails naming
# the .dtb and the Kconfig option that builds it.
dtb=()
dtb_args() {
  [ -n "$DTB" ] || return 0
  local path
  path=$(find "$LINUX_BUILD_DIR/arch/$SRCARCH/boot/dts" -name "$DTB" -type f 2>/dev/null | sort | head -1) || true
  if [ -z "$path" ]; then
    if ! grep -q "^$DTB_CONFIG=y" "$LINUX_BUILD_DIR/.config" 2>/dev/null; then
      fail "the device tree $DTB was not built: the $KDK_ARCH kernel's .config ($LINUX_BUILD_DIR/.config) does not set $DTB_CONFIG=y, which builds it. Keep $DTB_CONFIG=y in your fragments (kernels/arch/$KDK_ARCH/qemu.config sets it), then ninja linux-$KDK_ARCH"
    fi
    fail "the device tree $DTB was not built under $LINUX_BUILD_DIR/arch/$SRCARCH/boot/dts ($DTB_CONFIG=y builds it with make dtbs): run ninja linux-$KDK_ARCH"
  fi
  dtb=(-dtb "$path")
}

qemu_cmd() {  # the guest with kernel and initramfs; the caller adds console and gdb options
  decide_accel
  dtb_args
  cmd=("${vfs_prefix[@]}" "$QEMU" "${machine[@]}" -accel "$accel" -no-reboot -kernel "$KERNEL_IMAGE" "${dtb[@]}" "${initrd[@]}" "${disk[@]}" "${devices[@]}"
       -append "$KERNEL_CMDLINE${extra_cmdline:+ $extra_cmdline}")
  if [ "$accel" = kvm ]; then
    echo "kdk: using KVM" >&2
  elif [ -n "$kvm_note" ]; then
    echo "kdk: using TCG (software emulation): $kvm_note" >&2
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
  # What comes before `target remote` is what an IDE runs before it loads vmlinux and connects
  # (ide.cmake: VS Code's setupCommands, Eclipse's initCommands); what comes after, once it has
  # (postRemoteConnectCommands, runCommands). kdk-gdb.py needs the kernel's scripts, which
  # vmlinux loads: it comes after.
  cmd+=(-iex "add-auto-load-safe-path $LINUX_BUILD_DIR"
        -iex "set architecture $GDB_ARCH"
        -ex "directory $LINUX_SOURCE_DIR"
        -ex "target remote 127.0.0.1:$p"
        -ex "source $(dirname "$0")/kdk-gdb.py")
  [ "$target" = kgdb ] || cmd+=(-ex "kdk-run-to start_kernel")
  cmd+=(-ex "lx-symbols $MODULES_ROOTFS ${MODULE_DIRS[*]}" "$LINUX_BUILD_DIR/vmlinux")
}

# libvirt_domain FILE: a libvirt domain (qemu:///session or system) with what `run` boots:
# machine, CPU, memory, kernel, initramfs or disk (through an overlay of its own), device tree,
# command line, console on a pty (logged to serial.log beside FILE), -no-reboot as
# on_reboot=destroy, and QEMU's gdb stub on 127.0.0.1:GDB_PORT through <qemu:commandline> (never
# -s, which listens on every address). Shares and forwards are not carried over (see the notes).
xml_escape() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e "s/'/\&apos;/g" -e 's/"/\&quot;/g'; }
libvirt_domain() {
  local file=$1 dir mib name mmio="" cpu
  dir=$(dirname "$file")
  mkdir -p "$dir"
  case $QEMU_MEMORY in
    *G) mib=$(( ${QEMU_MEMORY%G} * 1024 )) ;;
    *M) mib=${QEMU_MEMORY%M} ;;
    *) fail "QEMU_MEMORY=$QEMU_MEMORY in the $KDK_ARCH profile: give N with M or G" ;;
  esac
  name="kdk-$KDK_ARCH-$(printf '%s' "$STATE_DIR" | sha256sum | cut -c1-8)"
  [ "$QEMU_VIRTIO" != device ] || mmio="<address type='virtio-mmio'/>"
  local on_disk="" firmware="" i
  if [ "$ROOTFS_FORMAT" = ext4 ] || [ -n "$DISK_IMAGE" ]; then
    disk_setup "$dir/rootfs-overlay.qcow2"
    on_disk=1
  fi
  [ "$NET" != user ] || extra_cmdline+="${extra_cmdline:+ }kdk.net=dhcp"
  local qemu_cpu=""
  for ((i = 0; i < ${#machine[@]} - 1; i++)); do
    case ${machine[i]} in -bios) firmware=${machine[i + 1]} ;; -cpu) qemu_cpu=${machine[i + 1]} ;; esac
  done
  dtb_args
  if [ "${#SHARE_DIRS[@]}" -gt 0 ] || [ -n "$HOSTFWD" ]; then
    echo "kdk: note: KDK_SHARE_DIRS and KDK_HOSTFWD are not in the libvirt domain: add <filesystem> and <portForward> elements with virsh edit" >&2
  fi
  if [ "$qemu_cpu" = max ]; then cpu="<cpu mode='maximum'/>"
  else cpu="<cpu mode='custom' match='exact'><model fallback='forbid'>$(xml_escape "$qemu_cpu")</model></cpu>"; fi
  {
    # (No XML comment: one may not hold "--", and a path may.)
    echo "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
    echo "  <name>$name</name>"
    echo "  <description>$(xml_escape "Generated by kdk (ninja libvirt-$KDK_ARCH) from $STATE_DIR/kdk.env: what ninja run-$KDK_ARCH boots. \
virsh -c qemu:///session define THIS_FILE; virsh -c qemu:///session start --paused $name; gdb on 127.0.0.1:$GDB_PORT (ninja gdb-$KDK_ARCH); \
virsh -c qemu:///session resume $name. Console: virsh console $name, and serial.log beside this file. \
Monitor: virsh qemu-monitor-command --hmp $name 'info registers'.")</description>"
    echo "  <memory unit='MiB'>$mib</memory>"
    echo "  <vcpu>1</vcpu>"
    echo "  <os>"
    echo "    <type arch='$KVM_HOST' machine='${machine[1]}'>hvm</type>"
    [ -z "$firmware" ] || echo "    <loader type='rom' readonly='yes'>$(xml_escape "$firmware")</loader>"
    echo "    <kernel>$(xml_escape "$KERNEL_IMAGE")</kernel>"
    [ -z "$INITRAMFS" ] || [ -n "$on_disk" ] || echo "    <initrd>$(xml_escape "$INITRAMFS")</initrd>"
    [ ${#dtb[@]} -eq 0 ] || echo "    <dtb>$(xml_escape "${dtb[1]}")</dtb>"
    echo "    <cmdline>$(xml_escape "$KERNEL_CMDLINE${extra_cmdline:+ $extra_cmdline}")</cmdline>"
    echo "  </os>"
    echo "  $cpu"
    echo "  <on_poweroff>destroy</on_poweroff>"
    echo "  <on_reboot>destroy</on_reboot>"
    echo "  <on_crash>destroy</on_crash>"
    echo "  <devices>"
    echo "    <emulator>$(xml_escape "$(command -v "$QEMU")")</emulator>"
    if [ -n "$on_disk" ]; then
      echo "    <disk type='file' device='disk'>"
      echo "      <driver name='qemu' type='qcow2'/>"
      echo "      <source file='$(xml_escape "$dir/rootfs-overlay.qcow2")'/>"
      echo "      <target dev='vda' bus='virtio'/>$mmio"
      echo "    </disk>"
    fi
    [ "$NET" != user ] || echo "    <interface type='user'><model type='virtio'/>$mmio</interface>"
    echo "    <serial type='pty'><log file='$(xml_escape "$dir/serial.log")' append='off'/><target port='0'/></serial>"
    echo "    <console type='pty'><target type='serial' port='0'/></console>"
    [ "$KVM_HOST" != x86_64 ] || echo "    <controller type='usb' model='none'/>"
    echo "    <memballoon model='none'/>"
    echo "  </devices>"
    echo "  <qemu:commandline>"
    echo "    <qemu:arg value='-gdb'/>"
    echo "    <qemu:arg value='tcp:127.0.0.1:$GDB_PORT'/>"
    echo "  </qemu:commandline>"
    echo "</domain>"
  } > "$file.tmp"
  mv -f "$file.tmp" "$file"
}

case $mode in
  run)
    guest_devices
    qemu_cmd
    log="$STATE_DIR/serial.log"
    echo "kdk: booting $KDK_ARCH; the console is logged to $log (ninja decode-$KDK_ARCH decodes an oops in it)."
    echo "kdk: quit QEMU with Ctrl-A X (Ctrl-A H for help); in the guest, 'reboot -f' ends it too."
    monitor_setup
    launch "${cmd[@]}" -display none -chardev "stdio,id=console,mux=on,logfile=${log//,/,,}" \
      -serial chardev:console -mon chardev=console,mode=readline "${monitor[@]}"
    ;;
  command)
    kgdb_serial=()
    [ -z "$kgdb_port" ] || kgdb_setup "$kgdb_port"
    # A tree that boots from a disk (KDK_ROOTFS_FORMAT=ext4, KDK_DISK_IMAGE) does here too: a
    # test without --disk gets a new overlay in its own directory.
    if [ -z "$disk_overlay" ] && { [ "$ROOTFS_FORMAT" = ext4 ] || [ -n "$DISK_IMAGE" ]; }; then
      disk_overlay="$PWD/rootfs-overlay.qcow2"
      rm -f "$disk_overlay" "$disk_overlay.base"
    fi
    [ -z "$disk_overlay" ] || disk_setup "$disk_overlay"
    quiet=1
    shares_setup
    net_setup
    dtb_args
    qemu_cmd 2>/dev/null
    console=(-serial stdio)
    if [ -n "$console_socket" ]; then
      [ ${#console_socket} -le 107 ] \
        || fail "--console-socket $console_socket: ${#console_socket} bytes; a unix socket's path has at most 107 (give a relative path, as QEMU's working directory, or a shorter one)"
      rm -f "$console_socket"
      console=(-chardev "socket,id=console,path=${console_socket//,/,,},server=on,wait=off,logfile=/dev/stdout" -serial chardev:console)
    fi
    printf '%s\n' "${cmd[@]}" -display none -monitor none "${console[@]}" "${kgdb_serial[@]}"
    ;;
  gdb-command)
    gdb_cmd "${1:?qemu|kgdb}" "${2:?PORT}"
    printf '%s\n' "${cmd[@]}"
    ;;
  gdbserver)
    p=$(port fixed)
    echo "qemu $p" > "$STATE_DIR/gdb-target"
    guest_devices
    qemu_cmd
    echo "kdk: QEMU is paused, its gdb stub on 127.0.0.1:$p. In another terminal: ninja gdb-$KDK_ARCH"
    echo "kdk: (or: gdb-multiarch $LINUX_BUILD_DIR/vmlinux -ex 'target remote 127.0.0.1:$p', or your IDE with the files of"
    echo "kdk: ninja ide-$KDK_ARCH, which name this port). Quit QEMU with Ctrl-A X."
    monitor_setup
    launch "${cmd[@]}" -S -gdb "tcp:127.0.0.1:$p" -nographic -serial mon:stdio "${monitor[@]}"
    ;;
  kgdb)
    p=$(port free)
    kgdb_setup "$p"
    echo "kgdb $p" > "$STATE_DIR/gdb-target"
    guest_devices
    qemu_cmd
    echo "kdk: booting $KDK_ARCH with kgdboc=$KGDB_TTY kgdbwait: the kernel stops early and waits for gdb on its"
    echo "kdk: second serial port, 127.0.0.1:$p. In another terminal: ninja gdb-$KDK_ARCH. This terminal stays the console."
    echo "kdk: later, 'echo g > /proc/sysrq-trigger' in the guest breaks into gdb again. Quit QEMU with Ctrl-A X."
    monitor_setup
    launch "${cmd[@]}" -nographic -serial mon:stdio "${kgdb_serial[@]}" "${monitor[@]}"
    ;;
  gdb)
    # What the last gdbserver or kgdb boot of this tree listens on; else gdbserver's fixed port.
    target=$(cat "$STATE_DIR/gdb-target" 2>/dev/null) || target="qemu $GDB_PORT"
    ! "$KDK" port --check "${target#* }" 2> /dev/null \
      || fail "nothing listens on 127.0.0.1:${target#* } ($target): start 'ninja gdbserver-$KDK_ARCH' or 'ninja kgdb-$KDK_ARCH' first"
    gdb_cmd $target
    exec "${cmd[@]}"
    ;;
  debug)
    p=$(port free)
    guest_devices
    qemu_cmd
    log="$STATE_DIR/serial.log"
    # The console goes to the log and to a unix socket, for ninja console-<arch>: gdb has this terminal.
    sock=$(socket_path console)
    rm -f "$sock"
    echo "$sock" > "$STATE_DIR/console.path"
    monitor_setup
    setsid "${cmd[@]}" -S -gdb "tcp:127.0.0.1:$p" -display none -monitor none "${monitor[@]}" \
      -chardev "socket,id=console,path=${sock//,/,,},server=on,wait=off,logfile=${log//,/,,}" -serial chardev:console &
    qemu=$!
    trap 'kill -- -$qemu 2>/dev/null || kill $qemu 2>/dev/null || true; rm -f "$throwaway_overlay" "$throwaway_overlay.base" "$sock"' EXIT
    echo "kdk: QEMU is paused with its gdb stub on 127.0.0.1:$p; the guest console goes to $log (tail -f it)"
    echo "kdk: and to $sock: in another terminal, ninja console-$KDK_ARCH types into it (Ctrl-] leaves)."
    echo "kdk: gdb runs the guest to start_kernel, then lx-symbols loads each module's symbols as the guest loads it."
    echo "kdk: try: break <function>, continue, lx-dmesg, lx-ps, lx-lsmod. QEMU ends when gdb does."
    gdb_cmd qemu "$p"
    "${cmd[@]}"
    ;;
  console)
    sock=$(cat "$STATE_DIR/console.path" 2>/dev/null) && [ -S "$sock" ] \
      || fail "no guest console to attach to: start 'ninja debug-$KDK_ARCH' first (it serves the console on a unix socket)"
    exec "$KDK" console "$sock"
    ;;
  monitor)
    sock=$(cat "$STATE_DIR/monitor.path" 2>/dev/null) && [ -S "$sock" ] && "$KDK" console --check "$sock" 2> /dev/null \
      || fail "no QEMU monitor to attach to: start a guest first (ninja run-$KDK_ARCH, debug-$KDK_ARCH, gdbserver-$KDK_ARCH or kgdb-$KDK_ARCH serves its monitor on a unix socket)"
    echo "kdk: the QEMU monitor of $KDK_ARCH ($sock); Ctrl-] leaves it, 'quit' ends QEMU. Try: info registers, xp /8xw ADDR,"
    echo "kdk: info mtree, dump-guest-memory -z FILE (for crash or drgn), help. README.md lists more."
    exec "$KDK" console "$sock"
    ;;
  libvirt)
    file="$STATE_DIR/libvirt/kdk-$KDK_ARCH.xml"
    libvirt_domain "$file"
    echo "qemu $GDB_PORT" > "$STATE_DIR/gdb-target"  # for ninja gdb-<arch>, once the domain runs
    echo "kdk: $file: the libvirt domain of ninja run-$KDK_ARCH, with QEMU's gdb stub on 127.0.0.1:$GDB_PORT"
    echo "kdk:   virsh -c qemu:///session define $file && virsh -c qemu:///session start --paused $(sed -n 's|^  <name>\(.*\)</name>$|\1|p' "$file")"
    echo "kdk:   then ninja gdb-$KDK_ARCH (it connects to 127.0.0.1:$GDB_PORT), or your IDE (ninja ide-$KDK_ARCH)"
    ;;
  reset)
    rm -f "$persistent_overlay" "$persistent_overlay.base" "$persistent_overlay.old" "$persistent_overlay.old.base"
    echo "kdk: the next boot of $KDK_ARCH with KDK_ROOTFS_PERSIST=ON starts from $ROOTFS_EXT4 as built"
    ;;
  accel)
    decide_accel
    echo "$accel${kvm_note:+: $kvm_note}"
    ;;
  probe-guest)
    kvm_probe "${1:-tcg}"
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
  *) fail "qemu.sh: unknown mode '$mode' (run, debug, gdbserver, gdb, kgdb, console, monitor, libvirt, command, gdb-command, decode, accel, probe-guest, reset)" ;;
esac
