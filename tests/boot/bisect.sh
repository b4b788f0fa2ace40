#!/usr/bin/env bash
# bisect.<arch>.kunit: kdk-bisect finds a known bad commit in a real kernel history.
# A git repository is made from this build's kernel source (read, never written: the repository
# and the "user's tree", a hard-linked copy, are in the test's directory) with five commits:
#   C0 the tree as it is; C1 a comment in lib/list-test.c; C2 a failing expectation in
#   list_test_list_init (the bad commit); C3 a comment in lib/list_sort.c; C4 a comment in
#   lib/list-test.c.
# A build tree with this build's options is configured on that tree (KDK_LINUX_SOURCE), and:
#   - refused before anything runs: --good not an ancestor of --bad, a tree with a modified
#     tracked file, a --good that is no commit (no bisect tree is made for any of them);
#   - kdk-bisect --good C0 --bad C4 --test kunit.ARCH.list-kunit-test names C2, and leaves the
#     user's tree clean at C4; the steps' times are printed;
#   - a --test that matches no test is refused, naming the tests there are.
# usage: bisect.sh ENV BUILD_DIR
set -euo pipefail
env_file=$1
main_build=$2
source "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$PWD
user="$work/user"
build="$work/build"
rm -rf "$user" "$build"

export GIT_AUTHOR_NAME=kdk GIT_AUTHOR_EMAIL=kdk@localhost GIT_COMMITTER_NAME=kdk GIT_COMMITTER_EMAIL=kdk@localhost
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
echo "== a git history of $LINUX_SOURCE_DIR in $user"
start=$(date +%s)
cp -al "$LINUX_SOURCE_DIR" "$user" 2> /dev/null || cp -a "$LINUX_SOURCE_DIR" "$user"
rm -rf "$user/.git"
git -C "$user" init -q
git -C "$user" add -A -f
git -C "$user" commit -q -m "C0: the tree as it is"
# commit FILE MESSAGE: FILE's new content is on stdin. The old file is replaced, never written in
# place: it is a hard link to this build's own source.
commit() {
  local file=$1 message=$2
  cat > "$user/$file.new"
  mv "$user/$file.new" "$user/$file"
  git -C "$user" add -f "$file"
  git -C "$user" commit -q -m "$message"
  git -C "$user" rev-parse HEAD
}
list_test=lib/list-test.c
grep -q '^static void list_test_list_init(struct kunit \*test)$' "$user/$list_test" || fail "$list_test has no list_test_list_init"
c0=$(git -C "$user" rev-parse HEAD)
c1=$( { cat "$user/$list_test"; echo "/* kdk bisect test: C1 */"; } | commit "$list_test" "C1: a comment")
c2=$(awk '{ print } /^static void list_test_list_init\(struct kunit \*test\)$/ { getline; print; print "\tKUNIT_EXPECT_EQ_MSG(test, 1, 2, \"kdk bisect test: the bad commit\");" }' \
  "$user/$list_test" | commit "$list_test" "C2: list_test_list_init fails")
c3=$( { cat "$user/lib/list_sort.c"; echo "/* kdk bisect test: C3 */"; } | commit lib/list_sort.c "C3: a comment elsewhere")
c4=$( { cat "$user/$list_test"; echo "/* kdk bisect test: C4 */"; } | commit "$list_test" "C4: another comment")
echo "the history: C0 $c0, C2 (bad) $c2, C4 $c4; made in $(( $(date +%s) - start )) s"

echo "== the user's build tree $build"
bash "$top/cmake/scripts/bisect.sh" init-cache "$main_build" "$KDK_ARCH" "$user" > "$work/user-cache.cmake"
cmake -G Ninja -S "$top" -B "$build" -C "$work/user-cache.cmake" > configure.log 2>&1 \
  || { tail -30 configure.log; fail "configuring the user's build tree failed"; }
[ -x "$build/kdk-bisect" ] || fail "configure did not write $build/kdk-bisect"

# refused "WHAT" TEXT ARGS...: kdk-bisect must fail before anything runs, saying TEXT.
refused() {
  local what=$1 text=$2; shift 2
  if "$build/kdk-bisect" "$@" > refused.out 2>&1; then cat refused.out; fail "$what: kdk-bisect succeeded"; fi
  grep -qF -- "$text" refused.out || { cat refused.out; fail "$what: the message lacks: $text"; }
  [ ! -e "$build/bisect/src/linux" ] || fail "$what: a worktree was made before the refusal"
  echo "refused ($what): $(grep -F -- "$text" refused.out | head -1)"
}
refused "good after bad" "--good $c4 is not an ancestor of --bad $c0" --good "$c4" --bad "$c0" --test .
refused "no such commit" "--good no-such-rev is not a commit of $user" --good no-such-rev --bad "$c4" --test .
cp "$user/$list_test" "$work/saved.c"
{ cat "$work/saved.c"; echo "/* a local edit */"; } > "$user/$list_test.new" && mv "$user/$list_test.new" "$user/$list_test"
refused "dirty tree" " M $list_test" --good "$c0" --bad "$c4" --test .
mv "$work/saved.c" "$user/$list_test"
[ -z "$(git -C "$user" status --porcelain --untracked-files=no)" ] || fail "the user's tree did not come back clean"

echo "== kdk-bisect --good C0 --bad C4 --test '^kunit\\.$KDK_ARCH\\.list-kunit-test\$'"
status=0
"$build/kdk-bisect" --good "$c0" --bad "$c4" --test "^kunit\\.$KDK_ARCH\\.list-kunit-test\$" 2>&1 | tee bisect.out || status=$?
[ "$status" -eq 0 ] || fail "kdk-bisect exited $status"
grep -q "^kdk bisect: the first bad commit: $c2 C2: list_test_list_init fails\$" bisect.out \
  || fail "kdk-bisect did not name C2 ($c2) as the first bad commit"
[ "$(git -C "$user" rev-parse HEAD)" = "$c4" ] || fail "the user's tree is no longer at C4"
[ -z "$(git -C "$user" status --porcelain --untracked-files=no)" ] || fail "the user's tree is not clean after the bisect"
steps=$(grep -c '^kdk bisect: [0-9a-f]\{12\} ' bisect.out || true)
[ "$steps" -ge 1 ] || fail "no bisect step was reported"

refused_after() {
  if "$build/kdk-bisect" "$@" > refused.out 2>&1; then cat refused.out; fail "a --test matching nothing: kdk-bisect succeeded"; fi
  grep -qF -- "--test 'no-such-test' matches no test of the bisect tree; its tests: " refused.out \
    || { cat refused.out; fail "a --test matching nothing: no message naming it"; }
}
refused_after --good "$c0" --bad "$c4" --test no-such-test
echo "ok: kdk-bisect named C2 in $steps steps; the user's tree stayed clean at C4"
