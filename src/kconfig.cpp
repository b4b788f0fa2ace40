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
  }
  if (s.symbol.size() <= 7 || !std::all_of(s.symbol.begin(), s.symbol.end(), symbol_char)) {
    throw Error("'" + s.symbol + "' is not an option name");
  }
  return s;
}

std::string format_setting(const std::string& symbol, const std::string& value) {
  return value == "n" ? "# " + symbol + " is not set" : symbol + "=" + value;
}


}  // namespace

std::vector<KconfigSetting> parse_kconfig(std::string_view text, const std::string& filename) {
  TextLines lines = TextLines::split(text);
  std::vector<KconfigSetting> out;
  for (std::size_t i = 0; i < lines.lines.size(); ++i) {
    try {
      if (auto s = parse_line(lines.lines[i])) {
        s->origin = location(filename, i + 1);
        out.push_back(std::move(*s));
      }
    } catch (const Error& e) {
      throw Error(e.what(), location(filename, i + 1), lines.lines[i]);
    }
  }
  return out;
}

MergeResult merge_kconfig(const NamedText& base, const std::vector<NamedText>& fragments) {
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
               body.rfind(" if ") != std::string_view::npos && body.find('"') < body.rfind(" if ")) {
      // `bool "prompt" if EXPR`: without EXPR the user cannot set it; it keeps its default.
      depends_[current].emplace_back(body.substr(body.rfind(" if ") + 4));
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

}  // namespace

std::vector<KconfigProblem> verify_kconfig(std::string_view final_config, const std::vector<KconfigSetting>& fragments,
                                           const KconfigIndex* index) {
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
    if (!last.count(s.symbol)) order.push_back(s.symbol);
    last[s.symbol] = &s;
  }
  std::vector<std::string> known;
  if (index) {
    for (const auto& s : index->symbols()) known.push_back("CONFIG_" + s);
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
      message += "; no Kconfig file defines " + bare + did_you_mean(symbol, known);
    } else if (index) {
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
