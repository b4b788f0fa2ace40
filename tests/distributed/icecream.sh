#!/usr/bin/env bash
# distributed.<arch>.icecream: KDK_DISTRIBUTED=icecream with a real icecc-scheduler and two iceccd
# on loopback: a compile node (kdk-remote, 2 job slots) and this machine's daemon (kdk-local,
# --no-remote, no slots), as icecream's own tests pair them.
#   1. icecream 1.4's iceccd cannot listen on loopback only (-i lo binds lo twice and never
#      starts), so the scheduler, both daemons and the build run in a private network namespace
#      whose only interface is lo: nothing outside this machine can reach them. That needs root
#      (iceccd must be root to chroot into compiler environments, too); otherwise the test skips;
#   2. kdk's configure asks the scheduler for its job slots (make -j), and kdk's configuration
#      step packs the kernel's compiler into the environment icecream ships to the node;
#   3. with ccache (CCACHE_RECACHE: every compile a miss), kbuild compiles the kernel's lib/
#      through kdk's make command: kdk-remote's log shows a remote compile of each C file kbuild
#      compiled, by path
#      (ICECC_TEST_REMOTEBUILD makes a loopback node count as remote, as in icecream's tests);
#   4. the same objects again: all ccache hits, and no C file compiled on the node.
# usage: icecream.sh TOP ARCH LINUX_SOURCE_DIR BUSYBOX_SOURCE_DIR
set -euo pipefail
top=$1 arch=$2 linux=$3 busybox=$4
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
for t in icecc iceccd icecc-scheduler icecc-create-env; do
  command -v "$t" > /dev/null || [ -x "/usr/sbin/$t" ] || { echo "SKIP: $t is not installed (Debian: icecc)"; exit 77; }
done
export PATH=$PATH:/usr/sbin
if [ -z "${KDK_ICECREAM_NETNS:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: iceccd runs compile jobs in a chroot, which needs root, and this test runs it in a network namespace of its own (icecream 1.4 cannot listen on loopback only)"; exit 77; }
  command -v unshare > /dev/null && command -v ip > /dev/null || { echo "SKIP: unshare and ip are needed for a private network namespace (Debian: util-linux, iproute2)"; exit 77; }
  unshare --net true 2> /dev/null || { echo "SKIP: this machine does not allow a new network namespace (unshare --net)"; exit 77; }
  KDK_ICECREAM_NETNS=1 exec unshare --net -- bash "$0" "$@"
fi
ip link set lo up
source "$(dirname "$0")/lib.sh"

# The daemons drop root after they start: their logs and environment caches belong to icecc.
ice=$PWD/ice
rm -rf "$ice"
mkdir -p "$ice/envs-remote" "$ice/envs-local"
chmod 1777 "$ice"
user=nobody
id icecc > /dev/null 2>&1 && user=icecc
chown "$user:" "$ice/envs-remote" "$ice/envs-local"
port=$(free_port)
step "icecc-scheduler on 127.0.0.1:$port, iceccd kdk-remote and kdk-local (network namespace: lo only)"
ip -brief address
ICECC_TESTS=1 setsid icecc-scheduler -p "$port" -n kdk-test -l "$ice/scheduler.log" -vvv > "$ice/scheduler.out" 2>&1 &
daemons+=($!)
ICECC_TESTS=1 ICECC_TEST_SOCKET="$ice/remote.socket" setsid iceccd -p "$(free_port)" -m 2 -s "127.0.0.1:$port" \
  -n kdk-test -N kdk-remote -b "$ice/envs-remote" -l "$ice/remote.log" -vvv > "$ice/remote.out" 2>&1 &
daemons+=($!)
ICECC_TESTS=1 ICECC_TEST_SOCKET="$ice/local.socket" setsid iceccd --no-remote -m 0 -s "127.0.0.1:$port" \
  -n kdk-test -N kdk-local -b "$ice/envs-local" -l "$ice/local.log" -vvv > "$ice/local.out" 2>&1 &
