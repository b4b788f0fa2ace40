#include "kconfig.hpp"

#include <algorithm>
#include <filesystem>
#include <cctype>
#include <cstdlib>

#include "atomic_file.hpp"
#include "error.hpp"
#include "suggest.hpp"
#include "text_lines.hpp"

namespace kdk {
namespace {

bool symbol_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::optional<KconfigSetting> parse_line(std::string_view raw) {
  std::string line(raw);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
  KconfigSetting s;
  s.text = line;
  const std::string_view unset_suffix = " is not set";
  if (line.rfind("# CONFIG_", 0) == 0 && line.size() > unset_suffix.size() &&
      line.compare(line.size() - unset_suffix.size(), unset_suffix.size(), unset_suffix) == 0) {
    s.symbol = line.substr(2, line.size() - 2 - unset_suffix.size());
    s.value = "n";
  } else if (line.empty() || line[0] == '#') {
    return std::nullopt;
  } else {
    auto eq = line.find('=');
    if (line.rfind("CONFIG_", 0) != 0 || eq == std::string::npos) {
      throw Error("expected CONFIG_<NAME>=<value> or '# CONFIG_<NAME> is not set'");
    }
    s.symbol = line.substr(0, eq);
    s.value = line.substr(eq + 1);
    if (s.value.empty()) throw Error("no value after '='; write '# " + s.symbol + " is not set' to turn it off");
    if (s.value.front() != '"' && s.value.find_first_of(" \t#") != std::string::npos) {
      throw Error("'" + s.value + "' is not a value (y, m, a number, or a \"quoted string\"); a comment goes on a line of its own");
    }
  }
  if (s.symbol.size() <= 7 || !std::all_of(s.symbol.begin(), s.symbol.end(), symbol_char)) {
    throw Error("'" + s.symbol + "' is not an option name");
  }
  return s;
}

std::string format_setting(const std::string& symbol, const std::string& value) {
  return value == "n" ? "# " + symbol + " is not set" : symbol + "=" + value;
}


// "# kdk-if: CONDITION" -> CONDITION.
std::optional<std::string> kdk_if_directive(std::string_view line) {
  const std::string_view prefix = "# kdk-if:";
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string rest(line.substr(prefix.size()));
  rest.erase(0, rest.find_first_not_of(" \t"));
  rest.erase(rest.find_last_not_of(" \t\r") + 1);
  if (rest.empty()) throw Error("'# kdk-if:' needs a condition: defined, or linux >= VERSION (and <, <=, >, ==)");
  return rest;
}

struct ConditionTerm {
  std::string package;  // empty for `defined`
  std::string op;
  std::vector<int> version;
};

std::vector<ConditionTerm> parse_condition(const std::string& condition) {
  std::vector<ConditionTerm> terms;
  std::size_t pos = 0;
  while (pos <= condition.size()) {
    std::size_t amp = condition.find("&&", pos);
    auto fields = split_fields(std::string_view(condition).substr(pos, amp == std::string::npos ? std::string::npos : amp - pos));
    ConditionTerm t;
    if (fields.size() == 1 && fields[0] == "defined") {
      terms.push_back(t);
    } else if (fields.size() == 3 && (fields[0] == "linux" || fields[0] == "busybox") &&
               (fields[1] == ">=" || fields[1] == ">" || fields[1] == "<=" || fields[1] == "<" || fields[1] == "==")) {
      t.package = std::string(fields[0]);
      t.op = std::string(fields[1]);
      t.version = parse_version(fields[2]);
      terms.push_back(t);
    } else {
      throw Error("'# kdk-if: " + condition + "': each condition is 'defined' or 'linux OP VERSION' (OP: >=, >, <=, <, ==), "
                  "joined by &&");
    }
    if (amp == std::string::npos) break;
    pos = amp + 2;
  }
  return terms;
}

}  // namespace

std::vector<KconfigSetting> parse_kconfig(std::string_view text, const std::string& filename) {
  TextLines lines = TextLines::split(text);
  std::vector<KconfigSetting> out;
  std::string condition;       // of a "# kdk-if:" line waiting for its setting
  std::size_t condition_line = 0;
  for (std::size_t i = 0; i < lines.lines.size(); ++i) {
    try {
      const std::string& line = lines.lines[i];
      std::optional<std::string> directive = kdk_if_directive(line);
      if (directive) {
        if (!condition.empty()) throw Error("two '# kdk-if:' lines in a row; join their conditions with &&");
        parse_condition(*directive);
        condition = *directive;
        condition_line = i;
        continue;
      }
      auto s = parse_line(line);
      if (!condition.empty() && !s) {
        throw Error("a '# kdk-if:' line must be followed directly by the setting it guards", location(filename, condition_line + 1),
                    lines.lines[condition_line]);
      }
      if (s) {
        s->origin = location(filename, i + 1);
        s->condition = std::move(condition);
        condition.clear();
        out.push_back(std::move(*s));
      }
    } catch (const Error& e) {
      if (!e.where().empty()) throw;
      throw Error(e.what(), location(filename, i + 1), lines.lines[i]);
    }
  }
  if (!condition.empty()) {
    throw Error("a '# kdk-if:' line must be followed directly by the setting it guards", location(filename, condition_line + 1),
                lines.lines[condition_line]);
  }
  return out;
}

std::vector<int> parse_version(std::string_view text) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t dot = text.find('.', pos);
    std::string_view part = text.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (part.empty() || part.size() > 6 || !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw Error("'" + std::string(text) + "' is not a version (write it as 6.12 or 6.12.3)");
    }
    out.push_back(std::stoi(std::string(part)));
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (out.size() > 3) throw Error("'" + std::string(text) + "' is not a version (write it as 6.12 or 6.12.3)");
  return out;
}

