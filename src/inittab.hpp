// /etc/inittab in either of the two forms a kernel developer meets:
//   BusyBox init:  <tty>:<ignored runlevels>:<action>:<process>     e.g. ttyS0::respawn:/sbin/getty ...
//   sysvinit:      <id>:<runlevels>:<action>:<process>              e.g. T0:23:respawn:/sbin/getty ...
// Both are four ':'-separated fields (the process may contain ':'); they differ in the actions they
// accept and in what the first field means. The editor is a pure string-to-string function.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

enum class InitStyle { BusyBox, SysV };

struct InittabEntry {
  std::string id;         // BusyBox: the tty ("" for the console); sysvinit: 1-4 characters
  std::string runlevels;
  std::string action;
  std::string process;
};

struct InittabEdit {
  std::vector<std::string> remove;          // ids / ttys whose entries go
  std::vector<std::string> remove_actions;  // actions whose entries go
  std::vector<std::string> set;             // entries that replace the one with the same key, or are appended
  std::vector<std::string> add;             // entries appended unless an identical one exists
  std::vector<std::string> getty;           // "TTY[,BAUD]": a serial getty in the file's own form
  std::optional<InitStyle> style;           // overrides detection (and is the default for an empty file)
};

std::string_view style_name(InitStyle style);

// Validates `content`; returns the form it is in. Throws Error "FILE:LINE" with the line quoted.
InitStyle check_inittab(std::string_view content, const std::string& filename,
                        std::optional<InitStyle> style = std::nullopt);

// Applies `edit` (removals, then set, getty and add, each in the order given) and returns the new
// content. Untouched lines are kept byte for byte; an edit already in effect changes nothing.
std::string edit_inittab(std::string_view content, const std::string& filename, const InittabEdit& edit);

// Parses one entry line; throws Error (message only) when it does not have four fields.
InittabEntry parse_inittab_entry(std::string_view line);

}  // namespace kdk
