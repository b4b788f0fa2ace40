#!/usr/bin/env bash
# A kernel module whose source does not compile: the build of it fails with the compiler's
# message (file:line: error) and the module's name, through the same script that
# kdk_add_kernel_module's targets run, against the real built kernel. Nothing outside the
# module's own build directory is written.
# usage: module_compile.sh ENV
source "$(dirname "$0")/lib.sh"
env_file=$1
source "$env_file"
cat > "$T/kdk_broken.c" <<'SRC'
#include <linux/module.h>
static int __init kdk_broken_init(void)
{
	return no_such_function();
}
module_init(kdk_broken_init);
MODULE_LICENSE("GPL");
SRC
before=$(find "$MODULES_ROOTFS" -newer "$env_file" | wc -l)
expect_failure "broken module" bash "$TOP/cmake/scripts/kernel-module.sh" build "$env_file" kdk_broken "$T/build" "$T/kdk_broken.c"
expect_output "no_such_function"
expect_output "error: implicit declaration of function"
expect_output "$T/kdk_broken.c:4:16: error"
expect_output "kdk: error: kernel module 'kdk_broken' failed to build for $KDK_ARCH"
[ ! -e "$T/build/kdk_broken.ko" ] || { echo "FAIL: a kdk_broken.ko was left behind"; exit 1; }
[ "$(find "$MODULES_ROOTFS" -newer "$env_file" | wc -l)" = "$before" ] || { echo "FAIL: $MODULES_ROOTFS changed"; exit 1; }
echo "ok: the broken module's build failed naming kdk_broken and the compiler's error"
