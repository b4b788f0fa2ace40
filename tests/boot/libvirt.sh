#!/usr/bin/env bash
# libvirt.<arch>.validate: ninja libvirt-<arch> writes <arch>/libvirt/kdk-<arch>.xml; libvirt's
# own schema accepts it (virt-xml-validate, Debian's libvirt-clients; skipped without it); it
# boots what `ninja run` boots (machine, CPU, memory, kernel, initramfs or disk, device tree,
# command line, as qemu.sh command gives them) and has the gdb stub on 127.0.0.1 only.
# libvirt.<arch>.session (with `session`): an unprivileged qemu:///session libvirt defines the
# domain, starts it paused, gdb (ninja gdb's command line) runs it to start_kernel and detaches,
# and the guest boots to its shell; then the domain is destroyed and undefined. As root the
# session is nobody's (setpriv), in a home and runtime directory of the test's; the console log
# moves there too, as nobody cannot write the build tree. Skipped without libvirt's daemon.
# usage: libvirt.sh ENV validate|session
set -euo pipefail
env_file=$1 what=$2
source "$(dirname "$0")/lib.sh"
build=$(dirname "$STATE_DIR")
xml="$STATE_DIR/libvirt/kdk-$KDK_ARCH.xml"
validate=${VIRT_XML_VALIDATE:-virt-xml-validate}  # (bad.libvirt_tools names a missing one)
if ! command -v "$validate" > /dev/null; then
  echo "SKIP: $validate is missing: apt-get install libvirt-clients"
  exit 77
fi
ninja -C "$build" "libvirt-$KDK_ARCH" > libvirt.out 2>&1 || fail "ninja libvirt-$KDK_ARCH failed: $(cat libvirt.out)"
"$validate" "$xml" domain || fail "libvirt's schema refuses $xml"
qemu_command
printf '%s\n' "${qemu[@]}" > qemu-command.txt
python3 - "$xml" qemu-command.txt "$GDB_PORT" <<'PY' || fail "$xml does not boot what ninja run boots"
import sys, xml.etree.ElementTree as ET
dom = ET.parse(sys.argv[1]).getroot()
argv = open(sys.argv[2]).read().split('\n')
port = sys.argv[3]
def opt(name):
    return argv[argv.index(name) + 1] if name in argv else None
def check(what, got, want):
    if got != want:
        sys.exit('{}: the domain has {!r}, ninja run {!r}'.format(what, got, want))
os_ = dom.find('os')
check('machine', os_.find('type').get('machine'), opt('-machine'))
cpu = dom.find('cpu')
check('cpu', 'max' if cpu.get('mode') == 'maximum' else cpu.findtext('model'), opt('-cpu'))
mem = opt('-m')
check('memory (MiB)', dom.findtext('memory'), str(int(mem[:-1]) * (1024 if mem.endswith('G') else 1)))
check('kernel', os_.findtext('kernel'), opt('-kernel'))
check('initrd', os_.findtext('initrd'), opt('-initrd'))
check('dtb', os_.findtext('dtb'), opt('-dtb'))
check('command line', os_.findtext('cmdline'), opt('-append'))
check('on_reboot (-no-reboot)', dom.findtext('on_reboot'), 'destroy')
args = [a.get('value') for a in dom.iter('{http://libvirt.org/schemas/domain/qemu/1.0}arg')]
check('gdb stub', args, ['-gdb', 'tcp:127.0.0.1:' + port])
check('emulator', dom.find('devices').findtext('emulator').rsplit('/', 1)[-1], argv[0].rsplit('/', 1)[-1])
PY
echo "ok: $KDK_ARCH: $xml validates (virt-xml-validate) and boots what ninja run boots, gdb stub on 127.0.0.1:$GDB_PORT"
[ "$what" = session ] || exit 0

# The session: nobody's when this runs as root.
for tool in virsh libvirtd; do
  command -v "$tool" > /dev/null || PATH=$PATH:/usr/sbin command -v "$tool" > /dev/null \
    || { echo "SKIP: $tool is missing: apt-get install libvirt-daemon-driver-qemu libvirt-daemon libvirt-clients"; exit 77; }
done
rm -rf session && mkdir session && chmod 755 session
# The session's home and runtime directory: short, as libvirt puts unix sockets there.
short=$(mktemp -d "${TMPDIR:-/tmp}/kdk-libvirt.XXXXXX")
chmod 755 "$short"
runas=()
if [ "$(id -u)" = 0 ]; then
  install -d -o 65534 -g 65534 -m 700 "$short/home" "$short/run"
  install -d -o 65534 -g 65534 -m 755 session/log
  runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
  install -d -m 700 "$short/home" "$short/run"
  install -d -m 755 session/log
fi
virsh() { "${runas[@]}" env -i PATH=/usr/bin:/bin:/usr/sbin HOME="$short/home" XDG_RUNTIME_DIR="$short/run" \
          virsh -c qemu:///session "$@"; }
name=$(sed -n 's|^  <name>\(.*\)</name>$|\1|p' "$xml")
sed "s|<log file='[^']*'|<log file='$PWD/session/log/serial.log'|" "$xml" > session/domain.xml
cleanup() {
  virsh destroy "$name" > /dev/null 2>&1 || true
  virsh undefine "$name" > /dev/null 2>&1 || true
  for daemon in libvirtd virtlogd; do
    pid=$(cat "$short/run/libvirt/$daemon.pid" 2>/dev/null) && kill "$pid" 2>/dev/null || true
  done
  rm -rf "$short"
}
trap cleanup EXIT
virsh define session/domain.xml > session/define.out 2>&1 || fail "virsh define failed: $(cat session/define.out)"
virsh start --paused "$name" > session/start.out 2>&1 || fail "virsh start --paused failed: $(cat session/start.out)"
wait_for_listener "$GDB_PORT" || fail "the domain's gdb stub is not on 127.0.0.1:$GDB_PORT"
gdb_command qemu "$GDB_PORT"
timeout 300 "${gdb[0]}" -batch -nx "${gdb[@]:1}" -ex "bt 1" -ex "detach" > gdb.log 2>&1 || fail "gdb failed"
grep -E '^#0 +start_kernel \(.*\) at .*init/main\.c:[0-9]+' gdb.log > /dev/null || fail "gdb did not stop at start_kernel"
for _ in $(seq 600); do
  tr -d '\r' < session/log/serial.log 2>/dev/null | grep -E '^kdk: booted in' > /dev/null && break
  sleep 0.1
done
tr -d '\r' < session/log/serial.log | grep -E '^kdk: booted in' > /dev/null \
  || fail "the libvirt guest did not boot to kdk's /init after gdb detached: $(tail -5 session/log/serial.log)"
echo "ok: $KDK_ARCH: qemu:///session ($(if [ ${#runas[@]} -gt 0 ]; then echo "as nobody"; else id -un; fi)) defined $name, started it paused, gdb stopped at $(grep -oE 'init/main\.c:[0-9]+' gdb.log | head -1), and the guest booted: $(tr -d '\r' < session/log/serial.log | grep -m1 '^kdk: booted')"
