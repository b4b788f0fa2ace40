// The KTAP/TAP reader on real kernel output (tests/fuzz/corpus/ktap/: serial logs of kdk's own
// kernels, captured as the boots printed them) and on the forms the real logs do not show.
#include "ktap.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kdk {
namespace {

std::string corpus(const std::string& name) {
  std::ifstream in(std::string(KDK_KTAP_CORPUS) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> corpus_logs() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(KDK_KTAP_CORPUS)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const TapTest* find(const KtapLog& log, const std::string& name) {
  for (const auto& t : log.tests)
    if (t.name == name) return &t;
  return nullptr;
}

bool all_passed(const KtapLog& log) {
  if (!log.problems.empty() || log.documents == 0) return false;
  for (const auto& t : log.tests)
    if (!t.passed()) return false;
  return true;
}

TEST(Ktap, RealLinux61X86Log) {
  KtapLog log = parse_ktap(corpus("linux-6.1-x86_64.log"));
  EXPECT_EQ(log.documents, 1u);
  EXPECT_TRUE(log.problems.empty());
  EXPECT_TRUE(log.crash.empty());
  ASSERT_EQ(log.tests.size(), 11u);
  std::vector<std::string> names;
  for (const auto& t : log.tests) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"sysctl_test", "kunit_executor_test", "kunit-try-catch-test",
                                             "kunit-resource-test", "kunit-log-test", "kunit_status",
                                             "string-stream-test", "example", "list-kunit-test", "hlist", "bits-test"}));
  EXPECT_TRUE(all_passed(log));
  const TapTest* list = find(log, "list-kunit-test");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->plan, 39);
  EXPECT_EQ(list->count_cases(), 39u);
  EXPECT_EQ(list->number, 9u);
  const TapTest* example = find(log, "example");
  ASSERT_NE(example, nullptr);
  EXPECT_EQ(example->count_cases(TapStatus::Skip), 2u);
  EXPECT_EQ(example->subtests[1].name, "example_skip_test");
  EXPECT_EQ(example->subtests[1].directive, "SKIP this test should be skipped");
  // What the case printed while it ran is its log; the kernel's own line in between too.
  EXPECT_EQ(example->subtests[1].log.front(), "    # example_skip_test: initializing");
  bool interleaved = false;
  for (const auto& line : example->subtests[0].log) interleaved = interleaved || line == "Freeing initrd memory: 1280K";
  EXPECT_TRUE(interleaved);
  // "# example: initializing suite", printed before the suite's header, is the suite's.
  ASSERT_FALSE(example->log.empty());
  EXPECT_EQ(example->log.front(), "    # example: initializing suite");
}

// The KUnit logs of every architecture (6.1) and of the 6.12 clang matrix tree, as kdk's CI runs
// them: each passes whole, with KUnit's own suites, the example and the list tests.
TEST(Ktap, RealKunitLogsOfEveryArchitecture) {
  std::size_t logs = 0;
  for (const auto& name : corpus_logs()) {
    if (name.rfind("linux-", 0) != 0) continue;
    ++logs;
    KtapLog log = parse_ktap(corpus(name));
    EXPECT_TRUE(all_passed(log)) << name;
    for (const char* suite : {"kunit_executor_test", "example", "list-kunit-test"})
      EXPECT_NE(find(log, suite), nullptr) << name << " has no " << suite;
  }
  EXPECT_GE(logs, 7u);
}

// 6.12: kunit_fault oopses on purpose inside its case, which KUnit catches: the suite passes, and
// the oops is that case's output. The example's parameterised case nests a level deeper.
TEST(Ktap, RealLinux612CaughtFaultAndParameters) {
  KtapLog log = parse_ktap(corpus("linux-6.12-x86_64-llvm.log"));
  const TapTest* fault = find(log, "kunit_fault");
  ASSERT_NE(fault, nullptr);
  EXPECT_TRUE(fault->passed());
  bool oops = false;
  for (const auto& c : fault->subtests)
    for (const auto& line : c.log) oops = oops || line.find("BUG: kernel NULL pointer dereference") != std::string::npos;
  EXPECT_TRUE(oops);
  EXPECT_EQ(log.crash.substr(0, 38), "BUG: kernel NULL pointer dereference, ");
  const TapTest* example = find(log, "example");
  ASSERT_NE(example, nullptr);
  const TapTest* params = nullptr;
  for (const auto& c : example->subtests)
    if (c.name == "example_params_test") params = &c;
  ASSERT_NE(params, nullptr);
  EXPECT_FALSE(params->subtests.empty());
  EXPECT_TRUE(params->passed());
}

