#!/usr/bin/env bash
# An initrd the way distributions build them: an uncompressed early archive (CPU microcode),
# written by GNU cpio, followed by a compressed main archive. `kdk cpio list` reads both parts,
# as the kernel does, and agrees with GNU cpio on each part.
source "$(dirname "$0")/lib.sh"
need cpio cpio
mkdir -p "$T/early/kernel/x86/microcode" "$T/main/bin"
head -c 5000 /dev/urandom > "$T/early/kernel/x86/microcode/GenuineIntel.bin"
printf 'x\n' > "$T/main/bin/tool"
(cd "$T/early" && find kernel | cpio -o -H newc > "$T/early.cpio" 2>/dev/null)
need bzip2 bzip2
for compress in gzip zstd xz lz4 bzip2; do
  if [ "$compress" = bzip2 ]; then  # kdk reads bzip2 (distributions used it) but does not write it
    "$KDK" cpio pack -o "$T/main.none" "$T/main"
    bzip2 -c "$T/main.none" > "$T/main.bzip2"
  else
    "$KDK" cpio pack -o "$T/main.$compress" --compress "$compress" "$T/main"
  fi
  cat "$T/early.cpio" "$T/main.$compress" > "$T/initrd.$compress"
  expected=$( (cpio -t < "$T/early.cpio"; "$KDK" cpio list "$T/main.$compress") 2>/dev/null)
  actual=$("$KDK" cpio list "$T/initrd.$compress")
  [ "$expected" = "$actual" ] || { diff <(echo "$expected") <(echo "$actual"); fail "concatenated $compress image"; }
  "$KDK" cpio extract -C "$T/x.$compress" "$T/initrd.$compress"
  cmp "$T/x.$compress/bin/tool" "$T/main/bin/tool"
  cmp "$T/x.$compress/kernel/x86/microcode/GenuineIntel.bin" "$T/early/kernel/x86/microcode/GenuineIntel.bin"
  echo "ok: early cpio + $compress main archive: $(echo "$actual" | wc -l) members listed and extracted"
done
