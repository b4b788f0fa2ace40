#!/usr/bin/env bash
# boot.<arch>.debian: a Debian userland, rootless (KDK_DEBIAN's pipeline: debian-rootfs.sh runs
# mmdebstrap in unshare mode and `kdk image ext4 --tar` makes the image), booted with the fixture
# kernel (it has kernels/fragments/distro.config on the host's architecture) from the image through
# a qcow2 overlay. systemd starts a getty on the serial console; the test logs in as root on the
# console socket (kdk console), checks that it is Debian and that systemd is `running` (no unit
# failed: the distro fragment gives it what it needs), and reboots, which ends QEMU (-no-reboot). The image stays as built. Needs mmdebstrap and Debian's archive: without
# mmdebstrap the test is skipped, saying so.
# usage: debian.sh ENV SUITE
set -euo pipefail
env_file=$1 suite=$2
source "$(dirname "$0")/lib.sh"
if ! command -v mmdebstrap > /dev/null; then
  echo "SKIP: mmdebstrap is not installed (apt-get install mmdebstrap)"
  exit 77
fi
top="$(cd "$(dirname "$0")/../.." && pwd)"

echo "== a Debian $suite $DEBIAN_ARCH image, rootless"
rm -f debian.ext4 debian.tar overlay.qcow2* console.out session.in
ms() { echo $(( $(date +%s%N) / 1000000 )); }
start=$(ms)
bash "$top/cmake/scripts/debian-rootfs.sh" "$KDK" "$DEBIAN_ARCH" "$suite" unshare 2G "$PWD/debian.ext4"
printf 'image built in %.1f s; debian.tar %s bytes, debian.ext4 %s bytes apparent, %s KiB on disk\n' \
  "$(( $(ms) - start ))e-3" "$(stat -c %s debian.tar)" "$(stat -c %s debian.ext4)" "$(du -k debian.ext4 | cut -f1)"
image_sum=$(sha256sum < debian.ext4)
tar -tf debian.tar ./usr/lib/systemd/systemd ./etc/debian_version > /dev/null || fail "the archive lacks systemd or /etc/debian_version"

echo "== boot it and log in on the serial console"
port=$("$KDK" port)  # no gdb here: boot_guest_background waits for this port, the gdb stub's
qemu_command --disk "$PWD/overlay.qcow2" --disk-image "$PWD/debian.ext4" --root /dev/vda --console-socket console.sock
boot_start=$(ms)
boot_guest_background "$port" --expect '^kdk-debian login:' --expect 'kdk-debian-ok [0-9.]+ running' \
  -- -gdb "tcp:127.0.0.1:$port"
wait_for_serial '^kdk-debian login:'
login_after=$(( $(ms) - boot_start ))e-3
log_in() {  # (console_session's typist)
  printf 'root\n'
  wait_for_console 'root@kdk-debian:~# ' "$1" || return 0
  printf 'echo kdk-debian-ok $(cat /etc/debian_version) $(systemctl is-system-running); systemctl --failed --plain --no-legend; systemctl reboot\n'
}
console_session console.sock log_in || fail "kdk console failed: $(cat console.err)"
wait_guest || { tr -d '\r' < console.out | tail -20; fail "the guest did not log in, or systemd was not 'running' (the failed units are above; serial log: $PWD/serial.log)"; }
[ "$(sha256sum < debian.ext4)" = "$image_sum" ] || fail "the boot changed debian.ext4; it should have written to its overlay only"
state=$(tr -d '\r' < serial.log | grep -E -o 'kdk-debian-ok [0-9.]+ [a-z]+' | tail -1)
echo "ok: $KDK_ARCH booted Debian $suite to a login on the serial console and logged in as root: $state; the login prompt came $(printf %.1f "$login_after") s after QEMU started"
