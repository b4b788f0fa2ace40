#!/usr/bin/env bash
# build.<arch>.incremental: ninja asks kbuild exactly when something kbuild reads changed.
# In this build tree, for each kind of change kbuild acts on, the change reaches kbuild (the
# check names it) and the artifact shows it; after each, a second build of the kernel is a
# no-op, where no make runs at all (the other architectures share the edited sources: they
# rebuild once, at the end, and then a build of the whole tree runs only the check). Then a record or a kbuild .cmd file deleted or truncated: the next build
# asks kbuild, which repairs it. At the end every edit is undone and the tree rebuilt, and
# vmlinux must be byte for byte what it was before the test.
#
# It edits the kernel sources, so it runs only on a tree kdk unpacked itself (KDK_LINUX_SOURCE
# a tarball or a pinned download), never on yours, and it restores them when it exits. It runs
# alone (RUN_SERIAL): the other tests of the tree boot the kernel it rebuilds.
# usage: incremental.sh ENV_FILE BUILD_DIR
set -euo pipefail
env_file=$1 build=$2
source "$env_file"
src=$LINUX_SOURCE_DIR obj=$LINUX_BUILD_DIR
case $src in
  "$build"/src/*) ;;
  *) echo "SKIP: the kernel source $src is your own tree, and this test edits sources: it runs only where kdk unpacked the source (KDK_LINUX_SOURCE=<tarball> or a pinned version)"
     exit 77 ;;
esac
work=$PWD
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }

# Every source this test edits is saved first (backup/manifest lists them), and put back with
# a new mtime, as an editor would, so that kbuild rebuilds from it, when the test ends however
# it ends, or at the start of the next run when this one was killed.
backup="$work/backup"
# replace FILE: FILE's content from stdin, as a new file renamed over it (the outer tree's
# sources may be hard-linked into nested test trees: an edit never writes through a link).
replace() { cat > "$1.kdk-test" && mv "$1.kdk-test" "$1"; }
restore() {
  local f
  if [ -f "$backup/manifest" ]; then
    while IFS= read -r f; do
      if [ -f "$backup/files/$f" ]; then replace "$src/$f" < "$backup/files/$f"; else rm -f "$src/$f"; fi
    done < "$backup/manifest"
  fi
  rm -rf "$backup" "$work/tools"
}
restore
trap restore EXIT
save() {  # save FILE (relative to the source tree), before its first edit
  grep -qxF -- "$1" "$backup/manifest" 2>/dev/null && return 0
  mkdir -p "$backup/files/$(dirname "$1")"
  [ ! -e "$src/$1" ] || cp "$src/$1" "$backup/files/$1"
  printf '%s\n' "$1" >> "$backup/manifest"
}
edit() {  # edit FILE LINE: append LINE to FILE (relative to the source tree)
  save "$1"
  { cat "$src/$1"; printf '%s\n' "$2"; } | replace "$src/$1"
}

build_log=0
build() {  # build [ninja target]: the build, its output in build-N.log
  build_log=$((build_log + 1))
  local log="$work/build-$build_log.log" start
  start=$(date +%s.%N)
  cmake --build "$build" ${1:+--target "$1"} > "$log" 2>&1 || { tail -40 "$log"; fail "the build failed (build-$build_log.log)"; }
  printf '   build-%s: %.1f s\n' "$build_log" "$(echo "$(date +%s.%N) - $start" | bc)"
  last="$log"
}
kbuild_ran() { grep -q 'Building vmlinux-'"$KDK_ARCH"' (kbuild' "$last"; }
expect_kbuild() {  # expect_kbuild REASON: the check named REASON and kbuild ran
  grep -F -- "$1" "$last" | grep 'kbuild decides' > /dev/null || { cat "$last"; fail "the check did not say '$1'"; }
  kbuild_ran || { cat "$last"; fail "kbuild did not run after: $1"; }
}
expect_noop() {  # expect_noop [TARGET]: a second build (of TARGET, default everything) runs only the check
  build "${1:-}"
  # Without a target, no step of any architecture may be out of date; with one, only its own.
  local mine='kbuild decides|Building |Packing |Installing |Linking '
  [ -z "${1:-}" ] || mine="kdk: vmlinux-$KDK_ARCH: |Building |Packing |Installing |Linking "
  if grep -E "$mine" "$last"; then
    cat "$last"; fail "a build with nothing changed ran a step (above)"
  fi
  local steps; steps=$(grep -cE '^\[[1-9][0-9]*/[0-9]+\]' "$last" || true)  # [0/N]: CMake's glob check
  [ "$steps" -le 1 ] || { cat "$last"; fail "a build with nothing changed ran $steps steps"; }
}
release() { cat "$obj/include/config/kernel.release"; }
target=vmlinux-$KDK_ARCH

