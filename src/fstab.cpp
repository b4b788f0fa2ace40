#include "fstab.hpp"

#include <optional>

#include "error.hpp"
#include "text_lines.hpp"

namespace kdk {
namespace {

const char* const kFieldNames[] = {"spec", "mount point", "type", "options", "freq", "passno"};

struct Parsed {
  TextLines text;
  std::vector<std::optional<FstabEntry>> entries;  // parallel to text.lines
};

Parsed parse_file(std::string_view content, const std::string& filename) {
  Parsed p;
  p.text = TextLines::split(content);
  p.entries = parse_entries(p.text, filename, parse_fstab_entry);
  return p;
}

// The separator this file uses between fields, so that new lines look like their neighbours.
std::string separator(const Parsed& p) {
  for (std::size_t i = 0; i < p.entries.size(); ++i) {
    if (p.entries[i]) return p.text.lines[i].find('\t') != std::string::npos ? "\t" : " ";
  }
  return " ";
}

}  // namespace

std::string fstab_unescape(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    auto octal = [&](std::size_t j) { return j < field.size() && field[j] >= '0' && field[j] <= '7'; };
    if (!octal(i + 1) || !octal(i + 2) || !octal(i + 3)) {
      throw Error("bad escape in '" + std::string(field) +
                  "': a backslash must start a 3-digit octal escape, such as \\040 for a space, \\011 for a tab "
                  "or \\134 for a backslash");
    }
    int value = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
    if (value > 255) throw Error("bad escape in '" + std::string(field) + "': \\" + std::string(field.substr(i + 1, 3)) + " is above \\377");
    out += static_cast<char>(value);
    i += 3;
  }
  return out;
}

FstabEntry parse_fstab_entry(std::string_view line) {
  FstabEntry e;
  for (auto field : split_fields(line)) e.fields.emplace_back(field);
  if (e.fields.size() < 4 || e.fields.size() > 6) {
    throw Error(std::to_string(e.fields.size()) +
                " fields; an fstab entry has 4 to 6: <spec> <mount point> <type> <options> [<freq> [<passno>]]");
  }
  for (std::size_t f = 0; f < e.fields.size(); ++f) {
    try {
      std::string value = fstab_unescape(e.fields[f]);
      if (f == 1) e.mount_point = value;
    } catch (const Error& err) {
      throw Error(std::string(kFieldNames[f]) + " field: " + err.what());
    }
    if (f >= 4 && e.fields[f].find_first_not_of("0123456789") != std::string::npos) {
      throw Error(std::string(kFieldNames[f]) + " field '" + e.fields[f] + "' is not a number");
    }
  }
  bool swap = e.fields[2] == "swap";
  if (e.mount_point.empty() || (e.mount_point[0] != '/' && !(swap || e.mount_point == "none"))) {
    throw Error("mount point '" + e.fields[1] + "' is not an absolute path (only swap entries may use 'none')");
  }
  return e;
}

void check_fstab(std::string_view content, const std::string& filename) { parse_file(content, filename); }

std::string edit_fstab(std::string_view content, const std::string& filename, const FstabEdit& edit) {
  for (const auto& value : edit.set) check_edit_value("--set", value);
  for (const auto& value : edit.remove) check_edit_value("--remove", value);
  Parsed p = parse_file(content, filename);
  for (const auto& raw : edit.remove) {
    std::string mount_point;
    try {
      mount_point = fstab_unescape(raw);
    } catch (const Error& err) {
      throw Error(err.what(), "--remove", raw);
    }
    for (std::size_t i = p.entries.size(); i-- > 0;) {
      if (p.entries[i] && p.entries[i]->mount_point == mount_point) {
        p.entries.erase(p.entries.begin() + static_cast<long>(i));
        p.text.lines.erase(p.text.lines.begin() + static_cast<long>(i));
      }
    }
  }
  const std::string sep = separator(p);
  for (const auto& value : edit.set) {
    FstabEntry e;
    try {
      e = parse_fstab_entry(value);
    } catch (const Error& err) {
      throw Error(err.what(), "--set", value);
    }
    std::string line;
    for (const auto& f : e.fields) line += (line.empty() ? "" : sep) + f;
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < p.entries.size(); ++i) {
      if (p.entries[i] && p.entries[i]->mount_point == e.mount_point) matches.push_back(i);
    }
    if (matches.size() > 1) {
      throw Error(std::to_string(matches.size()) + " entries mount on '" + e.mount_point +
                      "', so which to replace is ambiguous; use --remove first",
                  "--set", value);
    }
    if (matches.empty()) {
      p.text.append(line);
      p.entries.emplace_back(std::move(e));
    } else if (p.entries[matches[0]]->fields != e.fields) {
      p.text.lines[matches[0]] = line;
      p.entries[matches[0]] = std::move(e);
    }
  }
  return p.text.join();
}

}  // namespace kdk
