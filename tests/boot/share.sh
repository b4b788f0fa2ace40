#!/usr/bin/env bash
# boot.<arch>.share: host directories in the guest over 9p (KDK_SHARE_DIRS; here qemu.sh command
# --share, the same code), mounted by /init:
#   - a read-write share whose host and guest paths have spaces: the guest reads a file the host
#     wrote and writes one whose contents the host then checks;
#   - a read-only share: the guest reads it, and its write is refused;
#   - a share whose host directory does not exist: refused before QEMU starts, naming it.
# usage: share.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
rm -rf "host dir" "read only"
mkdir "host dir" "read only"
echo "host-wrote-$$" > "host dir/from-host.txt"
echo "read-only-$$" > "read only/readme"
qemu_command --share "rw|$PWD/host dir|/mnt/a share" --share "ro|$PWD/read only||ro" \
  "kdk.run=\"cat '/mnt/a share/from-host.txt' /mnt/ro/readme; echo guest-\$((6*7)) > '/mnt/a share/from-guest.txt'; if touch /mnt/ro/x 2>/dev/null; then echo ro-written; else echo ro-refused; fi\""
boot_guest --expect "^kdk: share 'rw' on /mnt/a share \\(rw\\)" --expect "^kdk: share 'ro' on /mnt/ro \\(ro\\)" \
  --expect "^host-wrote-$$" --expect "^read-only-$$" --expect '^ro-refused' --expect '^kdk-exit-status: 0$'
[ "$(cat "host dir/from-guest.txt" 2>/dev/null)" = guest-42 ] \
  || fail "the guest's file is not on the host with its contents: $(ls -la "host dir"; cat "host dir/from-guest.txt" 2>&1)"
[ ! -e "read only/x" ] || fail "the guest wrote into the read-only share"
[ "$(stat -c %u "host dir/from-guest.txt")" = "$(id -u)" ] || fail "the guest's file is not owned by the user who ran QEMU"

status=0
bash "$qemu_sh" command "$env_file" --share "gone|$PWD/no such dir" > gone.out 2>&1 || status=$?
[ "$status" = 1 ] && grep -F "the share 'gone': the host directory $PWD/no such dir does not exist" gone.out > /dev/null \
  || { cat gone.out; fail "a share of a missing directory was not refused by name (status $status)"; }
rm -rf "host dir" "read only"
echo "ok: $KDK_ARCH: the guest read and wrote a 9p share with spaces in both paths, and a read-only share refused a write"