step "baseline: the tree is built; a build with nothing changed runs no make"
build
vmlinux_before=$(sha256sum < "$obj/vmlinux")
release_before=$(release)
expect_noop

step "a source file (init/main.c)"
edit init/main.c 'const char kdk_incremental_source[] = "kdk-incremental-source";'
build "$target"; expect_kbuild "init/main.c changed"
grep -q kdk-incremental-source "$obj/vmlinux" || fail "vmlinux lacks the edited source's string"
expect_noop "$target"

step "a header (init/do_mounts.h, included by a few files)"
edit init/do_mounts.h 'static const char kdk_incremental_header[] __used = "kdk-incremental-header";'
build "$target"; expect_kbuild "init/do_mounts.h changed"
grep -q kdk-incremental-header "$obj/vmlinux" || fail "vmlinux lacks the edited header's string"
expect_noop "$target"

step "a Makefile and a new source it names (init/Makefile, init/kdk_incremental.c)"
save init/kdk_incremental.c
echo 'const char kdk_incremental_makefile[] = "kdk-incremental-makefile";' | replace "$src/init/kdk_incremental.c"
edit init/Makefile 'obj-y += kdk_incremental.o'
build "$target"; expect_kbuild "changed"
grep -q kdk-incremental-makefile "$obj/vmlinux" || fail "vmlinux lacks the object the Makefile added"
expect_noop "$target"

step "a Kconfig file (init/Kconfig: a new symbol)"
edit init/Kconfig $'config KDK_INCREMENTAL\n\tdef_bool y'
build "$target"; expect_kbuild "init/Kconfig changed"
grep -qx 'CONFIG_KDK_INCREMENTAL=y' "$obj/include/config/auto.conf" || fail "kbuild's auto.conf lacks the new symbol"
expect_noop "$target"

step "a new file in the source tree (localversion-kdk, which setlocalversion reads)"
save localversion-kdk
echo "-kdknew" | replace "$src/localversion-kdk"
build "$target"; expect_kbuild "changed"
[ "$(release)" = "$release_before-kdknew" ] || fail "kernel.release is '$(release)', not '$release_before-kdknew'"
strings "$obj/vmlinux" | grep -- "$release_before-kdknew" > /dev/null || fail "vmlinux does not carry the new release"
rm "$src/localversion-kdk"
build "$target"; expect_kbuild "changed"
[ "$(release)" = "$release_before" ] || fail "kernel.release did not return to $release_before"
expect_noop "$target"

step "an environment variable kbuild reads (LOCALVERSION)"
LOCALVERSION=-kdkenv build "$target"; expect_kbuild "the environment variable LOCALVERSION is now set"
[ "$(release)" = "$release_before-kdkenv" ] || fail "kernel.release is '$(release)' with LOCALVERSION=-kdkenv"
LOCALVERSION=-kdkenv expect_noop "$target"
build "$target"; expect_kbuild "the environment variable LOCALVERSION is no longer set"
[ "$(release)" = "$release_before" ] || fail "kernel.release did not return to $release_before"