KconfigTarget KconfigTarget::of_tree(const std::string& root, const KconfigIndex* index) {
  namespace fs = std::filesystem;
  KconfigTarget t;
  t.index = index;
  std::error_code ec;
  if (fs::exists(fs::path(root) / "Kconfig", ec)) t.package = "linux";
  else if (fs::exists(fs::path(root) / "Config.in", ec)) t.package = "busybox";
  if (!fs::exists(fs::path(root) / "Makefile", ec)) return t;
  std::map<std::string, std::string> fields;
  TextLines makefile = TextLines::split(read_file((fs::path(root) / "Makefile").string()));
  for (std::size_t i = 0; i < makefile.lines.size() && i < 20; ++i) {
    auto f = split_fields(makefile.lines[i]);
    if (f.size() >= 3 && f[1] == "=") fields[std::string(f[0])] = std::string(f[2]);
    else if (f.size() == 2 && f[1] == "=") fields[std::string(f[0])] = "0";
  }
  try {
    t.version = parse_version(fields.at("VERSION") + "." + fields.at("PATCHLEVEL") + "." + fields.at("SUBLEVEL"));
  } catch (const std::exception&) {
    t.version.clear();  // not a kbuild Makefile: version conditions will say so
  }
  return t;
}

std::string KconfigTarget::describe() const {
  std::string name = package == "busybox" ? "BusyBox" : package == "linux" ? "Linux" : "this tree";
  std::string v;
  for (int part : version) v += (v.empty() ? "" : ".") + std::to_string(part);
  return v.empty() ? name : name + " " + v;
}

KconfigCatalogue KconfigCatalogue::parse(std::string_view text, const std::string& filename) {
  KconfigCatalogue c;
  TextLines lines = TextLines::split(text);
  for (std::size_t i = 0; i < lines.lines.size(); ++i) {
    if (is_blank_or_comment(lines.lines[i])) continue;
    auto fields = split_fields(lines.lines[i]);
    if (fields.size() < 2 || fields[0].find(':') == std::string_view::npos) {
      throw Error("expected SCOPE:SYMBOL VERSION...", location(filename, i + 1), lines.lines[i]);
    }
    auto& versions = c.entries_[std::string(fields[0])];
    for (std::size_t f = 1; f < fields.size(); ++f) {
      try {
        parse_version(fields[f]);
      } catch (const Error& e) {
        throw Error(e.what(), location(filename, i + 1), lines.lines[i]);
      }
      versions.emplace_back(fields[f]);
    }
  }
  return c;
}

