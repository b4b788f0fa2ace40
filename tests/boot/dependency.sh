#!/usr/bin/env bash
# dependency.<arch>.fetchcontent: kdk as another project's dependency. examples/hello-module, a
# module project of ten lines, is configured as its user would, with FetchContent given this
# checkout (FETCHCONTENT_SOURCE_DIR_KDK) instead of a clone, for ARCH, from the same sources:
#   1. configure: kdk sets up ARCH after the project's kdk_add_kernel_module(hello) call;
#   2. build: the kernel, BusyBox, the initramfs and hello.ko, built by kbuild from the project's
#      own hello.c (the module's build directory links to it; nothing is copied);
#   3. the project's build tree has kdk's targets (run, debug, run-ARCH, debug-ARCH) and tests,
#      among them module.ARCH.hello.load and module.ARCH.hello.gdb, which run and pass there with
#      boot.ARCH.shell and gdb.ARCH.start_kernel.
# usage: dependency.sh TOP ARCH LINUX_SOURCE_DIR BUSYBOX_SOURCE_DIR
set -euo pipefail
top=$1 arch=$2 linux=$3 busybox=$4
work=$PWD
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
source "$(dirname "$0")/nested.sh"
project=$top/examples/hello-module
rm -rf "$work/build"
linux=$(nested_source "$work/build" linux "$linux")
busybox=$(nested_source "$work/build" busybox "$busybox")

step "configure $project with FETCHCONTENT_SOURCE_DIR_KDK=$top, KDK_ARCHES=$arch"
nested_build "$project" "$work/build" -DFETCHCONTENT_SOURCE_DIR_KDK="$top" -DKDK_ARCHES="$arch" \
  -DKDK_LINUX_SOURCE="$linux" -DKDK_BUSYBOX_SOURCE="$busybox"
grep "kdk: set up $arch with your module(s) hello" configure.log || { cat configure.log; fail "kdk did not set up $arch with the project's module"; }
echo "the project's build (kernel, BusyBox, initramfs, hello.ko): $build_seconds s"

step "hello.ko from the project's own hello.c"
ko=$work/build/$arch/modules/hello/hello.ko
[ -f "$ko" ] || fail "$ko was not built"
[ "$(readlink -f "$work/build/$arch/modules/hello/hello.c")" = "$(readlink -f "$project/hello.c")" ] \
  || fail "the module's build directory does not build from $project/hello.c"
[ "$(modinfo -F description "$ko")" = "kdk's example out-of-tree module" ] || fail "$ko is not the example's module"

step "kdk's targets and tests in the project's build tree"
for t in run debug "run-$arch" "debug-$arch" "module-hello-$arch"; do
  ninja -C "$work/build" -t query "$t" > /dev/null 2>&1 || fail "the project's build tree has no target $t"
done
(cd "$work/build" && ctest -N) > tests.txt
for t in "module.$arch.hello.load" "module.$arch.hello.gdb" "boot.$arch.shell" "gdb.$arch.start_kernel"; do
  grep -q "Test *#[0-9]*: $t$" tests.txt || { cat tests.txt; fail "ctest in the project's build tree has no test $t"; }
done
! grep -q "Test *#[0-9]*: \(unit\|cli\|interop\)\." tests.txt || fail "kdk's own helper tests are registered in the project's tree"
nested_ctest "$work/build" -R "^(module\\.$arch\\.hello\\.(load|gdb)|boot\\.$arch\\.shell|gdb\\.$arch\\.start_kernel)\$"
echo "PASS"
