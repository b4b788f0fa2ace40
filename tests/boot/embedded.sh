#!/usr/bin/env bash
# initramfs.<arch>.embedded: KDK_INITRAMFS=embedded, end to end, in a build tree of its own
# (same sources, same ccache):
#   1. configure and build it; QEMU's command line has no -initrd;
#   2. run that tree's boot tests (ctest -L boot): every one passes with the embedded initramfs;
#   3. change a file of the root filesystem (an overlay) and rebuild: kbuild's output shows that
#      only usr/ (the initramfs) and the final link ran (with the image wrapper around vmlinux),
#      no other C file compiled; the guest sees the new file. The rebuild's wall time is printed;
#   4. edit a fragment of the tree (its `# kdk-cmdline:` line) and build: cmake runs again by
#      itself, and the guest's /proc/cmdline has the new words.
# The kernel's output directory starts as a copy of the outer tree's (nested_seed_objtree,
# nested_keep_objtool), so the tree does not compile the kernel again: its kernel build is the
# configuration, usr/ and the links. (BusyBox is built again, through ccache: its generated
# headers change with any configuration run.)
# usage: embedded.sh TOP ARCH LINUX_SOURCE_DIR BUSYBOX_SOURCE_DIR FRAGMENT,FRAGMENT... ON|OFF OUTER_BUILD [KDK_KUNIT]
#   (ON|OFF: KDK_TEST_FIXTURES, as in the tree that runs this test; OUTER_BUILD: that tree;
#   KDK_KUNIT: the outer tree's, so that the kernel's configuration, and its objects, are the same)
set -euo pipefail
top=$1 arch=$2 linux=$3 busybox=$4 fragments=${5//,/;} fixtures=$6 outer=$7 kunit=${8:-}; kunit=${kunit//,/;}
work=$PWD
rm -rf "$work/build" "$work/overlay"
mkdir -p "$work/overlay/etc"
echo "first" > "$work/overlay/etc/kdk-embedded"
printf '# A fragment of this test: only a kernel command line.\n# kdk-cmdline: kdk.fragment=first\n' > "$work/cmdline.config"
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
source "$(dirname "$0")/nested.sh"
outer_linux=$linux
linux=$(nested_source "$work/build" linux "$linux")
busybox=$(nested_source "$work/build" busybox "$busybox")
nested_seed_objtree "$outer/$arch/linux" "$work/build/$arch/linux" "$outer_linux" "$linux"
nested_before_build() { nested_keep_objtool "$work/build/$arch/kdk.env" "$outer/$arch/linux"; }

step "configure (KDK_INITRAMFS=embedded) and build $arch"
nested_build "$top" "$work/build" -DKDK_INITRAMFS=embedded -DKDK_ARCHES="$arch" -DKDK_TEST_FIXTURES="$fixtures" \
  -DKDK_LINUX_SOURCE="$linux" -DKDK_BUSYBOX_SOURCE="$busybox" -DKDK_LINUX_PRESET_FRAGMENTS="$fragments" \
  -DKDK_ROOTFS_OVERLAYS="$work/overlay" -DKDK_LINUX_FRAGMENTS="$work/cmdline.config" -DKDK_KUNIT="$kunit"
echo "first build: $build_seconds s"

env_file="$work/build/$arch/kdk.env"
source "$(dirname "$0")/lib.sh"  # the tree's kdk.env, qemu_command
[ -z "$INITRAMFS" ] || fail "kdk.env still names an initramfs for -initrd: $INITRAMFS"
qemu_command
if printf '%s\n' "${qemu[@]}" | grep -x -- -initrd > /dev/null; then fail "QEMU gets -initrd: ${qemu[*]}"; fi
grep -q '^CONFIG_INITRAMFS_SOURCE="../initramfs.cpio"$' "$LINUX_BUILD_DIR/.config" \
  || fail "CONFIG_INITRAMFS_SOURCE is not the packed root filesystem"

step "the boot tests of the embedded tree"
nested_ctest "$work/build" -L boot -LE 'kunit|bisect|kselftest'

boot_marker() {
  qemu_command 'kdk.run="cat /etc/kdk-embedded /proc/cmdline"'
  "$KDK" boot --quiet --log "$work/serial-$1.log" --timeout 300 --expect "^$1\$" --expect "kdk.fragment=${2:-first}( |\$)" \
    --expect '^kdk-exit-status: 0$' -- "${qemu[@]}" \
    || fail "the guest does not see /etc/kdk-embedded = $1 and kdk.fragment=${2:-first} on its command line"
}
boot_marker first

step "change a root filesystem file, rebuild"
echo "second" > "$work/overlay/etc/kdk-embedded"
start=$(date +%s.%N)
cmake --build "$work/build" > rebuild.log 2>&1 || { tail -50 rebuild.log; fail "the rebuild failed"; }
seconds=$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')
grep -E '^ +(CC|CC \[M\]|AS|AR|LD|COPY|GEN|OBJCOPY|GZIP|ZSTD|XZKERN|KSYMS|SYSMAP|BUILD|MODPOST|HOSTCC) ' rebuild.log > kbuild-steps.log || true
# Allowed: the link's own version-timestamp.o, and the image wrapper (arch/*/boot/, e.g. x86's
# compressed/misc.o, which depends on vmlinux's size); kbuild rebuilds those after any vmlinux link.
compiled=$(grep -E '^ +CC( \[M\])? ' kbuild-steps.log | grep -Ev 'init/version-timestamp\.o|arch/[^/]+/boot/' || true)
[ -z "$compiled" ] || { cat kbuild-steps.log; fail "a root filesystem change recompiled C files:"$'\n'"$compiled"; }
grep -Eq ' usr/initramfs_inc_data$' kbuild-steps.log || { cat kbuild-steps.log; fail "kbuild did not regenerate usr/initramfs_inc_data"; }
# Kernels after 6.12 link vmlinux.unstripped and strip it into vmlinux; older ones link vmlinux.
grep -Eq '^ +LD +vmlinux(\.unstripped)?$' kbuild-steps.log || { cat kbuild-steps.log; fail "vmlinux was not relinked"; }
[ "$(grep -Ec '^ +LD +vmlinux(\.unstripped)?$' kbuild-steps.log)" = 1 ] || { cat kbuild-steps.log; fail "vmlinux was linked more than once"; }
echo "kbuild's steps after the root filesystem change:"
sed 's/^/  /' kbuild-steps.log
boot_marker second

step "edit a fragment's kdk-cmdline line, build: the kernel command line follows"
sed -i 's/kdk.fragment=first/kdk.fragment=second/' "$work/cmdline.config"
cmake --build "$work/build" > refragment.log 2>&1 || { tail -50 refragment.log; fail "the build after a fragment edit failed"; }
grep -q 'Re-running CMake' refragment.log || { cat refragment.log; fail "editing a fragment did not re-run cmake"; }
grep -q "kdk.fragment=second" "$env_file" || fail "kdk.env still has the old command line after a fragment edit"
boot_marker second second
echo "ok: embedded initramfs: boot tests pass; a root filesystem change rebuilt only usr/ and the link, in $seconds s; a fragment edit reached the kernel command line"
