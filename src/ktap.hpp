// KTAP (the kernel's test output: KUnit, kselftest) and TAP 13/14, read from a serial log, in which
// the test lines are interleaved with printk timestamps, kernel messages and console noise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

enum class TapStatus {
  Pass,        // "ok"
  Fail,        // "not ok"
  Skip,        // "ok ... # SKIP" (or "not ok ... # SKIP")
  Incomplete,  // started but no result line: the log ended, or the kernel crashed, or was cut off
};

const char* tap_status_name(TapStatus status);

struct TapTest {
  std::string name;
  std::size_t number = 0;         // from the result line; 0 while incomplete
  TapStatus status = TapStatus::Incomplete;
  std::string directive;          // "SKIP reason", "TODO reason": what follows '#' on the result line
  long plan = -1;                 // "1..N"; -1: none
  std::size_t first_line = 0;     // 1-based log line where the test begins (header or first output)
  std::size_t result_line = 0;    // the result line; 0 when incomplete
  std::vector<std::string> log;   // the lines between the previous result and this one, as printed
  std::vector<std::string> problems;  // what does not hold: plan, numbering, crash
  std::vector<TapTest> subtests;
  std::size_t document = 0;       // a top-level test: its document, 1-based, in log order

  // Pass or Skip, no problems here or below, and no failing subtest: what a CI should accept.
  bool passed() const;
  // Leaf cases under this test (a parameterised case counts its parameters).
  std::size_t count_cases(TapStatus status) const;
  std::size_t count_cases() const;
};

struct KtapLog {
  // The top-level tests of every KTAP/TAP document in the log, in order: the KUnit suites (a kernel
  // prints one document for the built-in suites and one for each module that has suites), or a
  // kselftest run's collections.
  std::vector<TapTest> tests;
  std::size_t documents = 0;         // "KTAP version" / "TAP version" lines at the top level
  std::vector<std::string> problems; // document-level: a plan not met, a document cut short
  std::vector<std::size_t> problem_documents;  // the document of each of those, 1-based
  // The first kernel crash line ("Kernel panic", "Oops", "BUG:", "Unable to handle", ...)
  // seen inside a test, or empty.
  std::string crash;
};

// Parses the whole of `text`. Never throws on content: whatever does not parse is either noise
// (kept in the log of the test it is printed inside) or a problem recorded on the test.
KtapLog parse_ktap(std::string_view text);

// True if `line` (printk timestamp removed) is a kernel crash report's first line.
bool is_crash_line(std::string_view line);

// The JUnit XML of `suites` (one <testsuite> per suite, one <testcase> per case), `name` the
// <testsuites> name.
std::string ktap_junit(const std::vector<const TapTest*>& suites, const std::string& name);

}  // namespace kdk
