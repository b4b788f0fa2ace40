#!/usr/bin/env bash
# initramfs.<arch>.concatenated: an image made of the built initramfs followed by more segments,
# in the orders init/initramfs.c accepts (compressed streams of each format the kernel has, an
# uncompressed archive at a 4-byte boundary, zero padding between and after, two archives inside
# one compressed stream), booted on the real kernel. What the guest finds in / must be exactly
# what `kdk cpio list` reads from the same image.
# usage: concatenated.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
[ -n "$INITRAMFS" ] || { echo "skip: the initramfs is embedded in the kernel image (KDK_INITRAMFS=embedded)"; exit 77; }
rm -rf segments && mkdir segments
printf 'from the zstd segment\n' > segments/data
# pack NAME COMPRESSION DIR...: one archive holding the directories /seg/DIR.
pack() {
  local name=$1 compression=$2; shift 2
  { echo "dir /seg 0755 0 0"; for d in "$@"; do echo "dir /seg/$d 0755 0 0"; done; } > "segments/$name.list"
  [ "$name" != zstd ] || echo "file /seg/c/data $PWD/segments/data 0644 0 0" >> "segments/$name.list"
  "$KDK" cpio pack -o "segments/$name" --compress "$compression" --mtime 0 --spec "segments/$name.list"
}
zeros() { head -c "$1" /dev/zero; }
align4() { local size; size=$(stat -c %s "$1"); zeros $(( (4 - size % 4) % 4 )) >> "$1"; }
pack gzip gzip a
pack none none b
pack zstd zstd c
pack inner1 none d1
pack inner2 none d2
{ cat segments/inner1; zeros 512; cat segments/inner2; zeros 7; } | gzip -n > segments/two-in-gzip
image=$PWD/image
{ cat "$INITRAMFS"; zeros 3; cat segments/gzip; } > "$image"
align4 "$image"
{ cat segments/none; zeros 16; cat segments/zstd; zeros 1; cat segments/two-in-gzip; zeros 100; } >> "$image"

"$KDK" cpio list "$image" | sed 's|^|/|' | LC_ALL=C sort -u > expected  # /seg is in five archives
qemu_command 'kdk.run="find / -xdev | sed s/^/found:/"'
mapfile -t qemu < <(printf '%s\n' "${qemu[@]}" | sed "s|^$INITRAMFS\$|$image|")
INITRAMFS_FILE=$image  # what boots, for the metrics
boot_guest --expect '^kdk: booted in [0-9.]+ s' --expect '^kdk-exit-status: 0$'
tr -d '\r' < serial.log | sed -n 's|^found:||p' | grep -vx / | LC_ALL=C sort > found
# Mount points of what /init mounts hide the archive's entries below them (for example
# /dev/console under devtmpfs); compare the rest, and the mount points themselves.
grep -Ev '^/(dev|proc|sys)/' expected > expected.compared || true
if ! diff -u expected.compared found; then
  echo "FAIL: the guest's / (found) differs from kdk cpio list (expected.compared)"
  exit 1
fi
grep -q '^/seg/d2$' found && grep -q '^/seg/c/data$' found
echo "ok: $KDK_ARCH unpacked $(wc -l < found) entries from the initramfs and 5 more segments (gzip, none, zstd, gzip holding two archives; zero padding), exactly as kdk cpio list reads them"
