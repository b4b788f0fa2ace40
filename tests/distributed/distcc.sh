#!/usr/bin/env bash
# distributed.<arch>.distcc: KDK_DISTRIBUTED=distcc with a real distccd on loopback.
#   1. distccd listens on 127.0.0.1 only and allows 127.0.0.1 only; a tree of its own (same
#      sources) is configured with KDK_DISTCC_HOSTS naming it and a second host where nothing
#      listens. kdk's configuration step checks both: the first compiles with the kernel's
#      compiler, the second gets a warning that names it;
#   2. with ccache (CCACHE_RECACHE: every compile a miss), kbuild compiles the kernel's lib/
#      through kdk's make command: each C file kbuild compiled went to distccd (its log's
#      COMPILE_OK line names it) or, for the unreachable host's share, was compiled here after
#      distcc's warning; the build completes;
#   3. the same objects again: all ccache hits, and no C file compiled on distccd;
#   4. without ccache (KDK_CCACHE empty: distcc wraps the compiler): two objects go to distccd.
# usage: distcc.sh TOP ARCH LINUX_SOURCE_DIR BUSYBOX_SOURCE_DIR
set -euo pipefail
top=$1 arch=$2 linux=$3 busybox=$4
fail() { echo "FAIL: $*"; exit 1; }
step() { echo "== $*"; }
command -v distcc > /dev/null && command -v distccd > /dev/null || { echo "SKIP: distcc is not installed (Debian: distcc)"; exit 77; }
source "$(dirname "$0")/lib.sh"

port=$(free_port)
gone=$(free_port)
log=$PWD/distccd.log
step "distccd on 127.0.0.1:$port"
start_distccd "$port" "$log"
listeners=$(ss -ltnH "sport = :$port" | awk '{ print $4 }' | sort -u)
[ "$listeners" = "127.0.0.1:$port" ] || fail "distccd listens on '$listeners', not 127.0.0.1:$port only"

step "configure a tree with KDK_DISTRIBUTED=distcc, hosts 127.0.0.1:$port/2 127.0.0.1:$gone/2"
configure_tree "$PWD/tree" -DKDK_DISTRIBUTED=distcc "-DKDK_DISTCC_HOSTS=127.0.0.1:$port/2 127.0.0.1:$gone/2"
source "$env_file"
cat configure.log | grep 'kdk: \(distcc\|make\)' || true
grep "kdk: distcc host 127.0.0.1:$port compiles with ${CROSS_COMPILE}gcc" config.log || { cat config.log; fail "the configuration step did not check 127.0.0.1:$port"; }
grep "kdk: warning: distcc host 127.0.0.1:$gone is unreachable" config.log || { cat config.log; fail "no warning names the unreachable host 127.0.0.1:$gone"; }
[[ " ${KBUILD_MAKE[*]} " == *" CCACHE_PREFIX=$(command -v distcc) "* ]] || fail "kdk's make command does not put distcc behind ccache: ${KBUILD_MAKE[*]}"
[[ " ${KBUILD_MAKE[*]} " == *" HOSTCC=env -u CCACHE_PREFIX "* ]] || fail "host programs would go to distcc: ${KBUILD_MAKE[*]}"

step "lib/ through ccache (misses) and distcc, make -j$BUILD_JOBS"
lines=$(wc -l < "$log")
compiled=$(CCACHE_RECACHE=1 build_objects lib.log lib/)
# The sources distccd compiled (its COMPILE_OK lines end with the file), and those distcc
# compiled here after the unreachable host failed.
tail -n +"$((lines + 1))" "$log" | sed -n 's/.* COMPILE_OK .* //p' > remote-files.txt
grep "running locally instead" lib.log | sed -n 's/.*failed to distribute \(.*\) to .*/\1/p' > local-files.txt || true
echo "kbuild compiled $compiled C files: distccd compiled $(grep -c '\.c$' remote-files.txt) sources, this machine $(wc -l < local-files.txt) after 127.0.0.1:$gone failed"
[ "$compiled" -ge 20 ] || fail "kbuild compiled only $compiled files in lib/ (lib.log)"
missing=0
for c in $(sed -n 's/^ *CC  *\([^/ ][^ ]*\)\.o$/\1.c/p' lib.log); do
  grep -q "/$c$" remote-files.txt || grep -q "/$c$" local-files.txt || { echo "neither on distccd nor after a distcc warning: $c"; missing=$((missing + 1)); }
done
[ "$missing" = 0 ] || fail "$missing of the $compiled C files kbuild compiled did not go through distcc"
grep -q "COMPILE_OK .* ${CROSS_COMPILE}gcc " "$log" || fail "distccd's log does not name ${CROSS_COMPILE}gcc"

step "the same objects again: ccache hits, no C file leaves the machine"
find "$LINUX_BUILD_DIR/lib" -name '*.o' -delete
lines=$(wc -l < "$log")
again=$(build_objects lib-again.log lib/)
# kbuild's compiler probes (cc-option: /dev/null) are not cacheable; the sources are.
tail -n +"$((lines + 1))" "$log" | sed -n 's/.* COMPILE_OK .* //p' | grep -v '^/dev/null$' > remote-again.txt || true
echo "kbuild compiled $again C files again; distccd compiled $(wc -l < remote-again.txt) of them"
[ "$again" -ge "$compiled" ] || fail "the second build compiled $again files, the first $compiled"
[ ! -s remote-again.txt ] || { cat remote-again.txt; fail "C files went to distccd on ccache hits"; }

step "without ccache: distcc wraps the compiler"
cmake -S "$top" -B "$PWD/tree" -DKDK_CCACHE= > configure-noccache.log 2>&1 || { cat configure-noccache.log; fail "reconfigure failed"; }
source "$env_file"
[[ " ${KBUILD_MAKE[*]} " == *" CC=$(command -v distcc) ${CROSS_COMPILE}gcc "* ]] || fail "without ccache CC is not distcc ${CROSS_COMPILE}gcc: ${KBUILD_MAKE[*]}"
rm -f "$LINUX_BUILD_DIR/lib/sort.o" "$LINUX_BUILD_DIR/lib/bsearch.o"
lines=$(wc -l < "$log")
n=$(build_objects noccache.log lib/sort.o lib/bsearch.o)
echo "kbuild compiled $n of the kernel's C files"
for c in lib/sort.c lib/bsearch.c; do
  grep -q "^ *CC  *${c%.c}.o$" noccache.log || fail "without ccache kbuild did not compile $c (noccache.log)"
  tail -n +"$((lines + 1))" "$log" | grep "COMPILE_OK .* ${CROSS_COMPILE}gcc .*/$c$" \
    || grep "running locally instead" noccache.log | grep -F "$(basename "$c")" \
    || fail "$c was compiled neither by distccd nor here after a distcc warning"
done
echo "PASS"
