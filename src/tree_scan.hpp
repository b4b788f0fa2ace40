// Walking a host directory into archive members without following symlinks.
#pragma once

#include <string>

#include "pack_plan.hpp"

namespace kdk {

// Adds every entry below `dir` (not `dir` itself, which becomes the archive root) to `plan`.
// Regular files with several links on the host become hard links in the archive.
void scan_tree(const std::string& dir, const PackOptions& options, PackPlan& plan);

}  // namespace kdk
