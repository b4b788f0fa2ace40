#!/usr/bin/env bash
# matrix.<label>.<toolchain>: one kernel of the version matrix (KDK_TEST_KERNELS), end to end, in
# a build tree of its own from the same checkout, BusyBox and ccache: configure with that kernel
# source, the given architectures and toolchain and the test fixtures (without the disk, share
# and network ones, KDK_TEST_DEVICES=OFF: they would change every kernel's configuration, and so
# make each matrix kernel a build of its own; the main tree tests them), build, and run that
# tree's boot, gdb, console, module, oops and config tests (ctest -L 'boot|config', without the
# nested embedded test), with examples/hello-module's module declared as a user declares one
# (tests/module/hello.cmake), so its module.<arch>.hello.load and .gdb tests run too. Prints the
# build time, each test's result and each architecture's guest uptime at
# `kdk: booted`.
# With KUnit (KDK_KUNIT, passed on), also its KUnit suites and crash tests (ctest -L kunit,
# without the bisect test, which the outer tree runs).
# With kselftest collections (KDK_KSELFTEST, passed on), also their tests.
# usage: matrix.sh TOP LABEL LINUX_SOURCE ARCH,ARCH... gcc|llvm BUSYBOX_SOURCE_DIR FRAGMENT,FRAGMENT... [KDK_KUNIT [KDK_KSELFTEST]]
set -euo pipefail
top=$1 label=$2 linux=$3 arches=${4//,/;} toolchain=$5 busybox=$6 fragments=${7//,/;} kunit=${8:-}; kunit=${kunit//,/;}
kselftest=${9:-}; kselftest=${kselftest//,/;}
fail() { echo "FAIL: matrix $label ($toolchain): $*"; exit 1; }
source "$(dirname "$0")/nested.sh"
[ -e "$linux" ] || fail "the kernel source $linux does not exist (KDK_TEST_KERNELS names it; .ci/run shows how to get Debian's offline sources)"
build=$PWD/build
rm -rf "$build"
busybox=$(nested_source "$build" busybox "$busybox")
linux=$(nested_source "$build" linux "$linux")
nested_build "$top" "$build" -DKDK_ARCHES="$arches" -DKDK_LINUX_SOURCE="$linux" -DKDK_BUSYBOX_SOURCE="$busybox" \
  -DKDK_LINUX_PRESET_FRAGMENTS="$fragments" -DKDK_LINUX_TOOLCHAIN="$toolchain" -DKDK_TEST_FIXTURES=ON -DKDK_TEST_DEVICES=OFF -DKDK_TEST_KERNELS= -DKDK_KUNIT="$kunit" -DKDK_KSELFTEST="$kselftest" \
  -DKDK_EXTRA_CMAKE="$top/tests/module/hello.cmake"
release=$(cat "$build/${arches%%;*}/linux/include/config/kernel.release")
echo "matrix $label: Linux $release ($toolchain), ${arches//;/, }: built in $build_seconds s"
nested_ctest "$build" -L 'boot|config|kunit|kselftest' -LE 'embedded|bisect' -j2
for arch in ${arches//;/ }; do
  uptime=$(sed -n 's/^kdk: booted in \([0-9.]*\) s.*/\1/p' "$build/tests/boot.$arch.shell/serial.log" | tr -d '\r' | sed q)
  echo "matrix $label: $arch: guest uptime at 'kdk: booted': ${uptime:-?} s"
done
echo "ok: matrix $label: Linux $release built with $toolchain for ${arches//;/, }; every boot, gdb, module and config test passed"
