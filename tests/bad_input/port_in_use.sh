#!/usr/bin/env bash
# A gdb port that is already taken is refused with its number before QEMU starts (the debug
# targets run exactly this check on KDK_GDB_PORT).
# usage: port_in_use.sh KDK
source "$(dirname "$0")/lib.sh"
kdk=$1
port=$("$kdk" port)
python3 -c "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); open(sys.argv[1],'w').close(); time.sleep(30)" "$T/ready" &
holder=$!
trap 'kill $holder 2>/dev/null || true; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -e "$T/ready" ] && break; sleep 0.1; done
expect_failure "port in use" "$kdk" port --check "$port"
expect_output "kdk: port $port on 127.0.0.1 is in use"
kill $holder; wait $holder 2>/dev/null || true
"$kdk" port --check "$port"
echo "ok: a taken port is named; a free one passes"
