#!/usr/bin/env bash
# usage: distributed.sh check distcc|icecream COMPILER
#        distributed.sh slots distcc
#        distributed.sh slots icecream HOST[:PORT]
# check: what kdk can know about the engine before a kernel or BusyBox build hands it compiles
#        (cmake/KdkDistributed.cmake runs it first in every configuration and build step, in the
#        make command's environment).
#   distcc: each remote host in the host list (distcc --show-hosts: $DISTCC_HOSTS, or
#        ~/.distcc/hosts, or /etc/distcc/hosts) compiles a probe with COMPILER, fallbacks off.
#        Unreachable: a warning naming it (distcc gives its jobs to the others or to this
#        machine, so the build completes). No COMPILER there, another version of it, or
#        refused: an error naming the host and the compiler, and the build stops.
#   icecream: makes the compiler environment $ICECC_VERSION names (icecc-create-env; icecream
#        ships it to the nodes, so a node needs no cross compiler of its own), and warns when
#        no local iceccd runs (icecc then compiles everything here).
# slots: the make -j the engine offers: distcc -j over the host list; the sum of the nodes'
#        job slots the icecream scheduler lists (its text interface, PORT+1; PORT 8765).
set -euo pipefail
mode=${1:?usage: distributed.sh check|slots ENGINE ...}
engine=${2:?usage: distributed.sh check|slots distcc|icecream ...}
shift 2
fail() { echo "kdk: error: $*" >&2; exit 1; }
warn() { echo "kdk: warning: $*" >&2; }

# The compiler's own version string (__VERSION__), as this machine's COMPILER prints it.
local_version() { printf '__VERSION__\n' | "$1" -E -P -x c - 2>/dev/null | sed -n 's/^"\(.*\)"$/\1/p' | tail -n 1; }