std::string KconfigCatalogue::make(const std::vector<std::pair<std::string, std::string>>& trees,
                                   const std::vector<std::string>& srcarches) {
  // scope:symbol -> the versions defining it; a symbol every tree defines is left out.
  std::map<std::string, std::vector<std::string>> seen;
  std::string header;
  for (const auto& [version, root] : trees) {
    parse_version(version);
    header += " " + version;
    KconfigIndex generic = KconfigIndex::scan(root, "-");  // no arch/ directory at all
    for (const auto& symbol : generic.symbols()) seen["*:" + symbol].push_back(version);
    for (const auto& arch : srcarches) {
      KconfigIndex with_arch = KconfigIndex::scan(root, arch);
      for (const auto& symbol : with_arch.symbols()) {
        if (!generic.knows(symbol)) seen[arch + ":" + symbol].push_back(version);
      }
    }
  }
  std::string out = "# Kconfig symbols that some of these kernels define and others do not (kdk kconfig catalogue):" +
                    header + "\n# SCOPE:SYMBOL VERSION...  (SCOPE: * outside arch/, else the arch/ directory)\n";
  for (const auto& [key, versions] : seen) {
    if (versions.size() == trees.size()) continue;
    out += key;
    for (const auto& v : versions) out += " " + v;
    out += "\n";
  }
  return out;
}

std::vector<std::string> KconfigCatalogue::versions(const std::string& symbol, const std::string& srcarch) const {
  std::vector<std::string> out;
  for (const auto& key : {"*:" + symbol, srcarch + ":" + symbol}) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    for (const auto& v : it->second) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return parse_version(a) < parse_version(b); });
  return out;
}

bool setting_applies(const KconfigSetting& setting, const KconfigTarget& target) {
  if (setting.condition.empty()) return true;
  for (const auto& term : parse_condition(setting.condition)) {
    if (term.package.empty()) {
      if (!target.index) {
        throw Error("'# kdk-if: defined' needs the source tree's Kconfig files (kdk kconfig ... --kconfig-root SRC)",
                    setting.origin, setting.text);
      }
      if (!target.index->knows(setting.symbol.substr(7))) return false;
      continue;
    }
    if (target.version.empty()) {
      throw Error("'# kdk-if: " + setting.condition + "' needs the version of the source tree (kdk kconfig ... --kconfig-root SRC)",
                  setting.origin, setting.text);
    }
    if (term.package != target.package) {
      throw Error("this condition is about " + term.package + ", but the fragment is applied to " + target.describe(),
                  setting.origin, setting.text);
    }
    std::vector<int> a = target.version, b = term.version;
    a.resize(3, 0);
    b.resize(3, 0);
    bool holds = term.op == ">=" ? a >= b : term.op == ">" ? a > b : term.op == "<=" ? a <= b : term.op == "<" ? a < b : a == b;
    if (!holds) return false;
  }
  return true;
}

MergeResult merge_kconfig(const NamedText& base, const std::vector<NamedText>& fragments, const KconfigTarget& target) {
  MergeResult result;
  TextLines lines = TextLines::split(base.text);
  std::map<std::string, std::size_t> line_of;  // symbol -> line index in `lines`
  for (std::size_t i = 0; i < lines.lines.size(); ++i) {
    try {
      if (auto s = parse_line(lines.lines[i])) line_of[s->symbol] = i;
    } catch (const Error& e) {
      throw Error(e.what(), location(base.name, i + 1), lines.lines[i]);
    }
  }
  std::map<std::string, KconfigSetting> by_fragment;
  for (const auto& fragment : fragments) {
    for (const auto& s : parse_kconfig(fragment.text, fragment.name)) {
      if (!setting_applies(s, target)) continue;
      auto earlier = by_fragment.find(s.symbol);
      if (earlier != by_fragment.end() && earlier->second.value != s.value) {
        result.warnings.push_back(s.origin + ": " + format_setting(s.symbol, s.value) + " overrides " +
                                  earlier->second.origin + " (" + format_setting(s.symbol, earlier->second.value) + ")");
      }
      by_fragment[s.symbol] = s;
      std::string line = format_setting(s.symbol, s.value);
      auto at = line_of.find(s.symbol);
      if (at != line_of.end()) {
        lines.lines[at->second] = line;
      } else {
        line_of[s.symbol] = lines.lines.size();
        lines.append(line);
      }
    }
  }
  result.config = lines.join();
  return result;
}

KconfigIndex KconfigIndex::scan(const std::string& root, const std::string& srcarch) {
  namespace fs = std::filesystem;
  KconfigIndex index;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error("not a directory", root);
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      auto rel = fs::relative(p, root, ec).string();
      bool other_arch = rel.rfind("arch/", 0) == 0 && rel.find('/', 5) == std::string::npos && !srcarch.empty() &&
                        rel != "arch/" + srcarch;
      if (name == ".git" || other_arch) it.disable_recursion_pending();
      continue;
    }
    if (name.rfind("Kconfig", 0) != 0 && name != "Config.in") continue;
    index.scan_file(read_file(p.string()));
  }
  return index;
}

