#!/usr/bin/env bash
# ide.<arch>.launch: the IDE files of `ninja ide-<arch>`, used as the IDEs use them.
#  1. ninja ide-<arch> writes .vscode/{launch,tasks,c_cpp_properties}.json and eclipse/kdk-<arch>.launch
#     into <build>/<arch>, naming this tree's fixed gdb port (GDB_PORT).
#  2. The Eclipse file: well-formed, GDB Hardware Debugging, the same facts (ide_session.py eclipse).
#  3. VS Code's: tasks.json's task (ninja gdbserver-<arch>) starts QEMU, and gdb --interpreter=mi
#     runs launch.json's commands in cppdbg's order to start_kernel, file:line (ide_session.py session).
#  4. Bad input: with the port held by another program, ninja ide-<arch> refuses and leaves the
#     files as they were, and gdbserver-<arch> refuses; both name the port and how to move it.
# usage: ide.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
build=$(dirname "$STATE_DIR")
ninja=$(command -v ninja) || fail "ninja is not in PATH"
here=$(dirname "$0")
"$ninja" -C "$build" "ide-$KDK_ARCH" > ide.out 2>&1 || fail "ninja ide-$KDK_ARCH failed: $(cat ide.out)"
files=("$STATE_DIR/.vscode/launch.json" "$STATE_DIR/.vscode/tasks.json" "$STATE_DIR/.vscode/c_cpp_properties.json"
       "$STATE_DIR/eclipse/kdk-$KDK_ARCH.launch")
for f in "${files[@]}"; do [ -s "$f" ] || fail "ninja ide-$KDK_ARCH did not write $f"; done
# The compile database: named when it existed as the files were written, else left out and
# said so. (config.<arch>.compile_commands may write it meanwhile: what counts is the output.)
python3 - "$STATE_DIR/.vscode/c_cpp_properties.json" "$LINUX_BUILD_DIR/compile_commands.json" ide.out <<'PY' || fail "c_cpp_properties.json is wrong"
import json, os, sys
c = json.load(open(sys.argv[1]))['configurations'][0]
db = sys.argv[2]
said_none = 'no compile database yet: ninja compile-commands-' in open(sys.argv[3]).read()
if said_none:
    assert 'compileCommands' not in c, c
else:
    assert c.get('compileCommands') == db and os.path.isfile(db), c
assert os.path.isfile(c['compilerPath']), c
PY
python3 "$here/ide_session.py" eclipse "$STATE_DIR" "$KDK_ARCH" "$GDB_PORT"
python3 "$here/ide_session.py" session "$STATE_DIR" "$KDK_ARCH" "$GDB_PORT" || fail "the MI session failed (mi.log, task.log in $PWD)"

# The port taken by another program.
rm -f "$STATE_DIR/gdb-target" ready
python3 -c "import socket,time,sys; s=socket.socket(); s.bind(('127.0.0.1',int(sys.argv[1]))); s.listen(); open('ready','w').close(); time.sleep(60)" "$GDB_PORT" &
holder=$!
trap 'kill $holder 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e ready ] && break; sleep 0.1; done
[ -e ready ] || fail "could not hold port $GDB_PORT for the bad-input half"
before=$(sha256sum "${files[@]}"; stat -c '%n %Y' "${files[@]}")
if "$ninja" -C "$build" "ide-$KDK_ARCH" > taken.out 2>&1; then fail "ninja ide-$KDK_ARCH took a port that is in use"; fi
grep -F "the gdb port of $KDK_ARCH in this tree, 127.0.0.1:$GDB_PORT, is in use" taken.out > /dev/null \
  && grep -F -- "-DKDK_GDB_PORT=N" taken.out > /dev/null || fail "no clear error for a taken port: $(cat taken.out)"
[ "$before" = "$(sha256sum "${files[@]}"; stat -c '%n %Y' "${files[@]}")" ] || fail "a refused ninja ide-$KDK_ARCH changed the files"
if bash "$qemu_sh" gdbserver "$env_file" < /dev/null > taken-server.out 2>&1; then fail "gdbserver-$KDK_ARCH started on a port in use"; fi
grep -F "127.0.0.1:$GDB_PORT, is in use" taken-server.out > /dev/null || fail "gdbserver-$KDK_ARCH did not name the taken port: $(cat taken-server.out)"
kill $holder; wait $holder 2>/dev/null || true
trap - EXIT
echo "ok: $KDK_ARCH: a taken port $GDB_PORT is refused by ninja ide-$KDK_ARCH (files unchanged) and by gdbserver-$KDK_ARCH"