// run_kselftest.sh of six collections on kdk's 6.1 x86_64 kernel: a TAP 13 document per
// collection, the tests' own output as "# " lines, results with "# SKIP" and "# exit=N".
TEST(Ktap, RealKselftestLog) {
  KtapLog log = parse_ktap(corpus("kselftest-6.1-x86_64.log"));
  EXPECT_EQ(log.documents, 6u);
  EXPECT_TRUE(log.problems.empty());
  ASSERT_EQ(log.tests.size(), 10u);
  EXPECT_EQ(log.tests[0].name, "selftests: size: get_size");
  EXPECT_TRUE(log.tests[0].passed());
  EXPECT_EQ(log.tests[2].status, TapStatus::Skip);
  const TapTest& vmaccess = log.tests[6];
  EXPECT_EQ(vmaccess.name, "selftests: ptrace: vmaccess");
  EXPECT_EQ(vmaccess.status, TapStatus::Fail);
  EXPECT_EQ(vmaccess.directive, "exit=1");
  EXPECT_EQ(vmaccess.document, 4u);
  ASSERT_FALSE(vmaccess.log.empty());
  EXPECT_EQ(vmaccess.log.front(), "# selftests: ptrace: vmaccess");
}

// Every real log, cut after any line from its first KTAP line to its last result: never a pass.
TEST(Ktap, EveryCutOfEveryRealLogFails) {
  for (const auto& name : corpus_logs()) {
    std::string text = corpus(name);
    KtapLog whole = parse_ktap(text);
    if (!all_passed(whole)) continue;  // a log with failures already fails whole
    std::size_t first = text.find("KTAP version");
    std::size_t last = text.rfind("\nok ");
    ASSERT_NE(first, std::string::npos) << name;
    for (std::size_t at = first; at <= last; at = text.find('\n', at) + 1) {
      std::size_t end = text.find('\n', at);
      KtapLog cut = parse_ktap(text.substr(0, end == std::string::npos ? text.size() : end + 1));
      if (end >= last) break;
      EXPECT_FALSE(all_passed(cut)) << name << " cut at byte " << end;
    }
  }
}

TEST(Ktap, PrintkTimestampsAndCarriageReturns) {
  std::string plain = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 a\n    ok 2 b\nok 1 s\n";
  std::string decorated;
  std::istringstream in(plain);
  for (std::string line; std::getline(in, line);) decorated += "[    1.234567] " + line + "\r\n";
  KtapLog a = parse_ktap(plain), b = parse_ktap(decorated);
  ASSERT_EQ(b.tests.size(), 1u);
  EXPECT_EQ(b.tests[0].name, "s");
  EXPECT_EQ(b.tests[0].count_cases(), a.tests[0].count_cases());
  EXPECT_TRUE(all_passed(b));
  // The caller id of CONFIG_PRINTK_CALLER as well.
  KtapLog c = parse_ktap("[    0.5][    T1] KTAP version 1\n[    0.5][    T1] 1..1\n[    0.5][    T1] ok 1 x\n");
  ASSERT_EQ(c.tests.size(), 1u);
  EXPECT_TRUE(all_passed(c));
}

TEST(Ktap, FailingCaseKeepsItsDiagnostics) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: math\n    1..2\n    ok 1 adds\n"
      "    # subtracts: EXPECTATION FAILED at lib/math_kunit.c:12\n    Expected 1 - 1 == 1, but\n        1 - 1 == 0\n"
      "    not ok 2 subtracts\nnot ok 1 math\n");
  ASSERT_EQ(log.tests.size(), 1u);
  const TapTest& math = log.tests[0];
  EXPECT_EQ(math.status, TapStatus::Fail);
  EXPECT_FALSE(math.passed());
  ASSERT_EQ(math.subtests.size(), 2u);
  EXPECT_EQ(math.subtests[1].status, TapStatus::Fail);
  EXPECT_EQ(math.subtests[1].log.size(), 3u);
  EXPECT_EQ(math.subtests[1].log[0], "    # subtracts: EXPECTATION FAILED at lib/math_kunit.c:12");
  EXPECT_TRUE(math.subtests[0].log.empty());
}

