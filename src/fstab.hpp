// /etc/fstab: <spec> <mount point> <type> <options> [<freq> [<passno>]], white-space separated,
// with octal escapes (\040 for a space) inside fields. The editor is a pure string-to-string
// function keyed by mount point.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kdk {

struct FstabEntry {
  std::vector<std::string> fields;  // as written, escapes included
  std::string mount_point;          // unescaped: the key
};

struct FstabEdit {
  std::vector<std::string> remove;  // mount points whose entries go
  std::vector<std::string> set;     // entries that replace the one with the same mount point, or are appended
};

// Validates; throws Error "FILE:LINE" with the line quoted.
void check_fstab(std::string_view content, const std::string& filename);

// Applies removals, then each --set in order. Untouched lines are kept byte for byte; an edit
// already in effect changes nothing.
std::string edit_fstab(std::string_view content, const std::string& filename, const FstabEdit& edit);

// Parses one entry; throws Error (message only).
FstabEntry parse_fstab_entry(std::string_view line);

// Decodes \NNN octal escapes; throws Error for a backslash not followed by three octal digits.
std::string fstab_unescape(std::string_view field);

}  // namespace kdk
