// A text file as lines kept byte for byte, shared by the inittab and fstab editors: an edit
// replaces, removes or appends whole lines and every other byte comes back unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace kdk {

struct TextLines {
  std::vector<std::string> lines;  // without '\n'; a '\r' stays part of its line
  bool final_newline = true;       // false when the last line had no '\n'

  static TextLines split(std::string_view text);
  std::string join() const;
  // Appends a line, keeping the file well formed if it lacked a final newline.
  void append(std::string line);
};

// Checks a value given to an edit option (--set, --add, --remove, ...): not empty, and one line
// of text: no newline, carriage return, NUL or other control character (a tab is fine), which
// would split the entry or corrupt the file for every later edit. Throws Error naming the option
// and the character, with the value quoted in C escapes.
void check_edit_value(const std::string& option, const std::string& value);

// True for a line that holds no entry: empty, white space, or a '#' comment.
bool is_blank_or_comment(std::string_view line);

// The white-space separated fields of a line (space, tab; a trailing '\r' is white space too).
std::vector<std::string_view> split_fields(std::string_view line);

// Parses every entry line of `text` with `parse` (which throws Error with a message only);
// blank and comment lines map to nullopt. Errors gain "FILE:LINE" and the quoted line.
template <typename Parse>
auto parse_entries(const TextLines& text, const std::string& filename, Parse parse)
    -> std::vector<std::optional<decltype(parse(std::string_view()))>> {
  std::vector<std::optional<decltype(parse(std::string_view()))>> entries;
  for (std::size_t i = 0; i < text.lines.size(); ++i) {
    const std::string& line = text.lines[i];
    if (is_blank_or_comment(line)) {
      entries.emplace_back();
      continue;
    }
    try {
      entries.emplace_back(parse(line));
    } catch (const Error& err) {
      std::string quoted = line;
      if (!quoted.empty() && quoted.back() == '\r') quoted.pop_back();
      throw Error(err.what(), location(filename, i + 1), quoted);
    }
  }
  return entries;
}

}  // namespace kdk
