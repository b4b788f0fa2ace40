#!/usr/bin/env bash
# bench.compare_metrics: bench/compare-metrics on metrics that `kdk boot --metrics` itself wrote,
# for runs that differ in one figure each: a slower boot beyond the threshold and beyond the noise
# floor is flagged (exit 1), one within the floor is not, a grown image is, a test that failed
# after passing is, identical runs pass (exit 0), and a corrupt or missing metrics file is an
# error that names it (exit 2).
# usage: compare_metrics.sh KDK
set -euo pipefail
kdk=$1
compare="$(cd "$(dirname "$0")/../.." && pwd)/bench/compare-metrics"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

# run DIR UPTIME IMAGE_BYTES [passes|fails]: one boot test's metrics, from kdk boot.
run() {
  mkdir -p "$1/boot.x86_64.shell"
  head -c "$3" /dev/zero > "$work/image.$3"
  local end='echo kdk-exit-status: 0'
  [ "${4:-passes}" = passes ] || end='echo kdk-exit-status: 1'
  "$kdk" boot --quiet --metrics "$1/boot.x86_64.shell/boot-metrics.json" --size kernel_image="$work/image.$3" \
    -- sh -c "echo 'kdk: booted in $2 s (6.1.0)'; $end" > /dev/null 2>&1 || [ "${4:-passes}" = fails ]
}
# expect STATUS PATTERN BEFORE AFTER: compare-metrics exits STATUS and prints a line matching PATTERN.
expect() {
  local status=0 out
  out=$("$compare" "$3" "$4" 2>&1) || status=$?
  [ "$status" = "$1" ] || fail "compare-metrics $3 $4 exited $status, not $1:"$'\n'"$out"
  grep -E -- "$2" <<< "$out" > /dev/null || fail "compare-metrics $3 $4 did not print /$2/:"$'\n'"$out"
  echo "ok: $3 -> $4: exit $status, /$2/"
}

run base 0.80 100000
run same 0.80 100000
run slow 1.20 100000
run quick 0.10 100000
run noise 0.14 100000
run big 0.80 120000
run failed 0.80 100000 fails
expect 0 'compared, 0 regression' base same
mkdir -p same/src/linux/tools/perf && echo '[{"MetricName": "x"}]' > same/src/linux/tools/perf/boot-metrics.json
expect 0 '4 figures of 1 tests compared, 0 regression' base same  # a source tree's file is not read
expect 1 'guest_uptime_s +0\.8 +1\.2 +\+50\.0%  REGRESSION' base slow
expect 0 'guest_uptime_s +0\.1 +0\.14 +\+40\.0%$' quick noise  # 40 %, but 0.04 s: noise
expect 1 'kernel_image_bytes +100000 +120000 +\+20\.0%  REGRESSION' base big
expect 1 'passed +true +false  REGRESSION' base failed
out=$("$compare" base slow 2>&1 || true)
grep -E 'wall_s' <<< "$out" > /dev/null || fail "wall_s is not compared: $out"

printf '{"format": "kdk-boot-metrics 1", "passed": tr' > same/boot.x86_64.shell/boot-metrics.json
expect 2 "same/boot.x86_64.shell/boot-metrics.json: cannot read the metrics" base same
mkdir empty
expect 2 'empty: no boot-metrics.json under it' base empty
expect 2 'nowhere: not a directory' base nowhere
