# Shared by the interop tests. Each test gets a scratch directory and the kdk binary as $KDK.
set -euo pipefail
KDK=${1:?usage: $0 PATH/TO/kdk}
SKIP=77
T=$(mktemp -d "${TMPDIR:-/tmp}/kdk-interop.XXXXXX")
trap 'rm -rf "$T"' EXIT
export TZ=UTC

need() {  # need TOOL PACKAGE: skip the test when a second-opinion tool is missing
  command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed (Debian/Ubuntu: $2)"; exit $SKIP; }
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# A tree with what trips up cpio implementations: modes, set-id bits, symlinks (relative,
# absolute, dangling), hard links, an empty file, a large file, deep paths, odd names.
make_tree() {
  local r=$1
  mkdir -p "$r/bin" "$r/etc/init.d" "$r/usr/share/deep/er/still" "$r/empty-dir" "$r/tmp"
  printf '#!/bin/sh\necho init\n' > "$r/init"; chmod 0755 "$r/init"
  head -c 300000 /dev/urandom > "$r/bin/busybox"; chmod 4755 "$r/bin/busybox"
  ln "$r/bin/busybox" "$r/bin/ls"
  ln "$r/bin/busybox" "$r/bin/cat"
  ln -s busybox "$r/bin/sh"
  ln -s /etc/missing "$r/etc/dangling"
  : > "$r/etc/empty"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"; chmod 0600 "$r/etc/passwd"
  printf '::sysinit:/etc/init.d/rcS\n' > "$r/etc/inittab"
  printf 'mount -a\n' > "$r/etc/init.d/rcS"; chmod 0750 "$r/etc/init.d/rcS"
  printf 'deep\n' > "$r/usr/share/deep/er/still/file"
  printf 'odd\n' > "$r/usr/share/name-with_odd.chars+1"
  chmod 1777 "$r/tmp"
  chmod 0700 "$r/empty-dir"
}

# One line per path: type and permissions, size or link target, a content hash, and which
# hard-link group it belongs to (numbered by first appearance, so inode numbers do not matter).
describe() {
  ( cd "$1" && find . -mindepth 1 -printf '%p %M %l %n %i\n' | LC_ALL=C sort ) | awk -v root="$1" '
    { path=$1; mode=$2; ino=$NF; nlink=$(NF-1); target=(NF==5 ? $3 : "")
      group=""
      if (substr(mode,1,1)=="-" && nlink>1) { if (!(ino in g)) g[ino]=++n; group="link" g[ino] }
      hash=""
      if (substr(mode,1,1)=="-") { cmd="sha256sum \"" root "/" path "\""; cmd | getline hash; close(cmd); split(hash,h," "); hash=h[1] }
      print path, mode, target, group, hash }'
}
