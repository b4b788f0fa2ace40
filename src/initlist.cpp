#include "initlist.hpp"

#include <cstdio>
#include <cstdlib>

#include "error.hpp"
#include "suggest.hpp"
#include "text_lines.hpp"

namespace kdk {
namespace {

struct Keyword {
  std::string_view word;
  ListType type;
  std::size_t min_fields;  // including the keyword
  std::size_t max_fields;  // 0: unbounded
  std::string_view usage;
};

constexpr Keyword kKeywords[] = {
    {"file", ListType::File, 6, 0, "file <name> <location> <mode> <uid> <gid> [<hard link>...]"},
    {"dir", ListType::Dir, 5, 5, "dir <name> <mode> <uid> <gid>"},
    {"nod", ListType::Nod, 8, 8, "nod <name> <mode> <uid> <gid> <b|c> <major> <minor>"},
    {"slink", ListType::Slink, 6, 6, "slink <name> <target> <mode> <uid> <gid>"},
    {"pipe", ListType::Pipe, 5, 5, "pipe <name> <mode> <uid> <gid>"},
    {"sock", ListType::Sock, 5, 5, "sock <name> <mode> <uid> <gid>"},
};

std::uint32_t parse_number(std::string_view text, int base, std::uint64_t max, const char* what) {
  bool ok = !text.empty() && text.size() <= 12;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit = (c >= '0' && c <= '9') ? c - '0' : 99;
    if (digit >= base) {
      ok = false;
      break;
    }
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  if (!ok || value > max) {
    std::string range = base == 8 ? "an octal number up to 07777" : "a decimal number up to " + std::to_string(max);
    throw Error(std::string("bad ") + what + " '" + std::string(text) + "': expected " + range);
  }
  return static_cast<std::uint32_t>(value);
}

std::string expand_env(std::string_view location, const EnvLookup& env) {
  std::string out;
  std::size_t i = 0;
  while (i < location.size()) {
    std::size_t start = location.find("${", i);
    std::size_t end = start == std::string_view::npos ? start : location.find('}', start + 2);
    if (end == std::string_view::npos) {
      out.append(location.substr(i));
      break;
    }
    out.append(location.substr(i, start - i));
    std::string var(location.substr(start + 2, end - start - 2));
    auto value = env(var);
    if (!value) throw Error("${" + var + "} is not set in the environment; set it or write the path out");
    out += *value;
    i = end + 1;
  }
  return out;
}

ListEntry parse_line(std::string_view text, const std::vector<std::string_view>& words, const EnvLookup& env) {
  const Keyword* keyword = nullptr;
  for (const auto& k : kKeywords) {
    if (k.word == words[0]) keyword = &k;
  }
  if (!keyword) {
    std::vector<std::string> names;
    for (const auto& k : kKeywords) names.emplace_back(k.word);
    throw Error("unknown entry type '" + std::string(words[0]) + "'" + did_you_mean(words[0], names) +
                "; expected file, dir, nod, slink, pipe or sock");
  }
  if (words.size() < keyword->min_fields || (keyword->max_fields && words.size() > keyword->max_fields)) {
    throw Error(std::to_string(words.size() - 1) + " fields after '" + std::string(keyword->word) +
                "'; expected: " + std::string(keyword->usage));
  }
  ListEntry e;
  e.type = keyword->type;
  e.text = std::string(text);
  e.name = normalize_member_name(words[1]);
  std::size_t next = 2;
  if (e.type == ListType::File) {
    e.location = expand_env(words[next++], env);
  } else if (e.type == ListType::Slink) {
    e.location = std::string(words[next++]);
  }
  e.mode = parse_number(words[next++], 8, 07777, "mode");
  e.uid = parse_number(words[next++], 10, 0xffffffffu, "uid");
  e.gid = parse_number(words[next++], 10, 0xffffffffu, "gid");
  if (e.type == ListType::Nod) {
    std::string_view dev = words[next++];
    if (dev != "b" && dev != "c") {
      throw Error("bad device type '" + std::string(dev) + "': expected 'b' (block) or 'c' (character)");
    }
    e.dev_type = dev[0];
    e.major = parse_number(words[next++], 10, 4095, "major number");
    e.minor = parse_number(words[next++], 10, 1048575, "minor number");
  }
  if (e.type == ListType::File) {
    for (; next < words.size(); ++next) e.hardlinks.push_back(normalize_member_name(words[next]));
  }
  return e;
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

std::string normalize_member_name(std::string_view name) {
  std::string out;
  std::size_t i = 0;
  while (i <= name.size()) {
    std::size_t end = name.find('/', i);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(i, end - i);
    if (part == "..") throw Error("name '" + std::string(name) + "' has a '..' component");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out.append(part);
    }
    i = end + 1;
  }
  if (out.empty()) throw Error("name '" + std::string(name) + "' is the archive root, which cannot be an entry");
  return out;
}

std::vector<ListEntry> parse_init_list(std::string_view text, const std::string& filename, const EnvLookup& env) {
  TextLines lines = TextLines::split(text);
  auto parsed = parse_entries(lines, filename, [&](std::string_view line) { return parse_line(line, split_fields(line), env); });
  std::vector<ListEntry> entries;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i]) continue;
    entries.push_back(std::move(*parsed[i]));
    entries.back().origin = location(filename, i + 1);
  }
  return entries;
}

std::string_view list_type_keyword(ListType type) {
  for (const auto& k : kKeywords) {
    if (k.type == type) return k.word;
  }
  return "?";
}

std::string format_list_line(const ListEntry& e) {
  auto checked = [](const std::string& word) -> const std::string& {
    if (word.find_first_of(" \t\r\n") != std::string::npos) {
      throw Error("'" + word + "' contains white space, which a gen_init_cpio list cannot express");
    }
    return word;
  };
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
  std::string out(list_type_keyword(e.type));
  out += ' ' + checked('/' + e.name);
  if (e.type == ListType::File || e.type == ListType::Slink) out += ' ' + checked(e.location);
  out += ' ' + std::string(mode) + ' ' + std::to_string(e.uid) + ' ' + std::to_string(e.gid);
  if (e.type == ListType::Nod) {
    out += ' ';
    out += e.dev_type;
    out += ' ' + std::to_string(e.major) + ' ' + std::to_string(e.minor);
  }
  for (const auto& link : e.hardlinks) out += ' ' + checked('/' + link);
  return out;
}

}  // namespace kdk
