#include "boot_monitor.hpp"

#include "test_util.hpp"

namespace kdk {
namespace {

TEST(BootMonitor, ExpectationsMatchInOrder) {
  BootMonitor m({"^kdk: booted", "^release=6\\.1"});
  m.feed_line("release=6.1.0");  // too early: the first expectation has not matched yet
  EXPECT_EQ(m.waiting_for(), "^kdk: booted");
  m.feed_line("kdk: booted in 0.61 s\r");
  EXPECT_EQ(m.waiting_for(), "^release=6\\.1");
  m.feed_line("release=6.1.0");
  EXPECT_TRUE(m.all_met());
  EXPECT_FALSE(m.problem());
}

TEST(BootMonitor, EveryKernelProblemMarkerIsCaught) {
  for (const auto& marker : kernel_problem_markers()) {
    BootMonitor m({});
    m.feed_line("[    1.234] some line");
    EXPECT_FALSE(m.problem()) << marker;
    m.feed_line("[    1.235] " + marker + " something");
    ASSERT_TRUE(m.problem()) << marker;
    EXPECT_EQ(*m.problem(), "[    1.235] " + marker + " something");
  }
}

TEST(KernelProblemReport, StartsAtTheFirstProblemLineAndDropsCarriageReturns) {
  const std::string log =
      "[    0.61] kdk: booted in 0.61 s\r\n"
      "[    1.20] 8<--- cut here ---\r\n"
      "[    1.20] Unable to handle kernel NULL pointer dereference at virtual address 00000000\r\n"
      "[    1.21] Internal error: Oops: 805 [#1] ARM\r\n"
      "[    1.22]  kdk_example_oops+0x8/0x10 [kdk_example]";  // the log may end without a newline
  EXPECT_EQ(kernel_problem_report(log),
            "[    1.20] Unable to handle kernel NULL pointer dereference at virtual address 00000000\n"
            "[    1.21] Internal error: Oops: 805 [#1] ARM\n"
            "[    1.22]  kdk_example_oops+0x8/0x10 [kdk_example]\n");
}

TEST(KernelProblemReport, IsEmptyForACleanBoot) {
  EXPECT_EQ(kernel_problem_report("kdk: booted in 0.61 s\nkdk-exit-status: 0\n"), "");
  EXPECT_EQ(kernel_problem_report(""), "");
}

TEST(BootMonitor, TheFirstProblemIsKept) {
  BootMonitor m({});
  m.feed_line("Kernel panic - not syncing: VFS: Unable to mount root fs");
  m.feed_line("Call Trace:");
  EXPECT_EQ(*m.problem(), "Kernel panic - not syncing: VFS: Unable to mount root fs");
}

TEST(BootMonitor, ReadsTheGuestExitStatus) {
  BootMonitor m({});
  EXPECT_FALSE(m.guest_status());
  m.feed_line("kdk-exit-status: 3\r");
  ASSERT_TRUE(m.guest_status());
  EXPECT_EQ(*m.guest_status(), 3);
  m.feed_line("echo kdk-exit-status: 0 is not at the start");
  EXPECT_EQ(*m.guest_status(), 3);
}

TEST(BootMonitor, SeesTheKernelsLastWords) {
  BootMonitor m({});
  m.feed_line("echo reboot: Restarting system");
  m.feed_line("  reboot: Power down");
  EXPECT_FALSE(m.guest_ended());
  m.feed_line("reboot: Restarting system\r");
  ASSERT_TRUE(m.guest_ended());
  EXPECT_EQ(*m.guest_ended(), "reboot: Restarting system");
  m.feed_line("reboot: Power down");
  EXPECT_EQ(*m.guest_ended(), "reboot: Restarting system");
  BootMonitor halted({});
  halted.feed_line("reboot: System halted");
  ASSERT_TRUE(halted.guest_ended());
}

TEST(BootMonitor, BadRegularExpression) {
  EXPECT_EQ(test::error_of([] { BootMonitor m({"(unclosed"}); }).rfind("kdk: --expect: bad regular expression '(unclosed': ", 0), 0u);
}

TEST(LineSplitter, CutsLongLinesAndDropsTheirRest) {
  std::vector<std::string> got;
  auto take = [&](const std::string& l) { got.push_back(l); };
  LineSplitter s;
  s.feed("one\ntw", take);
  s.feed("o\n", take);
  std::string exact(kMaxLineBytes, 'e');
  s.feed(exact + "\n", take);  // exactly the limit: whole, once
  std::string longer(3 * kMaxLineBytes + 5, 'x');
  for (std::size_t i = 0; i < longer.size(); i += 1000) s.feed(longer.substr(i, 1000), take);
  s.feed("\nafter\nlast", take);
  s.finish(take);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two", exact, std::string(kMaxLineBytes, 'x'), "after", "last"}));
}

TEST(BootMonitor, GuestStatusIsParsedExactly) {
  EXPECT_EQ(parse_guest_status("kdk-exit-status: 0"), 0);
  EXPECT_EQ(parse_guest_status("kdk-exit-status: 255 \r"), 255);
  for (const char* bad : {"kdk-exit-status: 256", "kdk-exit-status: 99999999999999999999", "kdk-exit-status: -1",
                          "kdk-exit-status: 1x", "kdk-exit-status: ", "kdk-exit-status:1", " kdk-exit-status: 1",
                          "kdk-exit-status: 0x1", "kdk-exit-status: 1 2"}) {
    EXPECT_FALSE(parse_guest_status(bad)) << bad;
    BootMonitor m({});
    m.feed_line(bad);  // and no exception
    EXPECT_FALSE(m.guest_status()) << bad;
  }
}

TEST(BootMonitor, PosixExtendedExpressions) {
  BootMonitor m({"^kdk: booted in [0-9.]+ s", "(^| )nokaslr( |$)"});
  m.feed_line("kdk: booted in 0.61 s");
  m.feed_line("console=ttyS0 nokaslr");
  EXPECT_TRUE(m.all_met());
  EXPECT_EQ(test::error_of([] { BootMonitor b({"(a)\\1"}); }),
            "kdk: --expect: '(a)\\1' has a back-reference (\\1), which kdk boot does not match: its matching can "
            "recurse without bound\n");
  EXPECT_NO_THROW(BootMonitor({"a\\\\1"}));  // an escaped backslash, then a digit
}

TEST(BootMonitor, BootedUptimeIsTheFirstWellFormedLine) {
  EXPECT_EQ(parse_booted_uptime("kdk: booted in 0.91 s (7.2.0)"), 0.91);
  EXPECT_EQ(parse_booted_uptime("kdk: booted in 12 s\r"), 12.0);
  for (const char* bad : {"kdk: booted in  s", "kdk: booted in .5 s", "kdk: booted in 5. s", "kdk: booted in 1.2.3 s",
                          "kdk: booted in 0.91s", "kdk: booted in 0.91", "kdk: booted in -1 s", "kdk: booted in 1e9 s",
                          "kdk: booted in 1234567890123 s", " kdk: booted in 1 s", "x kdk: booted in 1 s"}) {
    EXPECT_FALSE(parse_booted_uptime(bad)) << bad;
  }
  BootMonitor m({});
  m.feed_line("kdk: booted in nonsense s");
  EXPECT_FALSE(m.booted_uptime());
  m.feed_line("kdk: booted in 0.75 s (6.1.0)\r");
  m.feed_line("kdk: booted in 0.01 s");  // a later line (the guest's own echo) changes nothing
  EXPECT_EQ(m.booted_uptime(), 0.75);
}

}  // namespace
}  // namespace kdk
