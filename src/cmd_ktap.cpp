// kdk ktap check: the verdict on KTAP/TAP test output in a serial log, per suite.
// kdk ktap suites: the KUnit suites built into a vmlinux.
#include <fnmatch.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "ktap.hpp"
#include "kunit_suites.hpp"
#include "suggest.hpp"

namespace kdk {
namespace {

constexpr int kAllSkipped = 77;  // CTest's usual SKIP_RETURN_CODE

// The suite half of a KUnit filter glob "SUITE_GLOB[.TEST_GLOB]".
std::string suite_glob(const std::string& glob) { return glob.substr(0, glob.find('.')); }

bool matches(const std::string& glob, const std::string& name) {
  return fnmatch(suite_glob(glob).c_str(), name.c_str(), 0) == 0;
}

std::string no_match_message(const std::string& glob, const std::vector<std::string>& names, const std::string& where) {
  std::string message = "no suite " + where + " matches '" + glob + "'" + did_you_mean(suite_glob(glob), names);
  if (names.empty()) return message + "; there are no suites at all";
  message += "; there are " + std::to_string(names.size()) + ":";
  for (std::size_t i = 0; i < names.size() && i < 40; ++i) message += " " + names[i];
  if (names.size() > 40) message += " ...";
  return message;
}

void print_indented(const std::vector<std::string>& lines, const char* indent) {
  for (const auto& line : lines) std::printf("%s%s\n", indent, line.c_str());
}

// What failed inside `test`, case by case, with each case's own output.
void print_failures(const TapTest& test, const std::string& path) {
  for (const auto& problem : test.problems) std::printf("    %s: %s\n", path.c_str(), problem.c_str());
  if (test.subtests.empty() || test.status == TapStatus::Incomplete) {
    if (test.status != TapStatus::Pass && test.status != TapStatus::Skip) {
      std::printf("    %s %s%s%s\n", tap_status_name(test.status), path.c_str(), test.directive.empty() ? "" : " # ",
                  test.directive.c_str());
    }
    print_indented(test.log, "      | ");
  }
  for (const auto& sub : test.subtests)
    if (!sub.passed()) print_failures(sub, path + "." + sub.name);
}

}  // namespace

int cmd_ktap_check(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give one LOG");
  const std::string path = args.positional[0];
  KtapLog log = parse_ktap(read_file(path));
  if (log.documents == 0) {
    throw Error("no KTAP or TAP output: no 'KTAP version N' or 'TAP version N' line (was KUnit built in, and "
                "did the kernel reach it? a kunit.filter_glob that matches nothing still prints a header)",
                path);
  }
  std::vector<std::string> names;
  for (const auto& t : log.tests) names.push_back(t.name);

  std::vector<const TapTest*> selected;
  bool failed = false;
  auto globs = args.values("suite");
  if (globs.empty()) {
    for (const auto& t : log.tests) selected.push_back(&t);
  } else {
    for (const auto& glob : globs) {
      bool any = false;
      for (const auto& t : log.tests) {
        if (!matches(glob, t.name)) continue;
        any = true;
        bool seen = false;
        for (const TapTest* s : selected) seen = seen || s == &t;
        if (!seen) selected.push_back(&t);
      }
      if (!any) {
        std::string message = no_match_message(glob, names, "in the log");
        for (const auto& p : log.problems) message += "\n  " + p;
        if (!log.crash.empty()) message += "\n  the kernel crashed first: " + log.crash;
        std::fprintf(stderr, "kdk: %s: %s\n", path.c_str(), message.c_str());
        failed = true;
      }
    }
  }

  std::size_t skipped_suites = 0;
  for (const TapTest* suite : selected) {
    std::size_t cases = suite->count_cases();
    std::size_t skips = suite->count_cases(TapStatus::Skip);
    if (suite->passed()) {
      if (suite->status == TapStatus::Skip) ++skipped_suites;
      std::printf("%-10s %s: %zu cases, %zu skipped%s%s\n", suite->status == TapStatus::Skip ? "SKIP" : "PASS",
                  suite->name.c_str(), cases, skips, suite->directive.empty() ? "" : " # ", suite->directive.c_str());
      continue;
    }
    failed = true;
    std::size_t bad = cases - suite->count_cases(TapStatus::Pass) - skips;
    if (suite->status == TapStatus::Incomplete) {
      std::printf("%-10s %s: %zu of %s cases reported a result, then nothing (log line %zu)\n", "INCOMPLETE",
                  suite->name.c_str(), suite->subtests.size(),
                  suite->plan >= 0 ? std::to_string(suite->plan).c_str() : "?", suite->first_line);
      print_failures(*suite, suite->name);
      continue;
    }
    std::printf("%-10s %s: %zu of %zu cases did not pass (log line %zu)\n", tap_status_name(suite->status == TapStatus::Pass ? TapStatus::Fail : suite->status),
                suite->name.c_str(), bad, cases, suite->first_line);
    print_failures(*suite, suite->name);
  }
  // A document cut short fails everything checked without a selection: suites may be missing.
  // With --whole-document, also a selection whose document is: a test that never began is no
  // test at all (kselftest's tests have no header), only the document's plan shows it missing.
  for (std::size_t i = 0; i < log.problems.size(); ++i) {
    bool holds_selected = false;
    for (const TapTest* t : selected) holds_selected = holds_selected || t->document == log.problem_documents[i];
    if (globs.empty() || (args.flag("whole-document") && holds_selected)) {
      std::fprintf(stderr, "kdk: %s: %s\n", path.c_str(), log.problems[i].c_str());
      failed = true;
    }
  }

  if (auto junit = args.value("junit")) {
    write_file_atomically(*junit, ktap_junit(selected, args.value("junit-name").value_or(path)));
  }
  if (failed) return 1;
  if (!selected.empty() && skipped_suites == selected.size()) return kAllSkipped;
  return 0;
}

int cmd_ktap_suites(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give one VMLINUX");
  const std::string path = args.positional[0];
  std::vector<std::string> names;
  try {
    names = kunit_suites_in_elf(read_file(path));
  } catch (const Error& e) {
    throw Error(e.what(), path);
  }
  auto globs = args.values("match");
  std::vector<std::string> out;
  bool failed = false;
  if (globs.empty()) out = names;
  for (const auto& glob : globs) {
    bool any = false;
    for (const auto& name : names) {
      if (!matches(glob, name)) continue;
      any = true;
      bool seen = false;
      for (const auto& o : out) seen = seen || o == name;
      if (!seen) out.push_back(name);
    }
    if (!any) {
      std::fprintf(stderr, "kdk: %s: %s\n", path.c_str(), no_match_message(glob, names, "built into it").c_str());
      failed = true;
    }
  }
  if (failed) return 1;
  std::string text;
  for (const auto& name : out) text += name + "\n";
  if (auto output = args.value("output")) {
    write_file_atomically(*output, text);
  } else {
    std::fputs(text.c_str(), stdout);
  }
  return 0;
}

}  // namespace kdk
