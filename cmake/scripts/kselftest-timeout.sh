#!/bin/sh
# /usr/bin/timeout in a root filesystem with kselftest (cmake/scripts/kselftest.sh puts it there),
# for kselftest's runner, which calls GNU's timeout nested: timeout --foreground N timeout N CMD.
# BusyBox's timeout has no --foreground, and on 32-bit arm (BusyBox 1.38) it ends CMD after about
# a second whatever N is. This runs CMD in the caller's process group (what --foreground asks),
# sends it SIGTERM after N seconds and SIGKILL 5 s later, and exits 124 when it timed out (GNU's
# status, which the runner reports as TIMEOUT), else with CMD's status.
# usage: timeout [--foreground] SECONDS CMD [ARG]...
[ "$1" = --foreground ] && shift
t=$1
shift
# The runner's inner timeout: one watcher is enough, with the inner limit.
if [ "$1" = /usr/bin/timeout ] || [ "$1" = timeout ]; then
  shift
  [ "$1" = --foreground ] && shift
  t=$1
  shift
fi
case $t in
  ''|*[!0-9.]*) echo "timeout: '$t' is not a number of seconds" >&2; exit 125 ;;
esac
flag=/tmp/.kdk-timeout.$$
rm -f "$flag"
"$@" &
pid=$!
# The watcher: its sleep, cut short when CMD ends first, means no timeout.
( sleep "$t" || exit 0; : > "$flag"; kill -TERM "$pid"; sleep 5; kill -KILL "$pid" ) 2> /dev/null &
watcher=$!
wait "$pid"
rc=$?
pkill -P "$watcher" 2> /dev/null
kill "$watcher" 2> /dev/null
wait "$watcher" 2> /dev/null
if [ -e "$flag" ]; then
  rm -f "$flag"
  exit 124
fi
exit "$rc"
