#!/usr/bin/env bash
# A board whose device tree was not built: a boot (qemu.sh, as every boot target and test runs it)
# stops before QEMU, naming the .dtb and the Kconfig option that builds it, both when the
# kernel's .config lacks that option and when it has it but the .dtb is not there (yet). The
# real build tree is not touched: a copy of kdk.env points at a scratch kernel build directory.
# usage: dtb_missing.sh ENV
source "$(dirname "$0")/lib.sh"
env_file=$1
source "$env_file"
[ -n "$DTB" ] || { echo "SKIP: the $KDK_ARCH profile has no DTB"; exit 77; }
mkdir -p "$T/linux"
sed "s|^LINUX_BUILD_DIR=.*|LINUX_BUILD_DIR='$T/linux'|" "$env_file" > "$T/kdk.env"
qemu_sh="$TOP/cmake/scripts/qemu.sh"
grep -v "^$DTB_CONFIG=" "$LINUX_BUILD_DIR/.config" > "$T/linux/.config"
echo "# $DTB_CONFIG is not set" >> "$T/linux/.config"
before=$(find "$T/linux" | sort)
expect_failure "a .config without $DTB_CONFIG" bash "$qemu_sh" command "$T/kdk.env"
expect_output "the device tree $DTB was not built: the $KDK_ARCH kernel's .config ($T/linux/.config) does not set $DTB_CONFIG=y, which builds it"
echo "$DTB_CONFIG=y" >> "$T/linux/.config"
expect_failure "a .dtb not built yet" bash "$qemu_sh" command "$T/kdk.env"
expect_output "the device tree $DTB was not built under $T/linux/arch/$SRCARCH/boot/dts ($DTB_CONFIG=y builds it with make dtbs): run ninja linux-$KDK_ARCH"
[ "$(find "$T/linux" | sort)" = "$before" ] || { echo "FAIL: a refused boot wrote into $T/linux: $(find "$T/linux")"; exit 1; }
echo "ok: $KDK_ARCH: a missing $DTB is named with $DTB_CONFIG, whether the option is off or the file not built"
