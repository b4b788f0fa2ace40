#!/usr/bin/env bash
# libvirt's tools missing: the libvirt test skips (CTest's code 77) naming the package, before
# it writes anything: no domain file appears.
# usage: libvirt_tools.sh ENV
source "$(dirname "$0")/lib.sh"
env_file=$1
source "$env_file"
xml="$STATE_DIR/libvirt/kdk-$KDK_ARCH.xml"
before=$(stat -c '%Y %s' "$xml" 2>/dev/null || echo none)
status=0
(cd "$T" && VIRT_XML_VALIDATE=kdk-no-virt-xml-validate bash "$TOP/tests/boot/libvirt.sh" "$env_file" validate) > "$T/out" 2>&1 || status=$?
[ "$status" = 77 ] || { cat "$T/out"; echo "FAIL: the libvirt test did not skip (status $status)"; exit 1; }
expect_output "SKIP: kdk-no-virt-xml-validate is missing: apt-get install libvirt-clients"
[ "$(stat -c '%Y %s' "$xml" 2>/dev/null || echo none)" = "$before" ] || { echo "FAIL: the skipped test wrote $xml"; exit 1; }
echo "ok: without virt-xml-validate the libvirt test skips, naming libvirt-clients, and writes nothing"
