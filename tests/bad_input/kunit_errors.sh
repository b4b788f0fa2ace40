#!/usr/bin/env bash
# KUnit mistakes, against this build's real kernel and a real KUnit log:
#   - a suite glob (KDK_KUNIT) that matches no suite built into vmlinux: named, with the closest
#     suite and the list of those there are (what the kunit-suites-<arch> build step prints);
#   - a kunitconfig that asks for a test option the tree does not have: FILE:LINE and the closest
#     symbol (kconfig verify, which the kernel's configuration step runs on every kunitconfig);
#   - KTAP cut short at every line of the real log, a log without KTAP, a malformed plan, a
#     result numbered out of order: each a failure that says why, never a pass;
#   - a glob that matches no suite of a log.
# usage: kunit_errors.sh ENV SRCARCH KUNIT_DIR (KUNIT_DIR: kunit.<arch>.boot's, with serial.log)
source "$(dirname "$0")/lib.sh"
source "$1"
srcarch=$2
log=$3/serial.log
[ -s "$log" ] || { echo "FAIL: no KUnit log $log (kunit.$KDK_ARCH.boot runs first)"; exit 1; }

expect_failure "unknown suite glob" "$KDK" ktap suites --match lst-kunit-test "$LINUX_BUILD_DIR/vmlinux"
expect_output "kdk: $LINUX_BUILD_DIR/vmlinux: no suite built into it matches 'lst-kunit-test' (did you mean 'list-kunit-test'?); there are "
expect_output " example "

printf '# my suites\nCONFIG_KUNIT=y\nCONFIG_LIST_KUNT_TEST=y\n' > "$T/my.kunitconfig"
expect_failure "unknown test option" "$KDK" kconfig verify --kconfig-root "$LINUX_SOURCE_DIR" --arch "$srcarch" \
  "$LINUX_BUILD_DIR/.config" "$T/my.kunitconfig"
expect_output "kdk: $T/my.kunitconfig:3: CONFIG_LIST_KUNT_TEST=y did not stick: the final .config has it unset; no Kconfig file defines LIST_KUNT_TEST (did you mean 'CONFIG_LIST_KUNIT_TEST'?)"

expect_failure "a log glob that matches nothing" "$KDK" ktap check --suite 'lst-*' "$log"
expect_output "no suite in the log matches 'lst-*'"

# The real log cut after each of its lines from the first KTAP line on: no cut passes.
first=$(grep -n 'KTAP version' "$log" | head -1 | cut -d: -f1)
last=$(grep -n '^ok [0-9]' "$log" | tail -1 | cut -d: -f1)
total=$(wc -l < "$log")
cuts=0
for ((n = first; n < last; n++)); do
  head -n "$n" "$log" > "$T/cut.log"
  if "$KDK" ktap check "$T/cut.log" > "$T/out" 2>&1; then
    cat "$T/out"; echo "FAIL: the log cut after line $n of $total passed"; exit 1
  fi
  cuts=$((cuts + 1))
done
head -n "$((last - 8))" "$log" > "$T/cut.log"
expect_failure "cut short" "$KDK" ktap check "$T/cut.log"
expect_output "INCOMPLETE"
expect_output "never reported a result"

grep -v 'KTAP version' "$log" > "$T/none.log"
expect_failure "no KTAP" "$KDK" ktap check "$T/none.log"
expect_output "no KTAP or TAP output"

# The last suite's plan raised by one: planned N+1, has N.
plan_line=$(grep -n '^    1\.\.[0-9]' "$log" | tail -1 | cut -d: -f1)
awk -v l="$plan_line" 'NR == l { sub(/1\.\./, ""); printf "    1..%d\n", $1 + 1; next } { print }' "$log" > "$T/plan.log"
expect_failure "plan not met" "$KDK" ktap check "$T/plan.log"
expect_output "tests, has"

# A case numbered out of order.
sed '0,/^    ok 2 /s//    ok 7 /' "$log" > "$T/number.log"
expect_failure "number out of order" "$KDK" ktap check "$T/number.log"
expect_output "test number 7 where 2 was expected"
echo "ok: unknown suite and option named with suggestions; $cuts cuts of the real log, no KTAP, a wrong plan and a wrong number all fail"
