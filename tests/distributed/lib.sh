# Sourced by the distributed-compile tests (distcc.sh, icecream.sh, ../bad_input/distcc_compiler.sh).
# The caller sets top (the kdk checkout), arch, linux and busybox (the source trees of the tree that
# runs the test) and defines fail(). The daemons run on loopback only and are stopped on exit,
# whatever happens (stop_daemons, from the EXIT trap).

daemons=()
stop_daemons() {
  local pid
  for pid in "${daemons[@]}"; do
    kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
  done
  for pid in "${daemons[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2> /dev/null || true
  done
  daemons=()
}
trap stop_daemons EXIT

# free_port: a TCP port nothing listens on now, on 127.0.0.1.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_distccd PORT LOG [PATH]: distccd on 127.0.0.1:PORT only, allowing 127.0.0.1 only, its log
# in LOG; PATH (default: this one) is where it finds compilers. Run as root, it becomes nobody.
start_distccd() {
  local port=$1 log=$2 path=${3:-$PATH} user=()
  [ "$(id -u)" != 0 ] || user=(--user nobody)
  setsid env PATH="$path" "$(command -v distccd)" --daemon --no-detach --log-stderr --log-level info \
    --listen 127.0.0.1 --allow 127.0.0.1 --port "$port" --jobs 2 "${user[@]}" 2> "$log" &
  daemons+=($!)
  for _ in $(seq 100); do grep -q "listening on 127.0.0.1:$port" "$log" && return 0; sleep 0.1; done
  cat "$log"; fail "distccd did not start on 127.0.0.1:$port ($log)"
}

# configure_tree DIR [-DVAR=VALUE...]: a kdk tree for $arch from the same sources, without tests;
# then kdk's own configuration step of its kernel (which runs the engine's check first) and
# kbuild's prepare (headers, scripts), with kdk's make command. configure.log, config.log and
# prepare.log stay in the test's directory. Sets env_file.
configure_tree() {
  local dir=$1
  shift
  local launcher=()
  rm -rf "$dir"
  # The helper compiles as in the other nested trees: ccache serves it.
  if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  cmake -S "$top" -B "$dir" -G Ninja -DKDK_BUILD_TESTS=OFF "${launcher[@]}" -DKDK_ARCHES="$arch" \
    -DKDK_LINUX_SOURCE="$linux" -DKDK_BUSYBOX_SOURCE="$busybox" "$@" > configure.log 2>&1 \
    || { cat configure.log; fail "configure failed ($PWD/configure.log)"; }
  env_file="$dir/$arch/kdk.env"
  ninja -C "$dir" "$arch/linux/.kdk-config.stamp" > config.log 2>&1 || { cat config.log; fail "the kernel's configuration step failed ($PWD/config.log)"; }
  ( source "$env_file"; "${KBUILD_MAKE[@]}" -j2 prepare ) > prepare.log 2>&1 || { tail -40 prepare.log; fail "make prepare failed ($PWD/prepare.log)"; }
}

# build_objects LOG TARGET...: kdk's make command (KBUILD_MAKE of env_file, with kdk's make -j,
# BUILD_JOBS) builds the kernel's objects TARGET... (kbuild subdirectories such as lib/, or
# objects). Prints the number of the kernel's C files kbuild compiled (its " CC " lines; objtool's
# objects, which kbuild names by absolute path, are host programs).
build_objects() {
  local log=$1
  shift
  ( source "$env_file"; "${KBUILD_MAKE[@]}" -j"$BUILD_JOBS" "$@" ) > "$log" 2>&1 || { tail -40 "$log"; fail "make $* failed ($PWD/$log)"; }
  grep -c '^ *CC  *[^/ ][^ ]*\.o$' "$log" || true
}
