// Reading a host directory for packing, without following symlinks. PackPlan walks the trees
// itself (see PackPlan::stream); these are its two primitives.
#pragma once

#include <string>
#include <sys/stat.h>
#include <vector>

#include "pack_plan.hpp"

namespace kdk {

// Adds `dir` (not the directory itself, which becomes the archive root) as a tree of `plan`,
// after checking that it is a directory. Nothing below it is read until the plan is streamed.
void scan_tree(const std::string& dir, const PackOptions& options, PackPlan& plan);

// The entries of directory `path`, without "." and "..", sorted bytewise (archive order).
std::vector<std::string> read_dir_names(const std::string& path);

// The member for host path `host`, archive name `name`, as lstat found it (`st`). A regular file
// with several links on the host gets a link key, so it becomes a hard link in the archive.
Member host_member(const std::string& host, const std::string& name, const struct stat& st, const PackOptions& options);

}  // namespace kdk
