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

TEST(BootMonitor, BadRegularExpression) {
  EXPECT_EQ(test::error_of([] { BootMonitor m({"(unclosed"}); }).rfind("kdk: --expect: bad regular expression '(unclosed': ", 0), 0u);
}

}  // namespace
}  // namespace kdk
