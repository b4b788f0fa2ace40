#!/usr/bin/env bash
# kunit.<arch>.crash: KUnit suites that fail, oops or hang, on the real kernel under QEMU. The
# fixture modules kdk_kunit_MODE (tests/kunit) hold the suite "kdk-fixture"; /init loads one after
# the built-in suites ran at boot. For each mode, the verdict comes from kunit.sh check, what
# kunit.<arch>.<suite> runs:
#   fail  the suite fails, naming the case kdk_fixture_expect and KUnit's message;
#   oops  kdk_fixture_crash writes through NULL. Before Linux 6.9 (oops=panic) the kernel panics in
#         case 3 of 4: the suite is INCOMPLETE with the crash line and case 3 located. Since 6.9
#         KUnit catches the fault: the case fails. Either way the trace is decoded to
#         kdk_kunit_fixture.c's NULL write;
#   hang  kdk_fixture_crash says it hangs and never returns; the run is ended a moment later, as a
#         timeout ends one: INCOMPLETE, the log ends at case 3;
# and every time, the built-in suites that ran before still pass, from the same log.
# usage: kunit_crash.sh ENV MODE...
set -euo pipefail
env_file=$1
shift
source "$(dirname "$0")/lib.sh"
kunit_sh="$(dirname "$0")/../../cmake/scripts/kunit.sh"
fixture_c="$(cd "$(dirname "$0")/../kunit" && pwd)/kdk_kunit_fixture.c"
mapfile -t builtin < "$STATE_DIR/kunit/suites.txt"
[ ${#builtin[@]} -gt 0 ] || fail "no built-in suites listed in $STATE_DIR/kunit/suites.txt"

for mode in "$@"; do
  rm -rf "$mode" && mkdir "$mode" && cd "$mode"
  args=("kdk.run=\"modprobe kdk_kunit_$mode\"" kunit.enable=1)
  timeout=300
  # Since 6.9 KUnit catches a faulting case and goes on (its own kunit_fault suite proves it at
  # every KUnit boot), so oops=panic would panic in that suite first; there the oops is caught and
  # fails its case. Before, a fault kills the case's thread and only a panic ends the suite.
  caught=0
  if grep -qx kunit_fault "$STATE_DIR/kunit/suites.txt"; then caught=1; fi
  [ "$mode" != oops ] || [ "$caught" = 1 ] || args+=(oops=panic)
  qemu_command "${args[@]}"
  echo "== mode=$mode: ${args[*]}"
  status=0
  if [ "$mode" = hang ]; then
    # The guest hangs for good: once the case says it hangs, and a moment more, the run is ended
    # from outside, as a timeout would end it (kdk boot's guardian takes QEMU with it).
    "$KDK" boot --quiet --keep-going --timeout "$timeout" --log "$PWD/serial.log" -- "${qemu[@]}" > boot.out 2>&1 &
    boot=$!
    for ((i = 0; i < timeout * 2; i++)); do
      ! grep -q 'kdk_fixture_crash: hanging now' serial.log 2> /dev/null || break
      sleep 0.5
    done
    grep -q 'kdk_fixture_crash: hanging now' serial.log || { kill $boot; cat boot.out; fail "mode=hang: the case never said it hangs"; }
    sleep 3
    kill $boot
    wait $boot || status=$?
  else
    "$KDK" boot --quiet --keep-going --timeout "$timeout" --log "$PWD/serial.log" -- "${qemu[@]}" > boot.out 2>&1 || status=$?
  fi
  # kdk boot judges the kernel (a crash, a timeout), not KUnit's verdicts: those are ktap check's.
  [ "$mode" = fail ] || [ "$status" -ne 0 ] || { cat boot.out; fail "mode=$mode: the boot passed"; }
  status=0
  bash "$kunit_sh" check "$env_file" "$PWD" kdk-fixture > verdict.out 2>&1 || status=$?
  cat verdict.out
  [ "$status" -eq 1 ] || fail "mode=$mode: kunit.sh check kdk-fixture exited $status, not 1"
  case $mode in
    fail)
      grep -q '^FAIL  *kdk-fixture: 1 of 4 cases' verdict.out || fail "mode=fail: no 'FAIL kdk-fixture: 1 of 4 cases'"
      grep -q 'FAIL kdk-fixture.kdk_fixture_expect' verdict.out || fail "mode=fail: the failing case is not named"
      grep -q 'the expectation mode=fail breaks' verdict.out || fail "mode=fail: KUnit's message is not shown"
      ;;
    oops)
      if [ "$caught" = 1 ]; then
        grep -q '^FAIL  *kdk-fixture: 1 of 4 cases' verdict.out || fail "mode=oops (caught): no 'FAIL kdk-fixture: 1 of 4 cases'"
        grep -q 'FAIL kdk-fixture.kdk_fixture_crash' verdict.out || fail "mode=oops (caught): the faulting case is not named"
      else
        grep -q '^INCOMPLETE  *kdk-fixture' verdict.out || fail "mode=oops: the suite is not INCOMPLETE"
        grep -q 'the kernel crashed: .*\(Oops\|Unable to handle\|BUG: \|Kernel panic\)' verdict.out \
          || fail "mode=oops: the crash line is not named"
        grep -q "case 3 of 4 never reported a result (it follows 'kdk_fixture_expect')" verdict.out \
          || fail "mode=oops: the case that crashed is not located"
      fi
      # Decoded into kdk_fixture_crash: the NULL write's line, or (as some compilers attribute the
      # store) one of the function's lines before it.
      first=$(grep -n '^static void kdk_fixture_crash' "$fixture_c" | cut -d: -f1)
      line=$(grep -n 'WRITE_ONCE(\*kdk_kunit_fixture_target' "$fixture_c" | cut -d: -f1)
      # decode_stacktrace.sh's lines name the function; it gives its file:line where addr2line
      # finds one (not for this composite module built with clang 19, which prints ??:?).
      grep -Eq 'kdk_fixture_crash \(' verdict.out || fail "mode=oops: no decoded line in kdk_fixture_crash"
      decoded=$(sed -nE 's/.*kdk_fixture_crash \([^ ]*kdk_kunit_fixture\.c:([0-9]+)\).*/\1/p' verdict.out | head -1)
      if [ "$LINUX_TOOLCHAIN" != llvm ] || [ -n "$decoded" ]; then
        [ -n "$decoded" ] && [ "$decoded" -ge "$first" ] && [ "$decoded" -le "$line" ] \
          || fail "mode=oops: the trace is not decoded into kdk_fixture_crash (kdk_kunit_fixture.c:$first-$line)"
      fi
      ;;
    hang)
      grep -q '^INCOMPLETE  *kdk-fixture' verdict.out || fail "mode=hang: the suite is not INCOMPLETE"
      grep -q "the log ends .*case 3 of 4 never reported a result" verdict.out || fail "mode=hang: the case that hung is not located"
      ;;
  esac
  # The suites that ran before stand: each passes, from this same log.
  for s in "${builtin[@]}"; do
    bash "$kunit_sh" check "$env_file" "$PWD" "$s" > builtin.out 2>&1 \
      || { cat builtin.out; fail "mode=$mode: the built-in suite $s did not pass in the same log"; }
  done
  echo "ok: mode=$mode: kdk-fixture failed as it should; the ${#builtin[@]} built-in suites passed in the same log"
  cd ..
done