check_distcc() {
  local cc=$1 here hosts host name out rc there errors=0 work
  here=$(local_version "$cc")
  [ -n "$here" ] || fail "$cc does not run here: install it (kdk's host checks name its package)."
  hosts=$(distcc --show-hosts 2>&1) || fail "distcc cannot read its host list: $hosts"
  work=$(mktemp -d "${TMPDIR:-/tmp}/kdk-distcc.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  printf 'const char kdk_compiler_version[] = __VERSION__;\n' > "$work/probe.c"
  mkdir "$work/state"
  for host in $hosts; do
    case $host in
      localhost*) continue ;;   # distcc's slots on this machine
      -*|+*) continue ;;        # --randomize, --localslots, +zeroconf
    esac
    name=${host%%/*}
    name=${name%%,*}
    rc=0
    # Fallbacks off, so that a failure is the host's; a private state directory, so that an
    # earlier failure's backoff does not hide the host.
    out=$(cd "$work" && DISTCC_HOSTS="$host" DISTCC_FALLBACK=0 DISTCC_SKIP_LOCAL_RETRY=1 \
      DISTCC_BACKOFF_PERIOD=0 DISTCC_DIR="$work/state" DISTCC_IO_TIMEOUT=20 \
      timeout 60 distcc "$cc" -S probe.c -o probe.s 2>&1) || rc=$?
    if [ "$rc" = 0 ]; then
      there=$(sed -n 's/^[[:space:]]*\.\(string\|ascii\)[[:space:]]*"\(.*\)"$/\2/p' "$work/probe.s" | head -n 1)
      there=${there%\\000}
      if [ "$there" != "$here" ]; then
        echo "kdk: error: distcc host $name compiles with another $cc: '$there' there, '$here' here. Every node needs the same compiler version (objects from two versions do not make one kernel): install the same version on $name, or take it out of the host list." >&2
        errors=$((errors + 1))
      else
        echo "kdk: distcc host $name compiles with $cc ($here)"
      fi
    elif grep -qiE "failed to exec|No such file or directory|not found|whitelist" <<<"$out"; then
      echo "kdk: error: distcc host $name has no $cc (its distccd: $(grep -iE 'failed to exec|No such file|not found|whitelist' <<<"$out" | head -n 1 | sed -E 's/^distccd?\[[0-9]+\] //; s/\([a-z_]+\) //')). Install the same cross compiler there ($cc, $here; on Debian the package this machine has it from, and update-distcc-symlinks), or take $name out of the host list (KDK_DISTCC_HOSTS)." >&2
      errors=$((errors + 1))
    elif [ "$rc" = 124 ] || grep -qiE "connect|refused|timed out|timeout|no route|look up|resolve|unreachable" <<<"$out"; then
      warn "distcc host $name is unreachable ($(grep -iE 'connect|refused|timed out|timeout|no route|look up|resolve|unreachable' <<<"$out" | head -n 1 | sed -E 's/^distcc\[[0-9]+\] //; s/\([a-z_]+\) //')): the build goes on without it; distcc compiles its share on the other hosts or here. Take it out of the host list (KDK_DISTCC_HOSTS) if it is gone for good."
    else
      echo "kdk: error: distcc host $name could not compile a probe with $cc (exit $rc):" >&2
      sed 's/^/  /' <<<"$out" >&2
      errors=$((errors + 1))
    fi
  done
  [ "$errors" = 0 ] || fail "$errors distcc host(s) cannot compile for this build (above)."
}

check_icecream() {
  local cc=$1 env=${ICECC_VERSION:-} path cxx work made socket
  [ -n "$env" ] || fail "ICECC_VERSION is not set: kdk's make command sets it (cmake/KdkDistributed.cmake)."
  path=$(command -v "$cc") || fail "$cc is not in PATH."
  path=$(readlink -f "$path")
  # Remade when the compiler is newer than the environment.
  if [ ! -s "$env" ] || [ "$path" -nt "$env" ]; then
    mkdir -p "$(dirname "$env")"
    work=$(mktemp -d "$(dirname "$env")/create-env.XXXXXX")
    case $(basename "$path") in
      *clang*) (cd "$work" && icecc-create-env --clang "$path") > "$work/log" 2>&1 || { cat "$work/log" >&2; rm -rf "$work"; fail "icecc-create-env could not pack $path (above)."; } ;;
      *)
        cxx=${cc%gcc}g++
        command -v "$cxx" > /dev/null || cxx=$cc   # the kernel and BusyBox are C only
        (cd "$work" && icecc-create-env --gcc "$path" "$(command -v "$cxx")") > "$work/log" 2>&1 || { cat "$work/log" >&2; rm -rf "$work"; fail "icecc-create-env could not pack $path (above)."; } ;;
    esac
    made=$(ls "$work"/*.tar.* 2>/dev/null | head -n 1)
    [ -n "$made" ] || { cat "$work/log" >&2; rm -rf "$work"; fail "icecc-create-env made no environment for $path (above)."; }
    mv -f "$made" "$env"
    rm -rf "$work"
    echo "kdk: icecream: $cc packed into $env (what the nodes compile with)"
  fi
  socket=${ICECC_TEST_SOCKET:-}
  if [ -z "$socket" ]; then
    for socket in /var/run/icecc/iceccd.socket /run/icecc/iceccd.socket "$HOME/.iceccd.socket" ""; do
      [ -S "$socket" ] && break
    done
  fi
  if [ -z "$socket" ] || [ ! -S "$socket" ]; then
    warn "no iceccd runs on this machine (no socket in /var/run/icecc or ~/.iceccd.socket): icecc compiles everything here. Start the icecc service (Debian: the icecc package), pointed at your scheduler."
  fi
}

slots_icecream() {
  local where=${1:?usage: distributed.sh slots icecream HOST[:PORT]} host port reply
  host=${where%%:*}
  port=8765
  [ "$host" = "$where" ] || port=${where#*:}
  # The scheduler's text interface, one port above its own: "listcs" prints a line per node,
  # "name (ip:port) [platform] speed=... jobs=RUNNING/SLOTS load=...".
  reply=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; printf "listcs\r\nquit\r\n" >&3; cat <&3' _ "$host" $((port + 1)) 2>/dev/null) || true
  grep -q '^200' <<<"$reply" || fail "the icecream scheduler $host:$port does not answer on its text port $((port + 1))."
  sed -n 's/.* jobs=[0-9]*\/\([0-9]*\) .*/\1/p' <<<"$reply" | awk '{ n += $1 } END { print n + 0 }'
}

case $mode:$engine in
  check:distcc) check_distcc "${1:?COMPILER}" ;;
  check:icecream) check_icecream "${1:?COMPILER}" ;;
  slots:distcc) distcc -j ;;
  slots:icecream) slots_icecream "$@" ;;
  *) fail "distributed.sh: unknown mode '$mode $engine' (check|slots distcc|icecream)." ;;
esac
