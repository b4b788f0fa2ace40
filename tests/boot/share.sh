#!/usr/bin/env bash
# boot.<arch>.share: host directories in the guest (KDK_SHARE_DIRS; here qemu.sh command --share,
# the same code), mounted by /init, over 9p and, where a virtiofsd runs and the kernel has
# virtiofs, over virtiofs too (--share-fs):
#   - a read-write share whose host and guest paths have spaces: the guest reads a file the host
#     wrote and writes one whose contents the host then checks;
#   - a read-only share: the guest reads it, and its write is refused;
#   - a share whose host directory does not exist: refused before QEMU starts, naming it.
# usage: share.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
# shares FS: the read-write and read-only shares over FS (9p or virtiofs).
shares() {
  rm -rf "host dir" "read only"
  mkdir "host dir" "read only"
  echo "host-wrote-$$" > "host dir/from-host.txt"
  echo "read-only-$$" > "read only/readme"
  qemu_command --share-fs "$1" --share "rw|$PWD/host dir|/mnt/a share" --share "ro|$PWD/read only||ro" \
    "kdk.run=\"cat '/mnt/a share/from-host.txt' /mnt/ro/readme; echo guest-\$((6*7)) > '/mnt/a share/from-guest.txt'; if touch /mnt/ro/x 2>/dev/null; then echo ro-written; else echo ro-refused; fi\""
  boot_guest --expect "^kdk: share 'rw' on /mnt/a share \\(rw, $1\\)" --expect "^kdk: share 'ro' on /mnt/ro \\(ro, $1\\)" \
    --expect "^host-wrote-$$" --expect "^read-only-$$" --expect '^ro-refused' --expect '^kdk-exit-status: 0$'
  [ "$(cat "host dir/from-guest.txt" 2>/dev/null)" = guest-42 ] \
    || fail "$1: the guest's file is not on the host with its contents: $(ls -la "host dir"; cat "host dir/from-guest.txt" 2>&1)"
  [ ! -e "read only/x" ] || fail "$1: the guest wrote into the read-only share"
  [ "$(stat -c %u "host dir/from-guest.txt")" = "$(id -u)" ] || fail "$1: the guest's file is not owned by the user who ran QEMU"
  mv serial.log "serial-$1.log"
  # virtiofs: with-virtiofsd's run directory (its sockets) is gone with the boot.
  local i
  for i in "${!qemu[@]}"; do
    if [ "${qemu[$i]}" = with-virtiofsd ]; then
      [ ! -e "${qemu[$((i + 2))]}" ] || fail "$1: the run directory ${qemu[$((i + 2))]} is left after the boot"
    fi
  done
  echo "ok: $1"
}
shares 9p
# virtiofs where this tree can: a virtiofsd that runs (KDK_SHARE_FS, KDK_VIRTIOFSD) and a kernel
# with kernels/fragments/virtiofs.config (the fixture kernel of the host's architecture).
if [ -n "$VIRTIOFSD" ] && grep -qx 'CONFIG_VIRTIO_FS=y' "$LINUX_BUILD_DIR/.config"; then
  shares virtiofs
  printf '%s\n' "${qemu[@]}" | grep -x 'vhost-user-fs-.*' > /dev/null || fail "virtiofs: QEMU had no vhost-user-fs device: ${qemu[*]}"
  transports="9p and virtiofs"
else
  echo "note: virtiofs not exercised: ${VIRTIOFSD:+the kernel has no kernels/fragments/virtiofs.config}${VIRTIOFSD:-no virtiofsd that runs here (KDK_VIRTIOFSD)}"
  transports=9p
fi

status=0
bash "$qemu_sh" command "$env_file" --share "gone|$PWD/no such dir" > gone.out 2>&1 || status=$?
[ "$status" = 1 ] && grep -F "the share 'gone': the host directory $PWD/no such dir does not exist" gone.out > /dev/null \
  || { cat gone.out; fail "a share of a missing directory was not refused by name (status $status)"; }
rm -rf "host dir" "read only"
echo "ok: $KDK_ARCH: over $transports, the guest read and wrote a share with spaces in both paths, and a read-only share refused a write"
