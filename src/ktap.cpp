#include "ktap.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "boot_monitor.hpp"

namespace kdk {
namespace {

// What a log line holds once the console's decorations are off: its indentation (spaces) and the
// rest.
struct Line {
  std::size_t indent = 0;
  std::string_view body;
};

// Skips one "[ ... ]" printk prefix (a timestamp "[    1.234567]", or a caller id "[    T1]").
bool skip_bracket(std::string_view& s) {
  if (s.empty() || s[0] != '[') return false;
  std::size_t close = s.find(']');
  if (close == std::string_view::npos || close > 24) return false;
  for (std::size_t i = 1; i < close; ++i) {
    char c = s[i];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == ' ' || c == '.' || c == 'T' || c == 'C')) return false;
  }
  s.remove_prefix(close + 1);
  return true;
}

Line decorate_off(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
  std::string_view s = raw;
  if (skip_bracket(s)) {
    skip_bracket(s);  // CONFIG_PRINTK_CALLER's "[    T1]"
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  Line line;
  while (line.indent < s.size() && s[line.indent] == ' ') ++line.indent;
  line.body = s.substr(line.indent);
  while (!line.body.empty() && (line.body.back() == ' ' || line.body.back() == '\t')) line.body.remove_suffix(1);
  return line;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::optional<std::size_t> parse_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

bool is_version_line(std::string_view body) {
  std::string_view rest;
  if (starts_with(body, "KTAP version ")) rest = body.substr(13);
  else if (starts_with(body, "TAP version ")) rest = body.substr(12);
  else return false;
  return parse_number(rest).has_value();
}

std::optional<long> parse_plan(std::string_view body) {
  if (!starts_with(body, "1..")) return std::nullopt;
  std::string_view rest = body.substr(3);
  std::size_t hash = rest.find(" #");  // "1..0 # SKIP reason"
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto n = parse_number(rest);
  if (!n) return std::nullopt;
  return static_cast<long>(*n);
}

struct Result {
  bool ok = false;
  std::size_t number = 0;  // 0: not given
  std::string name;
  std::string directive;
};

std::optional<Result> parse_result(std::string_view body) {
  Result r;
  if (starts_with(body, "ok")) {
    r.ok = true;
    body.remove_prefix(2);
  } else if (starts_with(body, "not ok")) {
    body.remove_prefix(6);
  } else {
    return std::nullopt;
  }
  if (!body.empty() && body[0] != ' ') return std::nullopt;  // "okay", "ok1"
  while (!body.empty() && body[0] == ' ') body.remove_prefix(1);
  std::size_t digits = 0;
  while (digits < body.size() && std::isdigit(static_cast<unsigned char>(body[digits]))) ++digits;
  if (digits > 0) {
    if (digits < body.size() && body[digits] != ' ') return std::nullopt;
    auto n = parse_number(body.substr(0, digits));
    if (!n) return std::nullopt;
    r.number = *n;
    body.remove_prefix(digits);
    while (!body.empty() && body[0] == ' ') body.remove_prefix(1);
  }
  if (starts_with(body, "- ")) body.remove_prefix(2);
  std::size_t hash = body.find('#');
  std::string_view name = body.substr(0, hash);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  r.name = std::string(name);
  if (hash != std::string_view::npos) {
    std::string_view directive = body.substr(hash + 1);
    while (!directive.empty() && directive[0] == ' ') directive.remove_prefix(1);
    r.directive = std::string(directive);
  }
  return r;
}

bool directive_is(const std::string& directive, std::string_view word) {
  if (directive.size() < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(directive[i])) != word[i]) return false;
  return directive.size() == word.size() || !std::isalnum(static_cast<unsigned char>(directive[word.size()]));
}

// An open test while the log is read: the test, the lines printed since its last result, and
// whether it has begun (a header, a plan or a subtest seen).
struct Open {
  TapTest test;
  std::vector<std::string> pending;
  bool begun = false;
};

class Parser {
 public:
  KtapLog run(std::string_view text) {
    std::size_t number = 0;
    while (!text.empty()) {
      std::size_t nl = text.find('\n');
      std::string_view raw = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      ++number;
      line_(raw, number);
    }
    end_document("the log ends");
    return std::move(out_);
  }

 private:
  KtapLog out_;
  std::vector<Open> stack_;  // stack_[0]: the document; stack_[d]: the open test at depth d
  std::size_t base_ = 0;     // the document header's indentation
  std::size_t line_number_ = 0;
  std::string doc_crash_;    // the first crash line inside the current document

  void line_(std::string_view raw, std::size_t number) {
    line_number_ = number;
    Line line = decorate_off(raw);
    std::string text(raw.substr(0, std::min<std::size_t>(raw.size(), kMaxLineBytes)));
    while (!text.empty() && text.back() == '\r') text.pop_back();
    bool header = is_version_line(line.body);
    if (stack_.empty()) {
      if (!header) return;  // before any document: not test output
      start_document(line.indent);
      return;
    }
    // The depth this line speaks for: one per 4 spaces beyond the document's indentation.
    if (line.indent < base_) {
      if (header) {
        end_document("a new document begins at line " + std::to_string(number));
        start_document(line.indent);
        return;
      }
      log(text);
      return;
    }
    std::size_t depth = (line.indent - base_) / 4;
    bool aligned = (line.indent - base_) % 4 == 0;
    if (header && aligned) {
      if (depth == 0) {
        end_document("a new document begins at line " + std::to_string(number));
        start_document(line.indent);
      } else {
        open_at(depth, number, false).begun = true;
      }
      return;
    }
    if (aligned && starts_with(line.body, "# Subtest:")) {
      std::string_view name = line.body.substr(10);
      while (!name.empty() && name[0] == ' ') name.remove_prefix(1);
      if (depth == 0) {
        log(text);
        return;
      }
      Open& open = open_at(depth, number, true);
      if (open.test.name.empty()) open.test.name = std::string(name);
      open.begun = true;
      return;
    }
    if (aligned) {
      if (auto plan = parse_plan(line.body)) {
        if (depth < stack_.size() && stack_[depth].test.plan < 0 && stack_[depth].test.subtests.empty()) {
          stack_[depth].test.plan = *plan;
          stack_[depth].begun = true;
          if (!stack_[depth].pending.empty() && depth > 0) take_pending(stack_[depth]);
          return;
        }
        if (depth == stack_.size()) {
          Open& open = open_at(depth, number, false);
          open.test.plan = *plan;
          open.begun = true;
          return;
        }
        log(text);
        return;
      }
      if (auto result = parse_result(line.body)) {
        if (depth < stack_.size()) {
          add_result(depth, *result, number);
          return;
        }
      }
    }
    log(text);
  }

  void start_document(std::size_t indent) {
    base_ = indent;
    stack_.clear();
    stack_.push_back(Open{});
    stack_.back().begun = true;
    stack_.back().test.first_line = line_number_;
    ++out_.documents;
    doc_crash_.clear();
  }

  // The open test at `depth`, opened (and any missing ones above it) if needed. A test at that
  // depth that already has what this line would start (a plan or subtests; for a "# Subtest:"
  // line, a name too) never got its result line: it is closed as incomplete first. KTAP puts the
  // version line before "# Subtest:", TAP 14 after it; either order opens one test.
  Open& open_at(std::size_t depth, std::size_t number, bool name_line) {
    auto started = [&](const Open& o) {
      return o.test.plan >= 0 || !o.test.subtests.empty() || (name_line && !o.test.name.empty());
    };
    if (depth < stack_.size() && (started(stack_[depth]) || depth + 1 < stack_.size())) {
      close_from(depth, "no result line before the next test begins at line " + std::to_string(number));
    }
    while (stack_.size() <= depth) {
      Open open;
      open.test.first_line = number;
      // What the parent printed since its last result belongs to this test ("initializing suite").
      open.test.log = std::move(stack_.back().pending);
      stack_.back().pending.clear();
      stack_.push_back(std::move(open));
    }
    if (depth > 0 && depth == stack_.size() - 1 && stack_[depth].test.first_line == 0) stack_[depth].test.first_line = number;
    return stack_[depth];
  }

  void take_pending(Open& open) {
    for (auto& line : open.pending) open.test.log.push_back(std::move(line));
    open.pending.clear();
  }

  void log(const std::string& text) {
    if (stack_.empty()) return;
    Open& top = stack_.back();
    if (is_kernel_problem_line(text)) {
      if (out_.crash.empty() && stack_.size() > 1) out_.crash = text;
      if (doc_crash_.empty()) doc_crash_ = text;
    }
    top.pending.push_back(text);
  }

  void add_result(std::size_t depth, const Result& result, std::size_t number) {
    TapTest test;
    if (depth + 1 < stack_.size()) {
      // The result of the subtest open at depth + 1; anything deeper never got its result.
      if (depth + 2 < stack_.size())
        close_from(depth + 2, "no result line before its parent's at line " + std::to_string(number));
      Open sub = std::move(stack_.back());
      stack_.pop_back();
      take_pending(sub);
      test = std::move(sub.test);
      if (test.name.empty()) test.name = result.name;
      check_plan(test);
    } else {
      Open& parent = stack_[depth];
      test.log = std::move(parent.pending);
      parent.pending.clear();
      test.name = result.name;
      test.first_line = number;
    }
    test.number = result.number;
    test.result_line = number;
    test.directive = result.directive;
    bool skip = directive_is(result.directive, "SKIP") || (!result.ok && directive_is(result.directive, "TODO"));
    test.status = skip ? TapStatus::Skip : result.ok ? TapStatus::Pass : TapStatus::Fail;
    Open& parent = stack_[depth];
    std::size_t expected = parent.test.subtests.size() + 1;
    if (result.number == 0) {
      test.number = expected;
    } else if (result.number != expected) {
      test.problems.push_back("test number " + std::to_string(result.number) + " where " + std::to_string(expected) +
                              " was expected (line " + std::to_string(number) + ")");
    }
    attach(depth, std::move(test));
  }

  void attach(std::size_t depth, TapTest test) {
    Open& parent = stack_[depth];
    parent.begun = true;
    if (depth == 0) {
      test.document = out_.documents;
      out_.tests.push_back(std::move(test));
      parent.test.subtests.emplace_back();  // counts the document's tests for its plan
      parent.test.subtests.back().status = TapStatus::Pass;
    } else {
      parent.test.subtests.push_back(std::move(test));
    }
  }

  static void check_plan(TapTest& test) {
    if (test.plan >= 0 && static_cast<std::size_t>(test.plan) != test.subtests.size()) {
      test.problems.push_back("planned " + std::to_string(test.plan) + " tests, has " +
                              std::to_string(test.subtests.size()));
    }
  }

  // Closes every open test from `depth` down as incomplete, innermost first, each into its parent.
  void close_from(std::size_t depth, const std::string& why) {
    while (stack_.size() > depth && stack_.size() > 1) {
      Open open = std::move(stack_.back());
      stack_.pop_back();
      take_pending(open);
      TapTest test = std::move(open.test);
      test.status = TapStatus::Incomplete;
      std::string reason = why;
      for (const auto& line : test.log) {
        if (is_kernel_problem_line(line)) {
          reason = "the kernel crashed: " + line.substr(line.find_first_not_of(' ') == std::string::npos ? 0 : line.find_first_not_of(' '));
          break;
        }
      }
      if (test.plan > 0 && test.subtests.size() < static_cast<std::size_t>(test.plan)) {
        reason += "; case " + std::to_string(test.subtests.size() + 1) + " of " + std::to_string(test.plan) +
                  " never reported a result";
        if (!test.subtests.empty()) reason += " (it follows '" + test.subtests.back().name + "')";
      }
      test.problems.push_back(reason);
      std::size_t parent_depth = stack_.size() - 1;
      if (!open.begun && test.name.empty() && test.subtests.empty() && parent_depth > 0) {
        // Never began: its lines go back to the parent.
        for (auto& line : test.log) stack_.back().pending.push_back(std::move(line));
        continue;
      }
      attach(parent_depth, std::move(test));
    }
  }

  void end_document(const std::string& why) {
    if (stack_.empty()) return;
    close_from(1, why + " (line " + std::to_string(line_number_) + ")");
    TapTest& doc = stack_[0].test;
    if (doc.plan < 0) {
      out_.problems.push_back("the document at line " + std::to_string(doc.first_line) + " has no plan ('1..N') and " +
                              std::to_string(doc.subtests.size()) + " tests: " + why + " (line " +
                              std::to_string(line_number_) + ")");
    } else if (static_cast<std::size_t>(doc.plan) != doc.subtests.size()) {
      out_.problems.push_back("the document at line " + std::to_string(doc.first_line) + " planned " +
                              std::to_string(doc.plan) + " tests and has " + std::to_string(doc.subtests.size()) +
                              ": " + why + " (line " + std::to_string(line_number_) + ")" +
                              (doc_crash_.empty() ? std::string() : "; the kernel crashed: " + doc_crash_));
    }
    out_.problem_documents.resize(out_.problems.size(), out_.documents);
    stack_.clear();
  }
};

}  // namespace

