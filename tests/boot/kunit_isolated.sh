#!/usr/bin/env bash
# kunit.<arch>.isolated: KDK_KUNIT_ISOLATED's way of running a suite (kunit.sh isolated, what each
# suite's test runs in such a tree): a boot of its own with kunit.filter_glob=SUITE, for the last
# suite of the list, whose log holds that suite, passed, and no other.
# usage: kunit_isolated.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
kunit_sh="$(dirname "$0")/../../cmake/scripts/kunit.sh"
mapfile -t suites < "$STATE_DIR/kunit/suites.txt"
[ ${#suites[@]} -ge 2 ] || fail "this test needs two suites or more in $STATE_DIR/kunit/suites.txt"
suite=${suites[-1]}
bash "$kunit_sh" isolated "$env_file" "$PWD" "$suite" > isolated.out 2>&1 || { cat isolated.out; fail "kunit.sh isolated $suite failed"; }
cat isolated.out
grep -q "kunit.filter_glob=$suite" isolated.out || fail "the boot did not filter on $suite"
log="$PWD/$suite/serial.log"
names=$(grep -E '^ok [0-9]+ |^not ok [0-9]+ ' "$log" | tr -d '\r' | sed -E 's/^(not )?ok [0-9]+ //')
[ "$names" = "$suite" ] || fail "the isolated boot ran other suites too: $(echo $names)"
echo "ok: $suite ran alone in its boot and passed"
