#!/usr/bin/env bash
# boot.<arch>.ext4: the root filesystem as an ext4 image on virtio-blk (the image
# KDK_ROOTFS_FORMAT=ext4 boots, built in test-fixture trees too), through qcow2 overlays:
#   1. a boot on a new overlay: / is the ext4 disk, and the guest writes a file;
#   2. a boot on another new overlay (what every `ninja run` gets by default): the file is gone;
#   3. a boot on the first overlay again (KDK_ROOTFS_PERSIST): the file is there;
#   4. root= naming a disk that is not there: the boot fails at once, and the kernel's panic
#      names the disk it did find;
# and the image itself is byte for byte what the build made.
# usage: ext4.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
[ -n "$ROOTFS_EXT4" ] || { echo "SKIP: this tree builds no ext4 image"; exit 77; }
rm -f first.qcow2* second.qcow2* wrong.qcow2*
image_sum=$(sha256sum < "$ROOTFS_EXT4")

step() { echo "== $*"; }
step "a new overlay: / is ext4 on /dev/vda, and the guest writes /root/kdk-mark"
qemu_command --disk "$PWD/first.qcow2" "kdk.run=\"grep -E '^/dev/root / ext4 ' /proc/mounts; echo ext4-mark-\$((6*7)) > /root/kdk-mark; sync\""
boot_guest --expect '^kdk: booted in [0-9.]+ s' --expect '^/dev/root / ext4 rw' --expect '^kdk-exit-status: 0$'
uptime_ext4=$(grep -m1 -o 'booted in [0-9.]* s' serial.log)
mv serial.log first.log

step "another new overlay: the file is gone"
qemu_command --disk "$PWD/second.qcow2" 'kdk.run="cat /root/kdk-mark 2>/dev/null || echo no-mark"'
boot_guest --expect '^no-mark' --expect '^kdk-exit-status: 0$'
mv serial.log second.log

step "the first overlay again: the file is kept"
qemu_command --disk "$PWD/first.qcow2" 'kdk.run="cat /root/kdk-mark"'
boot_guest --expect '^ext4-mark-42' --expect '^kdk-exit-status: 0$'
mv serial.log third.log

step "root= names a disk that is not there"
qemu_command --disk "$PWD/wrong.qcow2" root=/dev/vdz
boot_wrong_root /dev/vdz vda

[ "$(sha256sum < "$ROOTFS_EXT4")" = "$image_sum" ] || fail "the built image $ROOTFS_EXT4 changed: a boot wrote to it"
rm -f first.qcow2* second.qcow2* wrong.qcow2*
echo "ok: $KDK_ARCH booted from ext4 ($uptime_ext4), a throwaway overlay lost the guest's file, a kept one kept it, and a wrong root= failed at once"
