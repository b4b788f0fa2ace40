#!/usr/bin/env bash
# bad.distcc_compiler: a distcc host without the kernel's compiler. distccd runs on 127.0.0.1
# with a PATH where no compiler is (as on a machine without the cross toolchain); a tree of its
# own names it in KDK_DISTCC_HOSTS. kdk's configuration step must fail before kbuild runs, with
# an error naming the host and the compiler, and leave no .config behind.
# usage: distcc_compiler.sh TOP ARCH LINUX_SOURCE_DIR BUSYBOX_SOURCE_DIR
set -euo pipefail
top=$1 arch=$2 linux=$3 busybox=$4
fail() { echo "FAIL: $*"; exit 1; }
command -v distcc > /dev/null && command -v distccd > /dev/null || { echo "SKIP: distcc is not installed (Debian: distcc)"; exit 77; }
source "$(dirname "$0")/../distributed/lib.sh"

mkdir -p "$PWD/empty-path"
port=$(free_port)
start_distccd "$port" "$PWD/distccd.log" "$PWD/empty-path"
rm -rf "$PWD/tree"
cmake -S "$top" -B "$PWD/tree" -G Ninja -DKDK_BUILD_TESTS=OFF -DKDK_ARCHES="$arch" -DKDK_LINUX_SOURCE="$linux" \
  -DKDK_BUSYBOX_SOURCE="$busybox" -DKDK_DISTRIBUTED=distcc "-DKDK_DISTCC_HOSTS=127.0.0.1:$port/2" > configure.log 2>&1 \
  || { cat configure.log; fail "configure failed"; }
source "$PWD/tree/$arch/kdk.env"
if ninja -C "$PWD/tree" "$arch/linux/.kdk-config.stamp" > config.log 2>&1; then
  cat config.log; fail "the configuration step succeeded with a distcc host that has no ${CROSS_COMPILE}gcc"
fi
grep "kdk: error: distcc host 127.0.0.1:$port has no ${CROSS_COMPILE}gcc" config.log \
  || { cat config.log; fail "the error does not name the host and ${CROSS_COMPILE}gcc"; }
[ ! -e "$LINUX_BUILD_DIR/.config" ] || fail "kbuild ran anyway: $LINUX_BUILD_DIR/.config exists"
echo "PASS"
