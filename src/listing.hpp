// `kdk cpio list` output, line for line what GNU `cpio -t` and `cpio -tv` print.
#pragma once

#include <ctime>
#include <string>

#include "archive_io.hpp"

namespace kdk {

// "drwxr-xr-x" and friends, set-id and sticky bits included, as ls and cpio show them.
std::string mode_string(mode_t mode);

// One `cpio -tv` line without the newline. `now` decides, as in GNU cpio, whether the time of
// day or the year is shown (older than six months, or in the future: the year).
std::string long_listing(const EntryInfo& entry, std::time_t now);

}  // namespace kdk