void KconfigIndex::scan_file(const std::string& text) {
  // Kconfig attaches conditions to entries in three ways: their own `depends on`, the enclosing
  // `if EXPR ... endif`, and the `depends on` of an enclosing `menu` or `choice`. Each block is
  // one element of `blocks`; an entry's conditions are all blocks' plus its own.
  struct Block {
    std::string keyword;  // "if", "menu", "choice"
    std::vector<std::string> conditions;
  };
  std::vector<Block> blocks;
  std::string current;          // the config entry whose attributes follow
  Block* attributes_of = nullptr;  // or the menu/choice whose attributes follow
  for (const auto& raw : TextLines::split(text).lines) {
    std::string_view line = raw;
    auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    std::string_view body = line.substr(first);
    auto fields = split_fields(body);
    std::string keyword(fields[0]);
    if (keyword == "config" || keyword == "menuconfig") {
      if (fields.size() < 2) continue;
      current = std::string(fields[1]);
      attributes_of = nullptr;
      auto& deps = depends_[current];
      for (const auto& b : blocks) deps.insert(deps.end(), b.conditions.begin(), b.conditions.end());
    } else if (keyword == "if") {
      blocks.push_back({"if", {std::string(body.substr(2))}});
      current.clear();
      attributes_of = nullptr;
    } else if (keyword == "menu" || keyword == "choice") {
      blocks.push_back({keyword, {}});
      current.clear();
      attributes_of = &blocks.back();
    } else if (keyword == "endif" || keyword == "endmenu" || keyword == "endchoice") {
      std::string open = keyword.substr(3);
      while (!blocks.empty()) {
        bool match = blocks.back().keyword == open;
        blocks.pop_back();
        if (match) break;
      }
      current.clear();
      attributes_of = nullptr;
    } else if (!current.empty() && (keyword == "bool" || keyword == "tristate" || keyword == "string" || keyword == "int" ||
                                    keyword == "hex" || keyword == "prompt") &&
               body.find('"') != std::string_view::npos) {
      prompted_[current] = true;
      // `bool "prompt" if EXPR`: without EXPR the user cannot set it; it keeps its default.
      if (body.rfind(" if ") != std::string_view::npos && body.find('"') < body.rfind(" if ")) {
        depends_[current].emplace_back(body.substr(body.rfind(" if ") + 4));
      }
    } else if (!current.empty() && keyword == "select" && fields.size() >= 2) {
      std::string by = current;
      if (fields.size() >= 4 && fields[2] == "if") by += " if " + std::string(body.substr(body.find(" if ") + 4));
      selectors_[std::string(fields[1])].push_back(by);
    } else if (keyword == "depends" && fields.size() >= 3 && fields[1] == "on") {
      std::string expr(body.substr(body.find("on") + 3));
      if (!current.empty()) depends_[current].push_back(expr);
      else if (attributes_of) attributes_of->conditions.push_back(expr);
    } else if (first == 0) {
      current.clear();  // source, comment, mainmenu ...: the entry is over
      attributes_of = nullptr;
    }
  }
}

const std::vector<std::string>& KconfigIndex::depends_on(const std::string& symbol) const {
  static const std::vector<std::string> none;
  auto it = depends_.find(symbol);
  return it == depends_.end() ? none : it->second;
}

const std::vector<std::string>& KconfigIndex::selected_by(const std::string& symbol) const {
  static const std::vector<std::string> none;
  auto it = selectors_.find(symbol);
  return it == selectors_.end() ? none : it->second;
}

std::vector<std::string> KconfigIndex::symbols() const {
  std::vector<std::string> out;
  for (const auto& [symbol, deps] : depends_) out.push_back(symbol);
  return out;
}

namespace {

// Kconfig expressions on tristate values (n=0, m=1, y=2), just enough to say which condition of
// an option is false in a given .config.
class ExprEval {
 public:
  ExprEval(std::string_view text, const std::map<std::string, std::string>& config) : text_(text), config_(config) {}

  int evaluate() {
    int v = parse_or();
    skip_space();
    return pos_ == text_.size() ? v : 2;  // not understood: do not blame it
  }

