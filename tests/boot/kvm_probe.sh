#!/usr/bin/env bash
# kvm.<arch>.probe: the KVM decision is a probe guest of a few instructions, made once per host
# boot and QEMU binary, shared by concurrent boots, and bounded in time.
#   1. the probe guest itself is sound: under TCG it ends QEMU with the status the probe expects
#      (x86_64, arm64 and riscv64 hosts have one; others never use KVM under auto);
#   2. with an empty cache, four concurrent decisions probe once and agree; the answer is the
#      probe guest's under KVM (this host: an aborting or hanging /dev/kvm means tcg, with why);
#   3. a second decision does not probe again; KDK_KVM=off decides tcg without probing.
# usage: kvm_probe.sh ENV_FILE
set -euo pipefail
env_file=$1
source "$env_file"
qemu_sh="$(cd "$(dirname "$0")/../../cmake/scripts" && pwd)/qemu.sh"
fail() { echo "FAIL: $*"; exit 1; }
work=$PWD
rm -rf "$work/cache"
# The tree's facts with KDK_KVM as this test sets it.
with_kvm() { sed "s/^KDK_KVM=.*/KDK_KVM='$1'/" "$env_file" > "$work/kdk-$1.env"; echo "$work/kdk-$1.env"; }
auto_env=$(with_kvm auto)

echo "== the probe guest under TCG"
guest=$(bash "$qemu_sh" probe-guest "$auto_env" tcg)
echo "   $guest"
case $KVM_HOST in
  x86_64|aarch64|riscv64) [ "$guest" = ok ] || fail "the $KVM_HOST probe guest does not end QEMU as expected under TCG: $guest" ;;
  *) [[ $guest == "kdk has no probe guest"* ]] || fail "unexpected: $guest" ;;
esac

echo "== four concurrent decisions with an empty cache"
for i in 1 2 3 4; do
  ( start=$(date +%s.%N)
    XDG_CACHE_HOME="$work/cache" bash "$qemu_sh" accel "$auto_env" > "$work/accel-$i.out" 2> "$work/accel-$i.err"
    echo "$(date +%s.%N) - $start" | bc > "$work/accel-$i.time" ) &
done
wait
probes=$(cat "$work"/accel-*.err | grep -c 'probing KVM' || true)
answers=$(sort -u "$work"/accel-*.out)
echo "   answer: $answers"
printf '   seconds: %s\n' "$(cat "$work"/accel-*.time | tr '\n' ' ')"
[ "$(echo "$answers" | wc -l)" = 1 ] || fail "the concurrent decisions differ: $answers"
if [ "$(uname -m)" = "$KVM_HOST" ] && [ -w /dev/kvm ]; then
  [ "$probes" = 1 ] || fail "$probes probes ran for four concurrent decisions (want 1)"
  direct=$(bash "$qemu_sh" probe-guest "$auto_env" kvm)
  if [ "$direct" = ok ]; then
    [ "$answers" = kvm ] || fail "the probe guest runs under KVM, but the decision is: $answers"
  else
    [[ $answers == "tcg: KVM is present, but a probe guest failed with it:"* ]] || fail "the probe guest fails under KVM ($direct), but the decision is: $answers"
  fi
else
  [ "$probes" = 0 ] || fail "probed KVM on a host that cannot run it"
  [ "$answers" = tcg ] || fail "no usable KVM here, but the decision is: $answers"
fi

echo "== the answer is kept: no second probe"
again=$(XDG_CACHE_HOME="$work/cache" bash "$qemu_sh" accel "$auto_env" 2> "$work/again.err")
[ "$again" = "$answers" ] || fail "the second decision differs: $again"
! grep -q 'probing KVM' "$work/again.err" || fail "the second decision probed again"

echo "== KDK_KVM=off: tcg, without probing"
rm -rf "$work/cache"
off=$(XDG_CACHE_HOME="$work/cache" bash "$qemu_sh" accel "$(with_kvm off)" 2> "$work/off.err")
[ "$off" = tcg ] || fail "KDK_KVM=off decided: $off"
[ ! -e "$work/cache/kdk/kvm" ] || fail "KDK_KVM=off probed"
echo "PASS"
