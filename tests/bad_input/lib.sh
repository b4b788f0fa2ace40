# Shared by the bad-input tests: a scratch directory, and assertions on a failing command.
set -euo pipefail
T=$(mktemp -d "${TMPDIR:-/tmp}/kdk-bad.XXXXXX")
trap 'rm -rf "$T"' EXIT
TOP=$(cd "$(dirname "$0")/../.." && pwd)

# expect_failure "what" COMMAND...: the command must fail; its output is in $T/out.
expect_failure() {
  local what=$1; shift
  if "$@" > "$T/out" 2>&1; then
    cat "$T/out"; echo "FAIL: $what: the command succeeded"; exit 1
  fi
}
# expect_output TEXT: $T/out must contain TEXT (fixed string).
expect_output() {
  grep -qF -- "$1" "$T/out" || { cat "$T/out"; echo "FAIL: the message lacks: $1"; exit 1; }
}
