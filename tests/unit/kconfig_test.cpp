#include "kconfig.hpp"

#include "test_util.hpp"

namespace kdk {
namespace {

using test::error_of;

const char* kKconfig =
    "config DEBUG_KERNEL\n"
    "\tbool \"Kernel debugging\"\n"
    "config EXPERT\n"
    "\tbool \"Expert\"\n"
    "config PRINTK\n"
    "\tdefault y\n"
    "\tbool \"printk\" if EXPERT\n"
    "menu \"Debug\"\n"
    "\tdepends on DEBUG_KERNEL\n"
    "config DEBUG_INFO\n"
    "\tbool\n"
    "choice\n"
    "\tprompt \"Debug information\"\n"
    "\tdepends on !CC_IS_CLANG || AS_IS_LLVM\n"
    "config DEBUG_INFO_DWARF5\n"
    "\tbool \"DWARF 5\"\n"
    "\tdepends on CC_VERSION >= 110000\n"
    "endchoice\n"
    "endmenu\n"
    "if DEBUG_INFO\n"
    "config GDB_SCRIPTS\n"
    "\tbool \"gdb scripts\"\n"
    "endif\n"
    "config CC_IS_CLANG\n"
    "\tdef_bool n\n"
    "config AS_IS_LLVM\n"
    "\tdef_bool n\n"
    "config CC_VERSION\n"
    "\tint\n";

KconfigIndex index() {
  KconfigIndex i;
  i.scan_file(kKconfig);
  return i;
}

TEST(Kconfig, ParsesSettingsAndUnsetComments) {
  auto s = parse_kconfig("# comment\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_S=\"x y\"\n\nCONFIG_N=0x10\n", "f");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].symbol, "CONFIG_A");
  EXPECT_EQ(s[1].value, "n");
  EXPECT_EQ(s[1].origin, "f:3");
  EXPECT_EQ(s[2].value, "\"x y\"");
  EXPECT_EQ(s[3].value, "0x10");
}

TEST(Kconfig, RejectsLinesThatAreNotSettings) {
  EXPECT_EQ(error_of([] { parse_kconfig("CONFIG_A=y\nDEBUG_INFO=y\n", "debug.config"); }),
            "kdk: debug.config:2: expected CONFIG_<NAME>=<value> or '# CONFIG_<NAME> is not set'\n    DEBUG_INFO=y\n");
  EXPECT_EQ(error_of([] { parse_kconfig("CONFIG_A=\n", "f"); }),
            "kdk: f:1: no value after '='; write '# CONFIG_A is not set' to turn it off\n    CONFIG_A=\n");
}

TEST(Kconfig, MergeReplacesInPlaceAppendsAndLaterFragmentsWin) {
  MergeResult r = merge_kconfig({"base", "CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n"},
                                {{"one.config", "CONFIG_B=y\nCONFIG_D=m\n"}, {"two.config", "# CONFIG_C is not set\nCONFIG_D=y\n"}});
  EXPECT_EQ(r.config, "CONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D=y\n");
  EXPECT_EQ(r.warnings, std::vector<std::string>{"two.config:2: CONFIG_D=y overrides one.config:2 (CONFIG_D=m)"});
}

TEST(Kconfig, NoWarningWhenAFragmentRepeatsTheSameValue) {
  MergeResult r = merge_kconfig({"base", ""}, {{"a", "CONFIG_X=y\n"}, {"b", "CONFIG_X=y\n"}});
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_EQ(r.config, "CONFIG_X=y\n");
}

TEST(Kconfig, VerifyPassesWhenEverythingStuck) {
  auto wanted = parse_kconfig("CONFIG_A=y\n# CONFIG_B is not set\n", "f");
  EXPECT_TRUE(verify_kconfig("CONFIG_A=y\n", wanted).empty());
}

TEST(Kconfig, VerifyUsesTheLastRequestOfEachOption) {
  auto wanted = parse_kconfig("CONFIG_A=y\n", "one");
  auto later = parse_kconfig("# CONFIG_A is not set\n", "two");
  wanted.insert(wanted.end(), later.begin(), later.end());
  auto problems = verify_kconfig("CONFIG_A=y\n", wanted);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].requested.origin, "two:1");
  EXPECT_EQ(problems[0].message, "# CONFIG_A is not set did not stick: the final .config has it as y");
}

TEST(Kconfig, VerifySuggestsASpelling) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("CONFIG_DEBUG_KERNEL=y\n", parse_kconfig("CONFIG_DEBUG_INOF=y\n", "f"), &i);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_DEBUG_INOF=y did not stick: the final .config has it unset; no Kconfig file defines DEBUG_INOF "
            "(did you mean 'CONFIG_DEBUG_INFO'?)");
}

TEST(Kconfig, VerifyBlamesTheEnclosingIfBlock) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("CONFIG_DEBUG_KERNEL=y\n", parse_kconfig("CONFIG_GDB_SCRIPTS=y\n", "f"), &i);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_GDB_SCRIPTS=y did not stick: the final .config has it unset; it depends on what is off here: "
            "DEBUG_INFO is unset");
}

TEST(Kconfig, VerifyBlamesMenuAndOwnConditionsButNotTrueOnes) {
  KconfigIndex i = index();
  // The menu needs DEBUG_KERNEL; the choice's condition is true (CC_IS_CLANG is off); the
  // option's own comparison is false.
  auto problems = verify_kconfig("CONFIG_CC_VERSION=100000\n", parse_kconfig("CONFIG_DEBUG_INFO_DWARF5=y\n", "f"), &i);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_DEBUG_INFO_DWARF5=y did not stick: the final .config has it unset; it depends on what is off here: "
            "DEBUG_KERNEL is unset, 'CC_VERSION >= 110000' is false");
}

TEST(Kconfig, VerifyBlamesAPromptCondition) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("CONFIG_PRINTK=y\n", parse_kconfig("# CONFIG_PRINTK is not set\n", "f"), &i);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "# CONFIG_PRINTK is not set did not stick: the final .config has it as y; it depends on what is off here: "
            "EXPERT is unset");
}

}  // namespace
}  // namespace kdk
