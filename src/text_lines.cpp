#include "text_lines.hpp"

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