step "the toolchain (the linker in PATH, then a newer version of it)"
# kbuild acts on a new compiler through its version text (CC_VERSION_TEXT), which every object
# depends on: a full rebuild, minutes more of this test, which runs alone. The linker goes the
# same way through kdk's record of the tools in PATH, and kbuild acts on it without a rebuild:
# its version reaches .config (CONFIG_LD_VERSION) and the kernel's banner (init/version.o,
# LINUX_COMPILER from `ld -v`), so the artifact shows a newer linker.
cross_ld=$(command -v "${CROSS_COMPILE}ld")
mkdir -p "$work/tools"
ln -sf "$cross_ld" "$work/tools/${CROSS_COMPILE}ld"
export PATH="$work/tools:$PATH"
build "$target"; expect_kbuild "the environment variable PATH changed"
expect_noop "$target"
rm "$work/tools/${CROSS_COMPILE}ld"
{
  echo '#!/bin/sh'
  echo 'case $1 in -v|--version)'
  echo "  '$cross_ld' \"\$1\" | sed '1s/\\([0-9][0-9]*\\.[0-9][0-9]*\\)[.0-9]*\$/\\1.99/'; exit ;;"
  echo 'esac'
  echo "exec '$cross_ld' \"\$@\""
} > "$work/tools/${CROSS_COMPILE}ld"
chmod +x "$work/tools/${CROSS_COMPILE}ld"
new_ld=$("$work/tools/${CROSS_COMPILE}ld" -v | head -1 | sed 's/[[:space:]]*$//')
echo "   the newer linker: $new_ld"
case $new_ld in *.99) ;; *) fail "the test's linker wrapper did not change the version: $new_ld" ;; esac
build "$target"; expect_kbuild "$work/tools/${CROSS_COMPILE}ld changed"
strings "$obj/vmlinux" | grep -F 'Linux version' | grep -F -- "$new_ld" > /dev/null \
  || fail "the kernel's banner does not name the newer linker ($new_ld): $(strings "$obj/vmlinux" | grep -F 'Linux version' | head -1)"
expect_noop "$target"
export PATH="${PATH#"$work/tools:"}"
rm -rf "$work/tools"
build "$target"; expect_kbuild "tools is gone"
strings "$obj/vmlinux" | grep -F 'Linux version' | grep -F -- "$new_ld" > /dev/null \
  && fail "the kernel's banner still names the test's linker ($new_ld)"
expect_noop "$target"

step "bad input: a kbuild .cmd file deleted, another truncated"
rm "$obj/init/.main.o.cmd"
build "$target"; expect_kbuild "init/.main.o.cmd is gone"
[ -s "$obj/init/.main.o.cmd" ] || fail "kbuild did not write init/.main.o.cmd again"
head -c 40 "$obj/init/.version.o.cmd" > "$obj/init/.version.o.cmd.t" && mv "$obj/init/.version.o.cmd.t" "$obj/init/.version.o.cmd"
build "$target"; expect_kbuild "init/.version.o.cmd"
grep -q '^deps_init/version.o' "$obj/init/.version.o.cmd" || fail "kbuild did not repair init/.version.o.cmd"
expect_noop "$target"

step "an object deleted (init/version.o)"
rm "$obj/init/version.o"
build "$target"; expect_kbuild "init/version.o is gone"
[ -f "$obj/init/version.o" ] || fail "kbuild did not build init/version.o again"
expect_noop "$target"

step "bad input: kdk's record deleted, then truncated"
record="$build/kbuild-inputs/$target.record"
rm "$record"
build "$target"; expect_kbuild "no record of its inputs"
[ -s "$record" ] || fail "the record was not written again"
expect_noop "$target"
head -c 3000 "$record" > "$record.t" && mv "$record.t" "$record"
build "$target"; expect_kbuild "is damaged"
expect_noop "$target"

step "every edit undone: the tree builds back to the vmlinux it had"
restore
build
[ "$(sha256sum < "$obj/vmlinux")" = "$vmlinux_before" ] || fail "vmlinux differs from the one before the test"
[ "$(release)" = "$release_before" ] || fail "kernel.release is $(release), not $release_before"
grep -q 'CONFIG_KDK_INCREMENTAL' "$obj/.config" && fail "the test's Kconfig symbol is still in .config"
expect_noop
echo "PASS: every kind of change reached kbuild, no-op builds ran no make, and damaged records were repaired"