// A suite whose result says ok above a case that failed is still a failure.
TEST(Ktap, OkSuiteAboveFailedCaseFails) {
  KtapLog log = parse_ktap("KTAP version 1\n1..1\n    # Subtest: s\n    1..1\n    not ok 1 a\nok 1 s\n");
  ASSERT_EQ(log.tests.size(), 1u);
  EXPECT_EQ(log.tests[0].status, TapStatus::Pass);
  EXPECT_FALSE(log.tests[0].passed());
}

TEST(Ktap, CrashMidSuite) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: first\n    1..1\n    ok 1 a\nok 1 first\n"
      "    KTAP version 1\n    # Subtest: second\n    1..3\n    ok 1 b\n"
      "BUG: kernel NULL pointer dereference, address: 0000000000000000\nCall Trace:\n <TASK>\n"
      "Kernel panic - not syncing: Fatal exception\n");
  ASSERT_EQ(log.tests.size(), 2u);
  EXPECT_TRUE(log.tests[0].passed());
  const TapTest& second = log.tests[1];
  EXPECT_EQ(second.status, TapStatus::Incomplete);
  ASSERT_EQ(second.problems.size(), 1u);
  EXPECT_EQ(second.problems[0],
            "the kernel crashed: BUG: kernel NULL pointer dereference, address: 0000000000000000; case 2 of 3 never "
            "reported a result (it follows 'b')");
  EXPECT_EQ(second.log.size(), 4u);  // the report, for decoding
  EXPECT_EQ(log.crash, "BUG: kernel NULL pointer dereference, address: 0000000000000000");
}

TEST(Ktap, HangEndsTheLog) {
  KtapLog log = parse_ktap("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 a\n");
  ASSERT_EQ(log.tests.size(), 1u);
  EXPECT_EQ(log.tests[0].status, TapStatus::Incomplete);
  EXPECT_EQ(log.tests[0].problems.at(0), "the log ends (line 6); case 2 of 2 never reported a result (it follows 'a')");
  EXPECT_TRUE(log.crash.empty());
}

TEST(Ktap, DocumentPlanNotMet) {
  KtapLog log = parse_ktap("KTAP version 1\n1..3\n    # Subtest: s\n    1..1\n    ok 1 a\nok 1 s\n");
  EXPECT_TRUE(log.tests[0].passed());
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problems[0], "the document at line 1 planned 3 tests and has 1: the log ends (line 6)");
  KtapLog none = parse_ktap("KTAP version 1\n");
  ASSERT_EQ(none.problems.size(), 1u);
  EXPECT_EQ(none.problems[0], "the document at line 1 has no plan ('1..N') and 0 tests: the log ends (line 1)");
}

// kselftest's tests have no header: one cut off leaves no test behind, only a plan not met.
TEST(Ktap, KselftestCutOffByACrash) {
  KtapLog log = parse_ktap(
      "TAP version 13\n1..2\n# selftests: size: a\nok 1 selftests: size: a\n# selftests: size: b\n"
      "[    1.0] Kernel panic - not syncing: x\n");
  ASSERT_EQ(log.tests.size(), 1u);
  EXPECT_TRUE(log.tests[0].passed());
  EXPECT_EQ(log.tests[0].document, 1u);
  ASSERT_EQ(log.problems.size(), 1u);
  EXPECT_EQ(log.problem_documents.at(0), 1u);
  EXPECT_EQ(log.problems[0], "the document at line 1 planned 2 tests and has 1: the log ends (line 6); the kernel "
                             "crashed: [    1.0] Kernel panic - not syncing: x");
}

TEST(Ktap, NumberingAndPlansChecked) {
  KtapLog log = parse_ktap("KTAP version 1\n1..1\n    # Subtest: s\n    1..3\n    ok 1 a\n    ok 3 c\nok 1 s\n");
  const TapTest& s = log.tests.at(0);
  EXPECT_FALSE(s.passed());
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_EQ(s.problems[0], "planned 3 tests, has 2");
  EXPECT_EQ(s.subtests[1].problems.at(0), "test number 3 where 2 was expected (line 6)");
}

TEST(Ktap, DirectivesAndResultForms) {
  KtapLog log = parse_ktap(
      "TAP version 14\n1..5\nok 1 - dashed\nnot ok 2 todo # TODO not yet\nok 3 skipped # skip no device\n"
      "ok without number\nnot ok 5 failed # reason\nokay 6 not a result\nok1 neither\n");
  ASSERT_EQ(log.tests.size(), 5u);
  EXPECT_EQ(log.tests[0].name, "dashed");
  EXPECT_EQ(log.tests[1].status, TapStatus::Skip);
  EXPECT_EQ(log.tests[2].status, TapStatus::Skip);
  EXPECT_EQ(log.tests[2].directive, "skip no device");
  EXPECT_EQ(log.tests[3].name, "without number");
  EXPECT_EQ(log.tests[3].number, 4u);
  EXPECT_EQ(log.tests[4].status, TapStatus::Fail);
  EXPECT_TRUE(log.problems.empty());
}

