# Sourced by the tests that build a kdk tree of their own (embedded.sh, matrix.sh), from the same
# checkout, sources and ccache. fail() must be defined.

# nested_source BUILD NAME DIR: prints where BUILD's tree should read the source tree DIR from:
# BUILD/src/NAME, a hard-linked copy of DIR (seconds, no space), when DIR is a directory that can
# be hard-linked; DIR itself otherwise (a tarball, another file system). ccache makes include
# paths relative (CCACHE_BASEDIR=/), and kbuild resolves symlinks, so only a source at the same
# place relative to the tree's O= directories (../../src/NAME, as in the outer tree) gives the
# same preprocessed text and the same hashes: the outer tree's compiles are then ccache hits.
nested_source() {
  local build=$1 name=$2 dir=$3
  if [ -d "$dir" ] && mkdir -p "$build/src" && cp -al "$dir" "$build/src/$name" 2> /dev/null; then
    echo "$build/src/$name"
  else
    rm -rf "$build/src/$name"
    echo "$dir"
  fi
}

# nested_seed_objtree FROM TO FROM_SRC TO_SRC: kbuild's output directory TO starts as a copy of
# FROM, an outer tree's (reflinked where the file system can), when TO_SRC is nested_source's
# hard-linked copy of FROM_SRC. kbuild compares each object's saved command with the new one, and
# those name the source tree (and objtool's, the output directory) by absolute path, so the
# copy's .cmd files name TO_SRC and TO instead;
# the dependency lists name it relative to O= (ccache's CCACHE_BASEDIR), which is the same place.
# kbuild then finds every object up to date, and rebuilds only what a configuration change
# touches: the nested tree does not compile the kernel again.
nested_seed_objtree() {
  local from=$1 to=$2 from_src=$3 to_src=$4
  [ -d "$from" ] && [ "$from_src" != "$to_src" ] && [ ! -e "$to" ] || return 0
  mkdir -p "$(dirname "$to")"
  cp -a --reflink=auto "$from" "$to"
  rm -f "$to/source"
  # regex FROM TO: a sed substitution of the directory FROM by TO.
  regex() { printf 's#%s/#%s/#g' "$(printf '%s' "$1" | sed 's/[][\.*^$#]/\\&/g')" "$(printf '%s' "$2" | sed 's/[\&#]/\\&/g')"; }
  # objtool's own build (tools/build) names its objects by absolute path too: every object
  # depends on objtool, so a rebuilt objtool would rebuild them all.
  find "$to" -name '.*.cmd' -print0 | xargs -0 -r sed -i -e "$(regex "$from_src" "$to_src")" -e "$(regex "$from" "$to")"
}

# nested_keep_objtool ENV FROM: after nested_seed_objtree of the kernel's output directory FROM
# into the one ENV (the nested tree's kdk.env) names. objtool is built from the source tree's
# tools/objtool, deeper in the nested tree, and its dependency lists may name the system headers
# relative to it (CCACHE_BASEDIR: a ccache hit writes them so, a miss may not), which from the
# nested tree name files that do not exist, and make stops. So the copy of objtool's build is
# removed and objtool built again here, from the same sources, and everything its build made is
# given the outer objtool's mtime: every object depends on objtool, and kbuild keeps the copies.
nested_keep_objtool() {
  local env=$1 from=$2
  [ -x "$from/tools/objtool/objtool" ] || return 0
  (
    source "$env"
    rm -rf "$LINUX_BUILD_DIR/tools/objtool"
    "${KBUILD_MAKE[@]}" tools/objtool > objtool.log 2>&1 || { cat objtool.log; exit 1; }
    # Everything objtool's build made gets that mtime, so that it stays up to date too.
    find "$LINUX_BUILD_DIR/tools/objtool" -exec touch -h -r "$from/tools/objtool/objtool" {} +
  ) || fail "building objtool in the nested tree failed ($PWD/objtool.log)"
}

# nested_build TOP BUILD [-DVAR=VALUE...]: configures BUILD from TOP with Ninja and builds it,
# without the helper's own tests (the tree running this test has them); configure.log and
# build.log stay in the test's directory. Sets build_seconds. A function nested_before_build,
# when the caller defines one, runs between the two (its time counts).
nested_build() {
  local top=$1 build=$2 start launcher=()
  shift 2
  # The helper compiles the same way in every nested tree (no build type, no debug info, the same
  # sources): ccache serves the second and later trees.
  if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$top" -B "$build" -G Ninja -DKDK_HELPER_TESTS=OFF "${launcher[@]}" "$@" > configure.log 2>&1 || { cat configure.log; fail "configure failed ($PWD/configure.log)"; }
  start=$(date +%s.%N)
  if declare -F nested_before_build > /dev/null; then nested_before_build; fi
  cmake --build "$build" > build.log 2>&1 || { tail -60 build.log; fail "the build failed ($PWD/build.log)"; }
  build_seconds=$(echo "$(date +%s.%N) - $start" | bc | xargs printf '%.1f')
}

# nested_ctest BUILD [ctest arguments...]: runs BUILD's tests into ctest.log; prints each test's
# result line and the summary, and fails the test with the whole log when any of them failed.
nested_ctest() {
  local build=$1
  shift
  (cd "$build" && ctest --output-on-failure "$@") > ctest.log 2>&1 || { cat ctest.log; fail "tests failed in $build ($PWD/ctest.log)"; }
  grep -E 'Test +#|tests passed' ctest.log
}
