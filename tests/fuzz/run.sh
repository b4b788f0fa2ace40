#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS each (default 60) from the seed corpus, and prints the
# runs and crashes of each. A crash leaves its input under build/fuzz/crashes/<target>/; fix it
# and add the input to the target's regression corpus under tests/fuzz/regressions/.
# usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   (targets: initlist inittab fstab archive extract boot_monitor ktap kunit_suites; default all)
set -euo pipefail
seconds=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(initlist inittab fstab archive extract boot_monitor ktap kunit_suites)
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build="$top/build/fuzz"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
status=0
for target in "${targets[@]}"; do
  work="$build/work/$target" crashes="$build/crashes/$target"
  mkdir -p "$work" "$crashes"
  seeds=("$here/corpus/$target")
  [ -d "$here/regressions/$target" ] && seeds+=("$here/regressions/$target")
  log="$build/$target.log"
  set +e
  "$build/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -artifact_prefix="$crashes/" -print_final_stats=1 \
    "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  found=$(find "$crashes" -type f | wc -l)
  printf '%-9s %10s runs in %ss, %s crash(es)\n' "$target" "${runs:-?}" "$seconds" "$found"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then status=1; tail -30 "$log"; fi
done
exit $status
