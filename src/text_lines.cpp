#include "text_lines.hpp"

#include <cstdio>

namespace kdk {

TextLines TextLines::split(std::string_view text) {
  TextLines t;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      t.lines.emplace_back(text.substr(pos));
      t.final_newline = false;
      break;
    }
    t.lines.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return t;
}

std::string TextLines::join() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i + 1 < lines.size() || final_newline) out += '\n';
  }
  return out;
}

void TextLines::append(std::string line) {
  final_newline = true;
  lines.push_back(std::move(line));
}

void check_edit_value(const std::string& option, const std::string& value) {
  if (value.empty()) throw Error("the value is empty; give an entry", option);
  std::string shown;
  std::string found;
  for (unsigned char c : value) {
    bool control = (c < 0x20 && c != '\t') || c == 0x7f;
    if (!control) {
      shown += static_cast<char>(c);
      continue;
    }
    char escaped[8];
    const char* name = c == '\n' ? "a newline" : c == '\r' ? "a carriage return" : c == 0 ? "a NUL" : nullptr;
    if (c == '\n') std::snprintf(escaped, sizeof escaped, "\\n");
    else if (c == '\r') std::snprintf(escaped, sizeof escaped, "\\r");
    else std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
    shown += escaped;
    if (found.empty()) found = name ? name : std::string("the control character ") + escaped;
  }
  if (!found.empty()) {
    throw Error("the value has " + found + " in it; an entry is one line of text, so it is refused", option, shown);
  }
}

bool is_blank_or_comment(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t\r");
  return i == std::string_view::npos || line[i] == '#';
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  auto blank = [&](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !blank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

}  // namespace kdk
