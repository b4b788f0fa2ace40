# Sourced by the benchmarks: timing, logging and the table they print (operation, kdk, plain
# make, ratio). Set `log` to a file before calling quiet or timed.
now() { date +%s.%N; }
fmt() { printf '%.2f' "$1"; }
# quiet COMMAND...: runs it with its output in $log; on failure shows the log's end and exits.
quiet() { "$@" >> "$log" 2>&1 || { tail -30 "$log" >&2; echo "${0##*/}: '$*' failed; see $log" >&2; exit 1; }; }
# timed COMMAND...: quiet COMMAND, printing its wall time in seconds.
timed() { local s; s=$(now); quiet "$@"; echo "$(now) - $s" | bc; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# row NAME KDK [MAKE [NOTE]]: one line of the table; "-" where there is no plain make figure.
header() { printf '%-10s %8s %8s %8s\n' operation kdk make ratio; }
row() {
  if [ -n "${3:-}" ]; then
    printf '%-10s %8s %8s %7sx %s\n' "$1" "$(fmt "$2")" "$(fmt "$3")" "$(fmt "$(echo "$2 / $3" | bc -l)")" "${4:-}"
  else
    printf '%-10s %8s %8s %8s %s\n' "$1" "$(fmt "$2")" - - "${4:-}"
  fi
}
# plain_make ENV TARGET...: make in the kernel output directory of kdk.env ENV, the exact make
# command kdk runs (KBUILD_MAKE), as a developer would type it.
plain_make() { (source "$1" && "${KBUILD_MAKE[@]}" -j"$(nproc)" "${@:2}"); }
# kernel_targets ENV: what kdk's kernel step builds (vmlinux, the gdb scripts, the image).
kernel_targets() { (source "$1" && echo vmlinux scripts_gdb "$(basename "$KERNEL_IMAGE")"); }
