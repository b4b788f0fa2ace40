#!/usr/bin/env bash
# For a gen_init_cpio list, `kdk cpio pack --spec LIST` is equivalent, entry by entry, to what the
# kernel's own usr/gen_init_cpio writes: names, types, modes, owners, device numbers, link
# targets, hard links and file contents. (Archive order, inode numbers and which hard link
# carries the data may differ; the kernel does not depend on them.)
# The kernel source comes from KDK_GEN_INIT_CPIO_SOURCE (a tree or a tarball), else from
# /usr/src/linux-source-*.tar.* or /usr/src/linux-source-*/; without one the test skips.
source "$(dirname "$0")/lib.sh"
need cpio cpio
need cc "gcc"
src=${KDK_GEN_INIT_CPIO_SOURCE:-}
if [ -z "$src" ]; then
  for candidate in /usr/src/linux-source-*/ /usr/src/linux-source-*.tar.*; do
    [ -e "$candidate" ] && { src=$candidate; break; }
  done
fi
[ -n "$src" ] && [ -e "$src" ] || { echo "SKIP: no kernel tree or tarball (set KDK_GEN_INIT_CPIO_SOURCE)"; exit $SKIP; }
if [ -d "$src" ]; then
  [ -f "$src/usr/gen_init_cpio.c" ] || fail "$src has no usr/gen_init_cpio.c"
  cp "$src/usr/gen_init_cpio.c" "$T/"
else
  tar -xOf "$src" --wildcards '*/usr/gen_init_cpio.c' > "$T/gen_init_cpio.c" 2>/dev/null || true
  [ -s "$T/gen_init_cpio.c" ] || fail "$src has no usr/gen_init_cpio.c"
fi
cc -O2 -o "$T/gen_init_cpio" "$T/gen_init_cpio.c"

mkdir -p "$T/src"
printf '#!/bin/sh\nexec /bin/sh\n' > "$T/src/init"
head -c 70000 /dev/urandom > "$T/src/busybox"
printf 'hello\n' > "$T/src/motd"
touch -d @1000 "$T/src"/*
export SRC="$T/src"
# The hard link names sort after the first name, so the last link (which carries the data in
# both tools) is the same member in both archives.
cat > "$T/rootfs.list" <<'LIST'
# a kernel-style list, with ${VAR} expansion in sources
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/ram0 0660 0 6 b 1 0
dir /root 0700 0 0
dir /bin 0755 0 0
dir /etc 0755 0 0
file /init ${SRC}/init 0755 0 0
file /bin/busybox ${SRC}/busybox 4755 0 0 /bin/cat /bin/ls
slink /bin/sh busybox 0777 0 0
file /etc/motd ${SRC}/motd 0644 1000 100
pipe /etc/fifo 0600 0 0
sock /etc/sock 0755 0 0
dir /home 0755 0 0
dir /home/user 0750 1000 1000
LIST
"$T/gen_init_cpio" -t 1000 "$T/rootfs.list" > "$T/kernel.cpio"
SOURCE_DATE_EPOCH=1000 "$KDK" cpio pack -o "$T/kdk.cpio" --spec "$T/rootfs.list"
# Both listings through GNU cpio, sorted by name (order is not part of the contract).
# Two header fields are normalized because the tools legitimately differ and the kernel reads
# neither: nlink of non-regular members (gen_init_cpio writes 2 for every directory, FIFO and
# socket; kdk writes what the filesystem would hold), and a symlink's size (gen_init_cpio stores
# the target's NUL; kdk, like GNU cpio, does not). The target itself is still compared.
# Regular files keep their nlink: that is how the kernel finds hard links.
normalize() { awk '{ if (substr($1,1,1) != "-") $2 = "*"; if (substr($1,1,1) == "l") $5 = "*"; print }'; }
kernel=$(cpio -tv < "$T/kernel.cpio" 2>/dev/null | normalize | LC_ALL=C sort -k9)
ours=$(cpio -tv < "$T/kdk.cpio" 2>/dev/null | normalize | LC_ALL=C sort -k9)
if [ "$kernel" != "$ours" ]; then
  diff <(echo "$kernel") <(echo "$ours") || true
  fail "kdk's archive differs from gen_init_cpio's"
fi
# Contents, through GNU cpio, skipping device nodes (extracting them needs root) and the FIFO
# and socket (diff cannot compare them; the listing above already did).
for a in kernel kdk; do
  mkdir "$T/x.$a"
  (cd "$T/x.$a" && cpio -idm --quiet -f 'dev/*' 'etc/sock' 'etc/fifo' < "$T/$a.cpio")
done
diff -r --no-dereference "$T/x.kernel" "$T/x.kdk" || fail "file contents differ"
[ "$(stat -c %i "$T/x.kdk/bin/cat")" = "$(stat -c %i "$T/x.kdk/bin/busybox")" ] || fail "hard links were not kept"
echo "ok: kdk matches gen_init_cpio from $src entry by entry ($(echo "$ours" | wc -l) members)"