// TAP 14 names a subtest before its version line; TAP 13 subtests may have only an indented plan.
TEST(Ktap, Tap14AndTap13Subtests) {
  KtapLog t14 = parse_ktap("TAP version 14\n1..1\n    # Subtest: s\n    TAP version 14\n    1..1\n    ok 1 a\nok 1 s\n");
  ASSERT_EQ(t14.tests.size(), 1u);
  EXPECT_EQ(t14.tests[0].name, "s");
  EXPECT_EQ(t14.tests[0].subtests.size(), 1u);
  EXPECT_TRUE(all_passed(t14));
  KtapLog t13 = parse_ktap("TAP version 13\n1..1\n    1..2\n    ok 1 a\n    ok 2 b\nok 1 - s\n");
  ASSERT_EQ(t13.tests.size(), 1u);
  EXPECT_EQ(t13.tests[0].name, "s");
  EXPECT_EQ(t13.tests[0].count_cases(), 2u);
}

// Parameterised cases (7.x): a case with its own subtests, two levels deep.
TEST(Ktap, ParameterisedCases) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n        KTAP version 1\n"
      "        # Subtest: p\n        ok 1 one\n        not ok 2 two\n    not ok 1 p\n    ok 2 q\nnot ok 1 s\n");
  const TapTest& s = log.tests.at(0);
  EXPECT_EQ(s.count_cases(), 3u);
  EXPECT_EQ(s.count_cases(TapStatus::Fail), 1u);
  EXPECT_EQ(s.subtests.at(0).name, "p");
  EXPECT_EQ(s.subtests.at(0).subtests.size(), 2u);
}

// The built-in suites' document and a module's, in one log.
TEST(Ktap, SeveralDocuments) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..1\n    # Subtest: builtin\n    1..1\n    ok 1 a\nok 1 builtin\nRun /init as init process\n"
      "KTAP version 1\n1..1\n    # Subtest: module\n    1..1\n    ok 1 b\nok 1 module\n");
  EXPECT_EQ(log.documents, 2u);
  ASSERT_EQ(log.tests.size(), 2u);
  EXPECT_EQ(log.tests[1].name, "module");
  EXPECT_TRUE(all_passed(log));
}

// A suite cut off by the next suite's header: incomplete, and the next one still counts.
TEST(Ktap, SuiteWithoutResultBeforeTheNext) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: a\n    1..2\n    ok 1 x\n"
      "    KTAP version 1\n    # Subtest: b\n    1..1\n    ok 1 y\nok 2 b\n");
  ASSERT_EQ(log.tests.size(), 2u);
  EXPECT_EQ(log.tests[0].status, TapStatus::Incomplete);
  EXPECT_EQ(log.tests[0].problems.at(0),
            "no result line before the next test begins at line 7; case 2 of 2 never reported a result (it follows 'x')");
  EXPECT_TRUE(log.tests[1].passed());
}

TEST(Ktap, NoDocumentIsNoTests) {
  KtapLog log = parse_ktap("Linux version 6.1\nok 1 looks like a result\n1..2\n");
  EXPECT_EQ(log.documents, 0u);
  EXPECT_TRUE(log.tests.empty());
}

TEST(Ktap, JunitEscapesAndCounts) {
  KtapLog log = parse_ktap(
      "KTAP version 1\n1..1\n    # Subtest: a<b&\"c\"\n    1..3\n    ok 1 p\n    ok 2 s # SKIP why\n"
      "    # q: bad \x01 byte \xff and <tag>\n    not ok 3 q\nnot ok 1 a<b&\"c\"\n");
  std::vector<const TapTest*> suites{&log.tests.at(0)};
  std::string xml = ktap_junit(suites, "kunit.x86_64");
  EXPECT_NE(xml.find("<testsuite name=\"a&lt;b&amp;&quot;c&quot;\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"SKIP why\"/>"), std::string::npos);
  EXPECT_NE(xml.find("bad ? byte ? and &lt;tag&gt;"), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace kdk
