#!/usr/bin/env bash
# kselftest collections of one architecture (cmake/KdkKselftest.cmake).
# usage: kselftest.sh build ENV ROOT STAMP TIMEOUT COLLECTION...
#          kbuild's kselftest-install of the collections, built with the cross compiler and linked
#          statically (the guest has no C library), into ROOT/kselftest, which the root
#          filesystem packs; each collection's settings file gets timeout=TIMEOUT (seconds per
#          test); ROOT/usr/bin/timeout lets kselftest's runner use BusyBox's timeout. It runs in a
#          kbuild output directory of its own (the kernel's .config copied there), so the kernel's
#          own O= is never touched.
#        kselftest.sh run ENV DIR COLLECTION BOOT_TIMEOUT
#          kselftest.<arch>.<collection>: boots with run_kselftest.sh -c COLLECTION and judges its
#          TAP output with kdk ktap check: 0 passed, 1 failed, 77 every test skipped.
set -euo pipefail
mode=${1:?build or run}
env_file=${2:?kdk.env}
source "$env_file"
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "kdk: $*" >&2; exit 1; }

case $mode in
  build)
    root=${3:?ROOT} stamp=${4:?STAMP} timeout=${5:?TIMEOUT}
    shift 5
    [ $# -gt 0 ] || fail "no collection"
    obj="$STATE_DIR/kselftest/obj"
    mkdir -p "$obj"
    cp "$LINUX_BUILD_DIR/.config" "$obj/.config"
    command -v rsync > /dev/null || fail "kbuild's kselftest-install needs rsync: apt-get install rsync (tools/install-deps.sh kernel)"
    # The kernel's make command line, with its own O=, and user space built with the cross gcc
    # (LLVM= empty: a clang kernel's selftests too), static (USERLDFLAGS, which lib.mk appends).
    make=()
    for word in "${KBUILD_MAKE[@]}"; do
      case $word in
        O=*) make+=("O=$obj") ;;
        CC=*|LLVM=*|LD=*|AR=*|NM=*|OBJCOPY=*|OBJDUMP=*|READELF=*|STRIP=*|CROSS_COMPILE=*) ;;
        *) make+=("$word") ;;
      esac
    done
    make+=("CROSS_COMPILE=$CROSS_COMPILE")
    rm -rf "$root.new"
    trap 'rm -rf "$root.new"' EXIT  # a failed build leaves ROOT as it was, and nothing beside it
    mkdir -p "$root.new/kselftest" "$root.new/usr/bin"
    echo "kdk: kselftest-install of $* for $KDK_ARCH ($CROSS_COMPILE""gcc, static)"
    "${make[@]}" -s olddefconfig > /dev/null
    "${make[@]}" -j"$(nproc)" kselftest-install TARGETS="$*" INSTALL_PATH="$root.new/kselftest" \
      USERLDFLAGS=-static LLVM= > "$STATE_DIR/kselftest/build.log" 2>&1 \
      || { tail -40 "$STATE_DIR/kselftest/build.log"; fail "kselftest-install of $* failed for $KDK_ARCH (log: $STATE_DIR/kselftest/build.log)"; }
    for c in "$@"; do
      [ -d "$root.new/kselftest/$c" ] || fail "kselftest-install made no $c for $KDK_ARCH: is '$c' a collection of tools/testing/selftests in this kernel?"
      # The per-test timeout, in the collection's settings (kselftest's runner reads it).
      settings="$root.new/kselftest/$c/settings"
      if [ -f "$settings" ]; then sed -i '/^timeout=/d' "$settings"; fi
      echo "timeout=$timeout" >> "$settings"
    done
    # Every program must run without a C library in the guest.
    while IFS= read -r -d '' f; do
      [ "$(head -c 4 "$f")" = $'\x7fELF' ] || continue
      if [ -n "$("${CROSS_COMPILE}readelf" -l "$f" 2> /dev/null | sed -n '/Requesting program interpreter/p')" ]; then
        fail "$f is linked dynamically; the guest has no C library (the collection's Makefile must take USERLDFLAGS)"
      fi
    done < <(find "$root.new/kselftest" -type f -perm -u+x -print0)
    # kselftest's runner calls GNU's timeout, nested: timeout --foreground N timeout N CMD.
    # BusyBox's has no --foreground, and on 32-bit arm (1.38) it ends CMD after about a second
    # whatever N is; so /usr/bin/timeout is this script (kselftest-timeout.sh), with sleep and kill.
    cp "$here/kselftest-timeout.sh" "$root.new/usr/bin/timeout"
    chmod 755 "$root.new/usr/bin/timeout"
    rm -rf "$root"
    mv "$root.new" "$root"
    touch "$stamp"
    ;;
  run)
    dir=${3:?DIR} collection=${4:?COLLECTION} boot_timeout=${5:?BOOT_TIMEOUT}
    cd "$dir"
    rm -f serial.log
    qemu=$(bash "$here/qemu.sh" command "$env_file" "kdk.run=\"/kselftest/run_kselftest.sh -c $collection\"") \
      || fail "qemu.sh could not make the QEMU command line"
    mapfile -t qemu <<< "$qemu"
    status=0
    "$KDK" boot --quiet --keep-going --timeout "$boot_timeout" --log "$dir/serial.log" -- "${qemu[@]}" > boot.out 2>&1 || status=$?
    [ -s serial.log ] || { cat boot.out; fail "the boot printed nothing"; }
    status=0
    # Only this collection's document, whole: a test cut off before its result has no line of its own.
    "$KDK" ktap check --whole-document --suite "selftests: $collection: *" serial.log > check.out 2>&1 || status=$?
    cat check.out
    if [ "$status" -eq 1 ]; then
      sed 's/^/  /' boot.out
      if [ -n "$("$KDK" report serial.log)" ]; then bash "$here/qemu.sh" decode "$env_file" "$dir/serial.log" || true; fi
    fi
    exit "$status"
    ;;
  *) fail "kselftest.sh: unknown mode '$mode' (build, run)" ;;
esac
