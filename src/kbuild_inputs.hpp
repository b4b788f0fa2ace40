// What a kbuild step read, recorded so that ninja can skip the step when none of it changed.
//
// kbuild already knows every input of every object: each `.<object>.cmd` file in O= lists the
// source and every header the object was compiled from (fixdep's deps_ lists), and
// include/config/auto.conf.cmd (BusyBox: .kconfig.d) lists the Kconfig files. A record adds what
// make itself reads or runs: every file and the directory itself of each source directory kbuild
// descended into (its Makefile or Kbuild, scripts, syscall tables; a new file changes the
// directory), the toolchain as found in PATH and PATH's directories, the git state of a git
// tree (setlocalversion reads it), and the environment variables kbuild reads.
//
// The record holds each path with its mtime and size as they were when kbuild started. A check
// compares them with the file system and the environment; anything different, a record that
// is missing, damaged (its last line carries a count and a hash of everything before it) or
// marked incomplete, sends the step back to kbuild, which decides what to rebuild. The record
// can only make kdk ask kbuild more often than needed, never less.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

// The paths one kbuild `.cmd` file names: `source_<obj> :=` and every entry of `deps_<obj> :=`,
// `$(wildcard ...)` entries included, as written (relative to O= or absolute).
std::vector<std::string> parse_cmd_file_deps(std::string_view text);

// The Kconfig files a `deps_config :=` list names (include/config/auto.conf.cmd, BusyBox's
// .kconfig.d), as written (relative to the source tree).
std::vector<std::string> parse_kconfig_deps(std::string_view text);

// Whether kbuild (or BusyBox's build) reads the environment variable `name`: the flags variables
// (KCFLAGS, KCPPFLAGS, CFLAGS_MODULE, HOSTCFLAGS, ...), KBUILD_*, KCONFIG_*, LLVM*, INSTALL_*,
// LOCALVERSION, ARCH, CROSS_COMPILE, PATH, SOURCE_DATE_EPOCH and BusyBox's CFLAGS family.
bool kbuild_reads_env(std::string_view name);

struct KbuildInputsOptions {
  std::string label;                 // names the step in messages: "vmlinux-x86_64"
  std::string objtree;               // kbuild's O= (or an M= module's directory)
  std::string srctree;               // the source tree; empty for an M= module
  std::vector<std::string> tools;    // compilers and binutils, by name (searched in PATH) or path
  std::vector<std::string> files;    // more inputs: .config, the module's Kbuild ...
  std::vector<std::string> ignore;   // inputs another step answers for (the embedded initramfs)
};

// One input as the record keeps it.
struct RecordedInput {
  enum class Kind { File, Absent, Env, Incomplete };
  Kind kind = Kind::File;
  std::string path;        // File, Absent: the path; Env: NAME=VALUE; Incomplete: why
  std::int64_t mtime_ns = 0;
  std::int64_t size = 0;   // -1 for a directory
};

struct KbuildInputs {
  std::string label;
  std::vector<RecordedInput> inputs;
  std::vector<std::string> changed_during_build;  // source files written after `since_ns`
};

// Collects every input of the step as the file system and `env` show them now. Source files
// (outside `objtree`) modified at or after `since_ns` (when kbuild started) are recorded as
// changed, so that the next check sends the step back to kbuild. An unreadable `.cmd` file
// makes the record incomplete: every check then asks kbuild.
KbuildInputs collect_kbuild_inputs(const KbuildInputsOptions& options, std::int64_t since_ns,
                                   const std::vector<std::string>& env);

std::string render_record(const KbuildInputs& inputs);

struct RecordCheck {
  bool up_to_date = false;
  std::string reason;  // why not: "init/main.c changed", "the record ... is damaged"
};

// Compares a record (its text; nullopt when the file is missing) with the file system and
// `env` (NAME=VALUE strings, as in environ).
RecordCheck check_record(const std::optional<std::string>& text, const std::string& record_path,
                         const std::vector<std::string>& env);

// The identity of build artifacts (path, mtime, size, or absent), one line each: a step's stamp
// holds it and is rewritten only when it changes, so that ninja's restat skips what depends on
// the step when kbuild relinked nothing.
std::string artifact_fingerprint(const std::vector<std::string>& paths);

// The environment of this process, as NAME=VALUE strings.
std::vector<std::string> current_environment();

// Nanoseconds since the epoch, from the clock file times come from.
std::int64_t now_ns();

}  // namespace kdk
