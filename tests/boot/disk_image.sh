#!/usr/bin/env bash
# boot.<arch>.disk_image: your own disk image with the built kernel (KDK_DISK_IMAGE, KDK_ROOT;
# here qemu.sh command --disk-image and --root, the same code). The image is made the way a
# user's is laid out: an MBR partition table and the root file system in partition 1 (kdk's ext4
# image, written at 1 MiB). It boots with root=/dev/vda1 as a raw image and as a qcow2 image, each
# time through an overlay that leaves it unchanged; a root= that names no partition fails at once
# with the kernel's list of the disks it saw; a file that is no disk image is refused before
# QEMU starts.
# usage: disk_image.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
[ -n "$ROOTFS_EXT4" ] && [ -f "$ROOTFS_EXT4" ] || { echo "SKIP: this tree builds no ext4 image"; exit 77; }
rm -f disk.raw disk.qcow2 overlay*.qcow2* not-a-disk
# The MBR: one Linux partition (type 0x83) from sector 2048 over the whole ext4 image.
python3 - "$ROOTFS_EXT4" disk.raw <<'PY'
import os, struct, sys
src, out = sys.argv[1], sys.argv[2]
size = os.path.getsize(src)
sectors = size // 512
entry = struct.pack("<B3sB3sII", 0, b"\xff\xff\xff", 0x83, b"\xff\xff\xff", 2048, sectors)
with open(out, "wb") as f, open(src, "rb") as s:
    f.write(b"\0" * 446 + entry + b"\0" * 48 + b"\x55\xaa")
    f.seek(2048 * 512)
    while chunk := s.read(1 << 20):
        f.write(chunk)
PY
"$QEMU_IMG" convert -O qcow2 disk.raw disk.qcow2
raw_sum=$(sha256sum < disk.raw) qcow2_sum=$(sha256sum < disk.qcow2)

for image in disk.raw disk.qcow2; do
  echo "== $image, root=/dev/vda1"
  qemu_command --disk "$PWD/overlay-$image.qcow2" --disk-image "$PWD/$image" --root /dev/vda1 init=/init \
    'kdk.run="grep -E ^/dev/root /proc/mounts; cat /proc/partitions; echo image-$((6*7)) > /root/mark"'
  boot_guest --expect '^/dev/root / ext4 rw' --expect ' vda1$' --expect '^kdk-exit-status: 0$'
  mv serial.log "$image.log"
done
[ "$(sha256sum < disk.raw)" = "$raw_sum" ] && [ "$(sha256sum < disk.qcow2)" = "$qcow2_sum" ] \
  || fail "a boot changed the disk image; it should have written to its overlay only"

echo "== root=/dev/vda2: no such partition"
qemu_command --disk "$PWD/overlay-wrong.qcow2" --disk-image "$PWD/disk.raw" --root /dev/vda2 init=/init
boot_wrong_root /dev/vda2 vda1

echo "== a file that is no disk image"
printf 'not a disk\n' > not-a-disk
status=0
bash "$qemu_sh" command "$env_file" --disk "$PWD/overlay-bad.qcow2" --disk-image "$PWD/not-a-disk" > bad.out 2>&1 || status=$?
[ "$status" = 1 ] && grep -F "$PWD/not-a-disk is not a disk image" bad.out > /dev/null \
  || { cat bad.out; fail "a text file was not refused as a disk image (status $status)"; }
[ ! -e overlay-bad.qcow2 ] || fail "an overlay was made over a file that is no disk image"
rm -f disk.raw disk.qcow2 overlay*.qcow2* not-a-disk
echo "ok: $KDK_ARCH booted a partitioned raw and qcow2 image with root=/dev/vda1, unchanged; a wrong root= and a non-image failed at once"
