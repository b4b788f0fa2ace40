// The inputs of a pack, as `kdk cpio pack` and `kdk image ext4` both take them: DIRs, --spec
// lists, --keep-owner, and --mtime or SOURCE_DATE_EPOCH. Defined in cmd_cpio.cpp.
#pragma once

#include <functional>

#include "cli.hpp"
#include "pack_plan.hpp"

namespace kdk {

// --keep-owner, and the mtime clamp from --mtime or else SOURCE_DATE_EPOCH.
PackOptions pack_options(const Args& args);

// The plan of `base` (members it adds, such as a tar archive's), the positional DIRs, then the
// --spec lists (parsed now, so a bad line is an error before anything is written). Members that
// `base` adds overlay the DIRs, so a caller gives one or the other.
PackPlan pack_plan(const Args& args, const PackOptions& options, const std::function<void(PackPlan&)>& base = {});

}  // namespace kdk
