#!/usr/bin/env bash
# An archive from `kdk cpio pack` extracts with a real third-party tool (GNU cpio or bsdcpio) into
# the same tree it was packed from: modes, symlink targets, hard links and contents.
# usage: extract_with.sh KDK cpio|bsdcpio
source "$(dirname "$0")/lib.sh"
tool=${2:?tool}
case $tool in
  cpio) need cpio cpio ;;
  bsdcpio) need bsdcpio libarchive-tools ;;
esac
make_tree "$T/root"
expected=$(describe "$T/root")
# As non-root, libarchive (bsdcpio) drops set-id bits of a file whose owner it cannot restore.
# An ordinary user therefore packs with --keep-owner, so the archive names them as owner and the
# set-id bit can be seen after extraction. Root packs the default 0:0.
owner=()
[ "$(id -u)" -eq 0 ] || owner=(--keep-owner)
for compress in none gzip zstd; do
  "$KDK" cpio pack -o "$T/a.$compress" --compress "$compress" "${owner[@]}" "$T/root"
  mkdir "$T/x.$compress"
  case $compress in
    none) cat "$T/a.$compress" ;;
    gzip) gzip -dc "$T/a.$compress" ;;
    zstd) zstd -dc "$T/a.$compress" ;;
  esac | (cd "$T/x.$compress" && "$tool" -idm --quiet 2>/dev/null || "$tool" -idm) 2>"$T/err" || { cat "$T/err"; fail "$tool -idm failed ($compress)"; }
  actual=$(describe "$T/x.$compress")
  if [ "$expected" != "$actual" ]; then
    diff <(echo "$expected") <(echo "$actual") || true
    fail "$tool extracted a different tree from the $compress archive"
  fi
  echo "ok: $tool -idm reproduces the tree from a $compress archive ($(echo "$expected" | wc -l) paths)"
done