const char* tap_status_name(TapStatus status) {
  switch (status) {
    case TapStatus::Pass: return "PASS";
    case TapStatus::Fail: return "FAIL";
    case TapStatus::Skip: return "SKIP";
    case TapStatus::Incomplete: return "INCOMPLETE";
  }
  return "?";
}

bool TapTest::passed() const {
  if (status != TapStatus::Pass && status != TapStatus::Skip) return false;
  if (!problems.empty()) return false;
  return std::all_of(subtests.begin(), subtests.end(), [](const TapTest& t) { return t.passed(); });
}

std::size_t TapTest::count_cases(TapStatus wanted) const {
  if (subtests.empty()) return status == wanted ? 1 : 0;
  std::size_t n = 0;
  for (const auto& t : subtests) n += t.count_cases(wanted);
  return n;
}

std::size_t TapTest::count_cases() const {
  if (subtests.empty()) return 1;
  std::size_t n = 0;
  for (const auto& t : subtests) n += t.count_cases();
  return n;
}

KtapLog parse_ktap(std::string_view text) { return Parser().run(text); }

bool is_crash_line(std::string_view line) { return is_kernel_problem_line(std::string(line)); }

namespace {

// Text for an XML attribute or element: markup escaped, control characters and bytes that are
// not UTF-8 replaced, so that any guest output gives a well-formed file.
std::string xml_text(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (!valid) {
      out += '?';
      ++i;
      continue;
    }
    if (len > 1) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      default: out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

std::string joined_log(const TapTest& t) {
  std::string text;
  for (const auto& p : t.problems) text += p + "\n";
  for (const auto& line : t.log) text += line + "\n";
  for (const auto& sub : t.subtests)
    if (!sub.passed()) text += joined_log(sub);
  return text;
}

}  // namespace

std::string ktap_junit(const std::vector<const TapTest*>& suites, const std::string& name) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + xml_text(name) + "\">\n";
  for (const TapTest* suite : suites) {
    std::vector<const TapTest*> cases;
    for (const auto& c : suite->subtests) cases.push_back(&c);
    std::size_t failures = 0, skipped = 0, errors = 0;
    for (const TapTest* c : cases) {
      if (c->status == TapStatus::Incomplete) ++errors;
      else if (!c->passed()) ++failures;
      else if (c->status == TapStatus::Skip) ++skipped;
    }
    // A suite that never ran a case, or broke off before its first, is one failing case of its own.
    bool suite_case = cases.empty() || (!suite->passed() && failures == 0 && errors == 0);
    xml += "  <testsuite name=\"" + xml_text(suite->name) + "\" tests=\"" +
           std::to_string(cases.size() + (suite_case ? 1 : 0)) + "\" failures=\"" +
           std::to_string(failures + (suite_case && !suite->passed() ? 1 : 0)) + "\" errors=\"" +
           std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\">\n";
    auto testcase = [&](const TapTest& t, const std::string& case_name, bool whole_suite) {
      xml += "    <testcase classname=\"" + xml_text(suite->name) + "\" name=\"" + xml_text(case_name) + "\"";
      bool ok = t.passed();
      std::string log = whole_suite ? std::string() : joined_log(t);
      if (whole_suite) {
        for (const auto& p : t.problems) log += p + "\n";
        for (const auto& line : t.log) log += line + "\n";
      }
      if (ok && t.status != TapStatus::Skip) {
        xml += "/>\n";
        return;
      }
      xml += ">\n";
      if (ok) {
        xml += "      <skipped message=\"" + xml_text(t.directive) + "\"/>\n";
      } else {
        const char* element = t.status == TapStatus::Incomplete ? "error" : "failure";
        std::string message = t.problems.empty() ? std::string(tap_status_name(t.status)) : t.problems.front();
        xml += std::string("      <") + element + " message=\"" + xml_text(message) + "\">" + xml_text(log) + "</" +
               element + ">\n";
      }
      xml += "    </testcase>\n";
    };
    for (const TapTest* c : cases) testcase(*c, c->name, false);
    if (suite_case) testcase(*suite, "(suite)", true);
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace kdk
