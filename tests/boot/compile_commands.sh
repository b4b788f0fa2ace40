#!/usr/bin/env bash
# config.<arch>.compile_commands: what `ninja compile-commands-<arch>` runs (kernel-module.sh
# compile-commands, here without linking anything into source trees) writes kbuild's
# compile_commands.json for the kernel, naming init/main.c with a compiler command, and one for
# each out-of-tree module, naming the module's own source file (tests/module/kdk_example.c, not
# the link in the build tree).
# usage: compile_commands.sh ENV
set -euo pipefail
env_file=$1
source "$(dirname "$0")/lib.sh"
bash "$(dirname "$0")/../../cmake/scripts/kernel-module.sh" compile-commands "$env_file" 0 0 "${MODULE_DIRS[@]}" > out.log 2>&1 \
  || { cat out.log; fail "kernel-module.sh compile-commands failed"; }
# check DB FILE: DB has an entry for FILE (a real path) whose command compiles it.
check() {
  python3 - "$1" "$2" <<'PY' || fail "$1 has no compiler command for $2"
import json, os, sys
db, want = sys.argv[1], os.path.realpath(sys.argv[2])
for e in json.load(open(db)):
    path = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if path == want and " -c " in " " + e.get("command", " ".join(e.get("arguments", []))) + " ":
        print(f"ok: {db}: {e['file']}")
        sys.exit(0)
sys.exit(1)
PY
}
check "$LINUX_BUILD_DIR/compile_commands.json" "$LINUX_SOURCE_DIR/init/main.c"
for dir in "${MODULE_DIRS[@]}"; do
  [ "$(basename "$dir")" = kdk_example ] || continue
  check "$dir/compile_commands.json" "$(dirname "$0")/../module/kdk_example.c"
  grep -q "\"file\": \"$(readlink -f "$(dirname "$0")/../module/kdk_example.c")\"" "$dir/compile_commands.json" \
    || fail "$dir/compile_commands.json names the link in the build tree, not your source"
done
