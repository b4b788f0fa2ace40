#!/usr/bin/env bash
# KUnit runs of one architecture (cmake/KdkKunit.cmake): a boot of the kernel with its built-in
# suites (kunit_shutdown=reboot ends it once they ran), and the verdict `kdk ktap check` reads
# from its serial log.
# usage: kunit.sh run ENV DIR all        ninja kunit-<arch>: boot into DIR, check every suite, JUnit file
#        kunit.sh boot ENV DIR           kunit.<arch>.boot: the same boot for CTest; fails only when
#                                        no run happened (the suites' own tests judge the output)
#        kunit.sh check ENV DIR SUITE    kunit.<arch>.<suite>: SUITE's verdict from DIR's boot
#        kunit.sh isolated ENV DIR SUITE the same, from a boot of its own with kunit.filter_glob=SUITE
set -euo pipefail
mode=${1:?run, boot, check or isolated}
env_file=${2:?kdk.env}
dir=${3:?directory}
source "$env_file"
qemu_sh="$(dirname "$0")/qemu.sh"
suites_file="$STATE_DIR/kunit/suites.txt"
fail() { echo "kdk: $*" >&2; exit 1; }

# kunit_boot DIR [SUITE]: boots into DIR/serial.log (kdk boot's own words in DIR/boot.out; its
# status in DIR/boot.status). A problem the kernel reports does not end the run: KUnit catches a
# faulting case and goes on, and the suites after it still count.
kunit_boot() {
  local out=$1 cmdline=$KUNIT_CMDLINE status=0 qemu
  if [ -n "${2:-}" ]; then
    cmdline="${cmdline%% kunit.filter_glob=*} kunit.filter_glob=$2"
  fi
  mkdir -p "$out"
  rm -f "$out/serial.log" "$out/boot.status" "$out/junit.xml"
  # shellcheck disable=SC2086  # the command line's words, each a kernel argument
  qemu=$(cd "$out" && bash "$qemu_sh" command "$env_file" $cmdline) || fail "qemu.sh could not make the QEMU command line"
  mapfile -t qemu <<< "$qemu"
  echo "kdk: booting the $KDK_ARCH kernel to run its KUnit suites (${cmdline}); serial log: $out/serial.log"
  (cd "$out" && "$KDK" boot --quiet --keep-going --timeout "$KUNIT_TIMEOUT" --log "$out/serial.log" -- "${qemu[@]}") \
    > "$out/boot.out" 2>&1 || status=$?
  echo "$status" > "$out/boot.status"
  if [ "$status" -ne 0 ]; then
    sed 's/^/  /' "$out/boot.out"
  fi
  [ -s "$out/serial.log" ] || fail "the $KDK_ARCH KUnit boot printed nothing (see $out/boot.out)"
  return 0
}

# decode_suite: the suite's own lines (as `kdk ktap check` printed them), decoded when they hold a
# kernel report: the trace of the crash inside this suite, not of an earlier suite's caught fault.
decode_suite() {
  local printed=$1
  sed -n 's/^      | //p' "$printed" > suite.log
  if [ -n "$("$KDK" report suite.log)" ]; then
    bash "$qemu_sh" decode "$env_file" "$PWD/suite.log" || true
  fi
}

check() {
  local log=$1 suite=$2 status=0
  "$KDK" ktap check --suite "$suite" "$log" > check.out 2>&1 || status=$?
  cat check.out
  if [ "$status" -eq 1 ]; then
    decode_suite check.out
    if [ -f "$(dirname "$log")/boot.status" ] && [ "$(cat "$(dirname "$log")/boot.status")" != 0 ]; then
      echo "kdk: the boot itself: $(grep -v '^ *serial log:' "$(dirname "$log")/boot.out" | grep 'kdk boot:' | head -1 | sed 's/^ *//')"
    fi
  fi
  return "$status"
}

case $mode in
  run)
    [ -s "$suites_file" ] || fail "no suite list $suites_file: build the kernel first (ninja kunit-suites-$KDK_ARCH)"
    mapfile -t suites < "$suites_file"
    kunit_boot "$dir"
    args=()
    for s in "${suites[@]}"; do args+=(--suite "$s"); done
    status=0
    "$KDK" ktap check --junit "$dir/junit.xml" --junit-name "kunit.$KDK_ARCH" "${args[@]}" "$dir/serial.log" || status=$?
    echo "kdk: JUnit: $dir/junit.xml"
    [ "$status" -ne 1 ] || { cd "$dir" && "$KDK" ktap check "${args[@]}" serial.log > check.out 2>&1 || true; decode_suite check.out; }
    exit "$status"
    ;;
  boot)
    kunit_boot "$dir"
    mapfile -t suites < "$suites_file" || true
    args=()
    for s in "${suites[@]}"; do args+=(--suite "$s"); done
    # The summary and the JUnit file of the run (one testcase per KUnit case); the verdicts are the
    # suites' tests'.
    "$KDK" ktap check --junit "$dir/junit.xml" --junit-name "kunit.$KDK_ARCH" "${args[@]}" "$dir/serial.log" || true
    ;;
  check)
    suite=${4:?suite}
    [ -f "$dir/serial.log" ] || fail "no KUnit run in $dir: kunit.$KDK_ARCH.boot runs it (ctest -R kunit.$KDK_ARCH)"
    # A directory of its own for what the check writes: the suites' tests run in parallel.
    mkdir -p "$dir/checks/$suite"
    cd "$dir/checks/$suite"
    check "$dir/serial.log" "$suite"
    ;;
  isolated)
    suite=${4:?suite}
    kunit_boot "$dir/$suite" "$suite"
    cd "$dir/$suite"
    check "$dir/$suite/serial.log" "$suite"
    ;;
  *) fail "kunit.sh: unknown mode '$mode' (run, boot, check, isolated)" ;;
esac