 private:
  struct Value {
    int tristate;
    std::string text;
  };

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool eat(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  int parse_or() {
    int v = parse_and();
    while (eat("||")) v = std::max(v, parse_and());
    return v;
  }
  int parse_and() {
    int v = parse_not();
    while (eat("&&")) v = std::min(v, parse_not());
    return v;
  }
  int parse_not() {
    skip_space();
    if (pos_ + 1 < text_.size() && text_[pos_] == '!' && text_[pos_ + 1] != '=') {
      ++pos_;
      return 2 - parse_not();
    }
    return parse_compare();
  }
  int parse_compare() {
    Value a = parse_atom();
    for (std::string_view op : {"!=", "<=", ">=", "=", "<", ">"}) {
      if (!eat(op)) continue;
      Value b = parse_atom();
      if (op == "=") return a.text == b.text ? 2 : 0;
      if (op == "!=") return a.text != b.text ? 2 : 0;
      long long x = std::strtoll(a.text.c_str(), nullptr, 0), y = std::strtoll(b.text.c_str(), nullptr, 0);
      bool r = op == "<" ? x < y : op == ">" ? x > y : op == "<=" ? x <= y : x >= y;
      return r ? 2 : 0;
    }
    return a.tristate;
  }
  Value parse_atom() {
    if (eat("(")) {
      int v = parse_or();
      eat(")");
      return {v, v == 2 ? "y" : v == 1 ? "m" : "n"};
    }
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      std::size_t close = text_.find('"', pos_ + 1);
      std::string literal(text_.substr(pos_ + 1, close == std::string_view::npos ? 0 : close - pos_ - 1));
      pos_ = close == std::string_view::npos ? text_.size() : close + 1;
      return {0, literal};
    }
    std::size_t start = pos_;
    while (pos_ < text_.size() && symbol_char(text_[pos_])) ++pos_;
    std::string word(text_.substr(start, pos_ - start));
    if (word == "y" || word == "m" || word == "n") return {word == "y" ? 2 : word == "m" ? 1 : 0, word};
    auto it = config_.find("CONFIG_" + word);
    std::string value = it == config_.end() ? "n" : it->second;
    if (!value.empty() && value.front() == '"') value = value.substr(1, value.size() - 2);
    if (word.empty() || std::isdigit(static_cast<unsigned char>(word[0]))) return {0, word};
    return {value == "y" ? 2 : value == "m" ? 1 : 0, value};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const std::map<std::string, std::string>& config_;
};

// Splits an expression at its top-level "&&" into the conditions that must all hold.
std::vector<std::string> conjuncts(const std::string& expr) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < expr.size(); ++i) {
    if (expr[i] == '(') ++depth;
    if (expr[i] == ')') --depth;
    if (depth == 0 && expr.compare(i, 2, "&&") == 0) {
      out.push_back(expr.substr(start, i - start));
      start = i + 2;
    }
  }
  out.push_back(expr.substr(start));
  for (auto& c : out) {
    c.erase(0, c.find_first_not_of(" \t"));
    c.erase(c.find_last_not_of(" \t") + 1);
  }
  return out;
}

// Where the catalogue has a symbol this tree lacks: "it exists only in older kernels (kdk's
// catalogue: Linux 6.1), not in Linux 7.2.13", or "".
std::string symbol_history(const std::string& bare, const KconfigTarget& target) {
  if (!target.catalogue || target.version.size() < 2) return {};
  std::vector<std::string> have = target.catalogue->versions(bare, target.srcarch);
  if (have.empty()) return {};
  std::vector<int> current{target.version[0], target.version[1]};
  bool older = true, newer = true;
  std::string list;
  for (const auto& v : have) {
    std::vector<int> parsed = parse_version(v);
    parsed.resize(2, 0);
    if (parsed == current) return {};  // the catalogue says this version has it: a patched tree
    older = older && parsed < current;
    newer = newer && parsed > current;
    list += (list.empty() ? "" : ", ") + v;
  }
  std::string where = older ? "it exists only in older kernels" : newer ? "it exists only in newer kernels" : "it exists in other kernels";
  return ": " + where + " (kdk's catalogue: Linux " + list + "), not in " + target.describe();
}

