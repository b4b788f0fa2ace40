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

# nested_build TOP BUILD [-DVAR=VALUE...]: configures BUILD from TOP with Ninja and builds it,
# without the helper's own tests (the tree running this test has them); configure.log and
# build.log stay in the test's directory. Sets build_seconds.
nested_build() {
  local top=$1 build=$2 start launcher=()
  shift 2
  # The helper compiles the same way in every nested tree (no build type, no debug info, the same
  # sources): ccache serves the second and later trees.
  if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$top" -B "$build" -G Ninja -DKDK_HELPER_TESTS=OFF "${launcher[@]}" "$@" > configure.log 2>&1 || { cat configure.log; fail "configure failed ($PWD/configure.log)"; }
  start=$(date +%s.%N)
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
