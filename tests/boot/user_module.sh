#!/usr/bin/env bash
# module.<arch>.<name>.load and module.<arch>.<name>.gdb: the tests every module declared with
# kdk_add_kernel_module() gets (yours, from KDK_EXTRA_CMAKE or from a project that brings kdk in;
# kdk's own fixtures have tests of their own).
#   load: the guest runs `modprobe NAME`, lists it in lsmod, then `rmmod NAME`; the boot fails
#         on an oops, a panic, a BUG or a WARNING (kdk boot), or when a command fails.
#   gdb:  gdb set up as `ninja debug` sets it up (qemu.sh gdb-command: lx-symbols) breaks in the
#         module's init function while the guest loads it, at a file:line of the module's own
#         sources. The function is the one whose code init_module is (module_init()), named as
#         the debug info names it; a module without one has nothing to break in: the test skips.
# usage: user_module.sh ENV NAME load|gdb SOURCE...
set -euo pipefail
env_file=$1 name=$2 mode=$3
shift 3
sources=("$@")
source "$(dirname "$0")/lib.sh"
ko=""
for dir in "${MODULE_DIRS[@]}"; do
  [ "$(basename "$dir")" != "$name" ] || ko=$dir/$name.ko
done
[ -n "$ko" ] && [ -f "$ko" ] || fail "$name.ko was not built for $KDK_ARCH (ninja module-$name-$KDK_ARCH)"

case $mode in
load)
  qemu_command "kdk.run=\"modprobe $name && lsmod && rmmod $name && echo kdk-module-unloaded\""
  boot_guest --expect "^$name " --expect '^kdk-module-unloaded$' --expect '^kdk-exit-status: 0$'
  echo "ok: $KDK_ARCH: modprobe $name, lsmod listed it, rmmod $name unloaded it, no oops or warning"
  ;;
gdb)
  # The function whose code init_module is (module_init()), by its name in the debug info: gcc
  # makes init_module an alias of it, clang may give the code that ELF name alone.
  init=$("$GDB" -batch -nx -ex 'python print(gdb.block_for_pc(int(gdb.parse_and_eval("(long) &init_module"))).function)' \
    "$ko" 2> /dev/null | tail -n 1)
  [[ $init =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "SKIP: $name.ko has no init function (no module_init(), or no debug info) to break in"; exit 77; }
  port=$("$KDK" port)
  qemu_command "kdk.run=\"modprobe $name\""
  boot_guest_background "$port" --expect '^kdk-exit-status: 0$' -- -S -gdb "tcp:127.0.0.1:$port"
  gdb_command qemu "$port"
  "${gdb[0]}" -batch -nx "${gdb[@]:1}" \
    -ex "set breakpoint pending on" \
    -ex "break $init" \
    -ex "continue" \
    -ex "bt" \
    -ex "info source" \
    -ex "delete" \
    -ex "continue" > gdb.log 2>&1 || true
  wait_guest || fail "the guest did not run to the end after the breakpoint (serial log: $PWD/serial.log)"
  grep -Eq "^Breakpoint 2(\.[0-9]+)?, (0x[0-9a-f]+ in )?$init \(\) at [^ ]+:[0-9]+" gdb.log \
    || fail "the breakpoint in $name's init function, $init, did not hit with a file:line (gdb.log)"
  shown=$(sed -n '/^Located in /{s///p;q}' gdb.log)
  ok=0
  for s in "${sources[@]}"; do
    [ "$(readlink -f "$shown")" != "$(readlink -f "$s")" ] || ok=1
  done
  [ "$ok" = 1 ] || fail "gdb shows '$shown', which is none of $name's sources (${sources[*]})"
  echo "ok: $(grep -Eo "$init \(\) at [^ ]+:[0-9]+" gdb.log | head -n 1), in $shown"
  ;;
*) fail "user_module.sh: unknown mode '$mode' (load, gdb)" ;;
esac
