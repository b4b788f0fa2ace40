#!/usr/bin/env bash
# The distro-initrd use case, without root: unpack an image that holds device nodes, foreign
# owners and set-id files; change one file; repack with the recorded spec. The new image differs
# from the old one in that file only, as GNU cpio sees both.
source "$(dirname "$0")/lib.sh"
need cpio cpio
make_tree "$T/root"
cat > "$T/extra.list" <<LIST
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
file /usr/bin/sudo $T/root/init 4711 0 0
dir /var/spool/mail 2775 0 8
file /home/u/.profile $T/root/etc/passwd 0644 1000 1000
LIST
export SOURCE_DATE_EPOCH=86400
"$KDK" cpio pack -o "$T/initrd.img" --compress zstd "$T/root" --spec "$T/extra.list"
"$KDK" cpio extract -C "$T/unpacked" --spec-out "$T/unpacked.list" "$T/initrd.img"
printf 'changed\n' > "$T/unpacked/etc/inittab"
touch -d @86400 "$T/unpacked/etc/inittab"
"$KDK" cpio pack -o "$T/repacked.img" --compress zstd "$T/unpacked" --spec "$T/unpacked.list"
before=$(zstd -dc "$T/initrd.img" | cpio -tv 2>/dev/null)
after=$(zstd -dc "$T/repacked.img" | cpio -tv 2>/dev/null)
changes=$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' || true)
expected="< -rw-r--r--   1 root     root           26 Jan  2  1970 etc/inittab
> -rw-r--r--   1 root     root            8 Jan  2  1970 etc/inittab"
[ "$changes" = "$expected" ] || { echo "$changes"; fail "the repacked image differs in more than etc/inittab"; }
echo "ok: extract, edit and repack changed exactly one member ($(echo "$after" | wc -l) members)"