daemons+=($!)
# iceccd writes its log out on SIGHUP (the scheduler would end on one).
flush_logs() { kill -HUP "${daemons[1]}" "${daemons[2]}" 2> /dev/null || true; sleep 0.2; }
for _ in $(seq 60); do
  if grep -qs "Connected to scheduler" "$ice/remote.log" && grep -qs "Connected to scheduler" "$ice/local.log"; then break; fi
  sleep 0.5
done
grep -qs "Connected to scheduler" "$ice/remote.log" && grep -qs "Connected to scheduler" "$ice/local.log" \
  || { tail -n 5 "$ice"/*.log "$ice"/*.out; fail "the daemons did not reach the scheduler"; }
grep -q "Cannot use chroot" "$ice/remote.log" && { echo "SKIP: iceccd cannot chroot here, so it accepts no remote jobs"; exit 77; }

export ICECC_TEST_SOCKET=$ice/local.socket ICECC_TEST_REMOTEBUILD=1 ICECC_PREFERRED_HOST=kdk-remote
step "configure a tree with KDK_DISTRIBUTED=icecream, KDK_ICECC_SCHEDULER=127.0.0.1:$port"
configure_tree "$PWD/tree" -DKDK_DISTRIBUTED=icecream "-DKDK_ICECC_SCHEDULER=127.0.0.1:$port"
source "$env_file"
grep 'kdk: \(icecream\|make\)' configure.log || true
grep -q "its scheduler 127.0.0.1:$port lists 2 job slots" configure.log || { cat configure.log; fail "configure did not read the scheduler's 2 job slots"; }
grep "kdk: icecream: ${CROSS_COMPILE}gcc packed into" config.log || { cat config.log; fail "kdk's configuration step did not pack ${CROSS_COMPILE}gcc"; }
[[ " ${KBUILD_MAKE[*]} " == *" CCACHE_PREFIX=$(command -v icecc) "* ]] || fail "kdk's make command does not put icecc behind ccache: ${KBUILD_MAKE[*]}"

step "lib/ through ccache (misses) and icecream, make -j$BUILD_JOBS"
flush_logs
lines=$(wc -l < "$ice/remote.log")
compiled=$(CCACHE_RECACHE=1 build_objects lib.log lib/)
flush_logs
tail -n +"$((lines + 1))" "$ice/remote.log" | sed -n 's/.*remote compile for file //p' > remote-files.txt
echo "kbuild compiled $compiled C files; kdk-remote compiled $(wc -l < remote-files.txt) files (kbuild's compiler probes too)"
[ "$compiled" -ge 20 ] || fail "kbuild compiled only $compiled files in lib/ (lib.log)"
# Every C file kbuild compiled, by its path (the node sees it relative to the output directory).
missing=0
for c in $(sed -n 's/^ *CC  *\([^/ ][^ ]*\)\.o$/\1.c/p' lib.log); do
  grep -q "/$c$" remote-files.txt || { echo "not compiled on kdk-remote: $c"; missing=$((missing + 1)); }
done
[ "$missing" = 0 ] || fail "$missing of the $compiled C files kbuild compiled were not compiled on kdk-remote"

step "the same objects again: ccache hits, no C file leaves the machine"
find "$LINUX_BUILD_DIR/lib" -name '*.o' -delete
flush_logs
lines=$(wc -l < "$ice/remote.log")
again=$(build_objects lib-again.log lib/)
flush_logs
# kbuild's compiler probes (cc-option: /dev/null) are not cacheable; the sources are.
tail -n +"$((lines + 1))" "$ice/remote.log" | sed -n 's/.*remote compile for file //p' | grep -v '^/dev/null$' > remote-again.txt || true
echo "kbuild compiled $again C files again; kdk-remote compiled $(wc -l < remote-again.txt) of them"
[ "$again" -ge "$compiled" ] || fail "the second build compiled $again files, the first $compiled"
[ ! -s remote-again.txt ] || { cat remote-again.txt; fail "C files went to kdk-remote on ccache hits"; }
echo "PASS"
