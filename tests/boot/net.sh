#!/usr/bin/env bash
# boot.<arch>.net: user-mode networking (KDK_NET=user, KDK_HOSTFWD; here qemu.sh command --hostfwd,
# the same code). The guest takes an address with udhcpc and serves a page with BusyBox httpd; the
# host fetches it through a forward on 127.0.0.1; every socket QEMU listens on is on 127.0.0.1;
# a second forward ends the guest (BusyBox nc). A forward whose host port is taken is refused,
# naming the port, before QEMU starts.
# usage: net.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
http=$("$KDK" port)
quit=$("$KDK" port)
[ "$http" != "$quit" ] || quit=$("$KDK" port)
qemu_command --net user --hostfwd "tcp:$http-:80,tcp::$quit-:81" \
  'kdk.run="mkdir -p /www && echo page-$((6*7)) > /www/index.html && httpd -p 80 -h /www && echo kdk-net-ready && nc -l -p 81 < /dev/null > /dev/null && echo kdk-net-done"'
boot_guest_background "$http" --expect '^kdk: network: eth0 10\.0\.2\.[0-9]+/24' --expect '^kdk-net-done' --expect '^kdk-exit-status: 0$'
wait_for_serial '^kdk-net-ready'

# The page, through 127.0.0.1:$http.
exec 3<>"/dev/tcp/127.0.0.1/$http"
printf 'GET /index.html HTTP/1.0\r\n\r\n' >&3
response=$(cat <&3 | tr -d '\r')
exec 3<&-
grep -x 'page-42' <<< "$response" > /dev/null || fail "the guest's page did not come through 127.0.0.1:$http: $response"

# QEMU listens on 127.0.0.1 only: its listening TCP and UDP sockets, from ss.
qemu_pid=$(pgrep -f -- "^$QEMU .*hostfwd=tcp:127\.0\.0\.1:$http-" | head -1)  # QEMU, not kdk boot, whose arguments have it too
[ -n "$qemu_pid" ] || fail "no QEMU with the forward of port $http"
ss -Hltunp > ss.out
listening=$(grep -F "pid=$qemu_pid," ss.out | awk '{print $5}' | sort)
[ -n "$listening" ] || { cat ss.out; fail "QEMU ($qemu_pid) listens on nothing"; }
grep -vx "127\.0\.0\.1:[0-9]*" <<< "$listening" && fail "QEMU listens on another address than 127.0.0.1 (above)"
grep -x "127\.0\.0\.1:$http" <<< "$listening" > /dev/null || fail "QEMU does not listen on 127.0.0.1:$http: $listening"

# The second forward ends the guest's nc, and with it the guest.
echo bye > "/dev/tcp/127.0.0.1/$quit"
wait_guest || fail "the guest did not end after the connection to its port 81 (serial log: $PWD/serial.log)"

# A taken host port is named before QEMU starts (a new port: Python's bind, without
# SO_REUSEADDR, refuses $http while the page's connection lingers in TIME_WAIT).
taken=$("$KDK" port)
rm -f held
python3 -c "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1',$taken)); s.listen(); open('held','w').close(); time.sleep(30)" &
holder=$!
trap 'kill $holder 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e held ] && break; sleep 0.1; done
[ -e held ] || fail "could not hold port $taken for the test"
status=0
bash "$qemu_sh" command "$env_file" --hostfwd "tcp:$taken-:22" > taken.out 2>&1 || status=$?
kill $holder 2>/dev/null || true
rm -f held
[ "$status" = 1 ] && grep -F "port $taken on 127.0.0.1 is in use" taken.out > /dev/null \
  || { cat taken.out; fail "a forward from a taken port was not refused by name (status $status)"; }
echo "ok: $KDK_ARCH: the guest's httpd answered through 127.0.0.1:$http; QEMU listens on: $(echo $listening)"
