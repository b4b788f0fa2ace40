#!/usr/bin/env bash
# `kdk cpio list` prints what `cpio -t` prints, and `kdk cpio list -v` what `cpio -tv` prints,
# on an archive with every member type (device nodes and a FIFO come from a list).
source "$(dirname "$0")/lib.sh"
need cpio cpio
make_tree "$T/root"
cat > "$T/devices.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/sda 0660 0 6 b 8 0
pipe /run/initctl 0600 0 0
sock /run/sock 0755 0 0
dir /home/user 0700 1000 1000
LIST
for epoch in 86400 ""; do
  SOURCE_DATE_EPOCH=$epoch "$KDK" cpio pack -o "$T/a.cpio" "$T/root" --spec "$T/devices.list"
  diff <(cpio -t < "$T/a.cpio" 2>/dev/null) <("$KDK" cpio list "$T/a.cpio") || fail "kdk cpio list differs from cpio -t"
  diff <(cpio -tv < "$T/a.cpio" 2>/dev/null) <("$KDK" cpio list -v "$T/a.cpio") || fail "kdk cpio list -v differs from cpio -tv"
  # A foreign archive too: GNU cpio's own, of the same tree.
  (cd "$T/root" && find . | cpio -o -H newc > "$T/gnu.cpio" 2>/dev/null)
  diff <(cpio -tv < "$T/gnu.cpio" 2>/dev/null) <("$KDK" cpio list -v "$T/gnu.cpio") || fail "kdk differs from cpio -tv on GNU cpio's archive"
done
echo "ok: list and list -v match cpio -t and cpio -tv ($(cpio -t < "$T/a.cpio" 2>/dev/null | wc -l) members)"