// " (did you mean 'CONFIG_X'?)" for a symbol this tree does not define: a near spelling, or else
// a rename that kept the part after the first '_' (SOC_VIRT -> ARCH_VIRT), or "".
std::string suggest_symbol(const std::string& bare, const KconfigIndex& index) {
  std::vector<std::string> known = index.symbols();
  std::string match = closest_match(bare, known);
  auto underscore = bare.find('_');
  if (match.empty() && underscore != std::string::npos && bare.size() - underscore > 4) {
    std::string tail = bare.substr(underscore);
    std::vector<std::string> renamed;
    for (const auto& k : known) {
      if (k.size() > tail.size() && k.compare(k.size() - tail.size(), tail.size(), tail) == 0 &&
          k.find('_') == k.size() - tail.size()) {
        renamed.push_back(k);
      }
    }
    match = closest_match(bare, renamed, bare.size());
  }
  return match.empty() ? std::string() : " (did you mean 'CONFIG_" + match + "'?)";
}

}  // namespace

std::vector<KconfigProblem> verify_kconfig(std::string_view final_config, const std::vector<KconfigSetting>& fragments,
                                           const KconfigTarget& target) {
  const KconfigIndex* index = target.index;
  std::map<std::string, std::string> actual;
  for (const auto& s : parse_kconfig(final_config, ".config")) actual[s.symbol] = s.value;
  auto value_of = [&](const std::string& symbol) {
    auto it = actual.find(symbol);
    return it == actual.end() ? std::string("n") : it->second;
  };
  // The last request for each symbol is the one that counts, as in the merge.
  std::map<std::string, const KconfigSetting*> last;
  std::vector<std::string> order;
  for (const auto& s : fragments) {
    if (!setting_applies(s, target)) continue;
    if (!last.count(s.symbol)) order.push_back(s.symbol);
    last[s.symbol] = &s;
  }
  std::vector<KconfigProblem> problems;
  for (const auto& symbol : order) {
    const KconfigSetting& want = *last[symbol];
    std::string got = value_of(symbol);
    if (got == want.value) continue;
    std::string message = format_setting(symbol, want.value) + " did not stick: the final .config has it " +
                          (got == "n" ? "unset" : "as " + got);
    std::string bare = symbol.substr(7);
    if (index && !index->knows(bare)) {
      std::string history = symbol_history(bare, target);
      message += "; no Kconfig file defines " + bare + history + suggest_symbol(bare, *index);
      if (!history.empty()) message += "; to apply it only where it exists, put '# kdk-if: defined' on the line above it";
    } else if (index) {
      if (!index->has_prompt(bare)) {
        const auto& by = index->selected_by(bare);
        message += "; " + bare + " has no prompt in " + target.describe() + ": only `select` can set it; ";
        if (by.empty()) {
          message += "nothing selects it here";
        } else {
          message += "selected by: ";
          const std::size_t shown = 8;
          for (std::size_t i = 0; i < by.size() && i < shown; ++i) message += (i ? ", " : "") + by[i];
          if (by.size() > shown) message += " and " + std::to_string(by.size() - shown) + " more";
        }
      }
      // Set higher than asked for: `select` sets a floor that a fragment cannot lower.
      if (got != "n" && index->has_prompt(bare)) {
        std::string forcing;
        for (const auto& by : index->selected_by(bare)) {
          auto space = by.find(' ');
          std::string selector = by.substr(0, space);
          bool on = value_of("CONFIG_" + selector) != "n" &&
                    (space == std::string::npos || ExprEval(by.substr(by.find(" if ") + 4), actual).evaluate() != 0);
          if (on) forcing += (forcing.empty() ? "" : ", ") + selector;
        }
        if (!forcing.empty()) message += "; `select` forces it to at least " + got + " here, from: " + forcing;
      }
      // Name the conditions that are false here, and only those: an option inside a disabled
      // `if` or `choice` blames the block, not an innocent arm of an `||`.
      std::vector<std::string> unmet;
      for (const auto& expr : index->depends_on(bare)) {
        for (const auto& c : conjuncts(expr)) {
          if (ExprEval(c, actual).evaluate() != 0) continue;
          bool single = !c.empty() && std::all_of(c.begin(), c.end(), symbol_char);
          std::string text = single ? c + " is unset" : "'" + c + "' is false";
          if (std::find(unmet.begin(), unmet.end(), text) == unmet.end()) unmet.push_back(text);
        }
      }
      if (!unmet.empty()) {
        std::string list;
        for (const auto& u : unmet) list += (list.empty() ? "" : ", ") + u;
        message += "; it depends on what is off here: " + list;
      }
    }
    problems.push_back({want, message});
  }
  return problems;
}

}  // namespace kdk
