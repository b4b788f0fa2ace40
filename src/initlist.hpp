// The kernel's usr/gen_init_cpio list format: what CONFIG_INITRAMFS_SOURCE accepts, and how an
// unprivileged user puts device nodes and ownership into an image.
//
//   file  <name> <location> <mode> <uid> <gid> [<hard link name>...]
//   dir   <name> <mode> <uid> <gid>
//   nod   <name> <mode> <uid> <gid> <b|c> <major> <minor>
//   slink <name> <target> <mode> <uid> <gid>
//   pipe  <name> <mode> <uid> <gid>
//   sock  <name> <mode> <uid> <gid>
//
// Lines whose first word starts with '#' are comments. In a file's <location>, ${VAR} is
// replaced by the environment variable VAR, as gen_init_cpio does; unlike gen_init_cpio, an unset
// variable is an error rather than an empty string, because it always means a wrong path.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

enum class ListType { File, Dir, Nod, Slink, Pipe, Sock };

struct ListEntry {
  ListType type = ListType::File;
  std::string name;                    // normalized: no leading '/', no '.' or empty components
  std::string location;                // File: host source path (expanded); Slink: link target
  std::uint32_t mode = 0;              // permission bits only (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  char dev_type = 0;                   // Nod: 'b' or 'c'
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::vector<std::string> hardlinks;  // File: further names for the same data, normalized
  std::string origin;                  // "FILE:LINE"
  std::string text;                    // the line as written, for quoting in errors
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment, for EnvLookup.
std::optional<std::string> process_env(const std::string& name);

// Parses a whole list. `filename` is used in "FILE:LINE" of errors. Throws Error quoting the line.
std::vector<ListEntry> parse_init_list(std::string_view text, const std::string& filename,
                                       const EnvLookup& env = process_env);

// Normalizes an archive member name: strips leading '/', drops '.' and empty components.
// Throws Error (message only) for a '..' component or a name that is only the root.
std::string normalize_member_name(std::string_view name);

// One list line for `entry` (no trailing newline). Throws Error when a name or path holds
// white space, which the format cannot express.
std::string format_list_line(const ListEntry& entry);

std::string_view list_type_keyword(ListType type);

}  // namespace kdk
