// Running another program and waiting for it: the helper's one fork/exec for commands that run
// to completion (kdk boot's guardian is different: it owns a process group).
#pragma once

#include <string>
#include <vector>

namespace kdk {

// Runs `command` (found in PATH) with this process's standard streams and environment; its exit
// status, or 128 + the signal that ended it, or 127 when it cannot be run (said on stderr).
int run_command(const std::vector<std::string>& command);

struct Captured {
  int status = 0;      // as run_command's
  std::string output;  // standard output
  std::string errors;  // standard error
};

// Runs `command` with `input` on its standard input and `env` (NAME=VALUE) added to the
// environment, and captures both output streams (through unlinked temporary files, so a
// program that writes a lot never blocks on a pipe).
Captured run_captured(const std::vector<std::string>& command, const std::string& input,
                      const std::vector<std::string>& env = {});

// Whether `program` is found in PATH (or, with a '/', exists and is executable).
bool program_exists(const std::string& program);

}  // namespace kdk
