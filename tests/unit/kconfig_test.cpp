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
    "\tint\n"
    "config CRC_CCITT\n"
    "\ttristate\n"
    "config PPP_ASYNC\n"
    "\ttristate \"PPP async\"\n"
    "\tselect CRC_CCITT\n"
    "config IRDA\n"
    "\tbool \"IrDA\"\n"
    "\tselect CRC_CCITT if DEBUG_KERNEL\n"
    "config ARCH_VIRT\n"
    "\tbool \"QEMU Virt Machine\"\n";

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
  EXPECT_EQ(error_of([] { parse_kconfig("CONFIG_A=y  # on\n", "f"); }),
            "kdk: f:1: 'y  # on' is not a value (y, m, a number, or a \"quoted string\"); a comment goes on a line of its own\n"
            "    CONFIG_A=y  # on\n");
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
  auto problems = verify_kconfig("CONFIG_DEBUG_KERNEL=y\n", parse_kconfig("CONFIG_DEBUG_INOF=y\n", "f"), {"linux", {}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_DEBUG_INOF=y did not stick: the final .config has it unset; no Kconfig file defines DEBUG_INOF "
            "(did you mean 'CONFIG_DEBUG_INFO'?)");
}

TEST(Kconfig, VerifyBlamesTheEnclosingIfBlock) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("CONFIG_DEBUG_KERNEL=y\n", parse_kconfig("CONFIG_GDB_SCRIPTS=y\n", "f"), {"linux", {}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_GDB_SCRIPTS=y did not stick: the final .config has it unset; it depends on what is off here: "
            "DEBUG_INFO is unset");
}

TEST(Kconfig, VerifyBlamesMenuAndOwnConditionsButNotTrueOnes) {
  KconfigIndex i = index();
  // The menu needs DEBUG_KERNEL; the choice's condition is true (CC_IS_CLANG is off); the
  // option's own comparison is false.
  auto problems = verify_kconfig("CONFIG_CC_VERSION=100000\n", parse_kconfig("CONFIG_DEBUG_INFO_DWARF5=y\n", "f"), {"linux", {}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_DEBUG_INFO_DWARF5=y did not stick: the final .config has it unset; it depends on what is off here: "
            "DEBUG_KERNEL is unset, 'CC_VERSION >= 110000' is false");
}

TEST(Kconfig, VerifyBlamesAPromptCondition) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("CONFIG_PRINTK=y\n", parse_kconfig("# CONFIG_PRINTK is not set\n", "f"), {"linux", {}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "# CONFIG_PRINTK is not set did not stick: the final .config has it as y; it depends on what is off here: "
            "EXPERT is unset");
}

TEST(Kconfig, VerifyExplainsAnOptionWithoutAPrompt) {
  KconfigIndex i = index();
  auto problems =
      verify_kconfig("CONFIG_DEBUG_KERNEL=y\n", parse_kconfig("CONFIG_CRC_CCITT=m\n", "kernel.config"), {"linux", {7, 2, 13}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_CRC_CCITT=m did not stick: the final .config has it unset; CRC_CCITT has no prompt in Linux 7.2.13: "
            "only `select` can set it; selected by: PPP_ASYNC, IRDA if DEBUG_KERNEL");
}

TEST(Kconfig, VerifyNamesTheSelectThatForcesAnOptionHigher) {
  KconfigIndex i;
  i.scan_file(
      "config XZ_DEC\n\ttristate \"XZ\"\nconfig DECOMPRESS_XZ\n\tbool\n\tselect XZ_DEC\n"
      "config SQUASHFS_XZ\n\tbool \"sq\"\n\tselect XZ_DEC\n");
  auto problems = verify_kconfig("CONFIG_XZ_DEC=y\nCONFIG_DECOMPRESS_XZ=y\n", parse_kconfig("CONFIG_XZ_DEC=m\n", "kernel.config"),
                                 {"linux", {6, 1, 192}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_XZ_DEC=m did not stick: the final .config has it as y; `select` forces it to at least y here, from: "
            "DECOMPRESS_XZ");
}

TEST(Kconfig, VerifySaysWhenNothingSelectsAPromptlessOption) {
  KconfigIndex i;
  i.scan_file("config LONELY\n\tbool\n");
  auto problems = verify_kconfig("", parse_kconfig("CONFIG_LONELY=y\n", "f"), {"linux", {6, 1, 0}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_LONELY=y did not stick: the final .config has it unset; LONELY has no prompt in Linux 6.1.0: only "
            "`select` can set it; nothing selects it here");
}

TEST(Kconfig, VerifySuggestsARenamedSymbol) {
  KconfigIndex i = index();
  auto problems = verify_kconfig("", parse_kconfig("CONFIG_SOC_VIRT=y\n", "qemu.config"), {"linux", {7, 2, 13}, &i, {}, nullptr});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_SOC_VIRT=y did not stick: the final .config has it unset; no Kconfig file defines SOC_VIRT "
            "(did you mean 'CONFIG_ARCH_VIRT'?)");
}

TEST(Kconfig, VerifySaysASymbolBelongsToOlderKernels) {
  KconfigIndex i = index();
  KconfigCatalogue c = KconfigCatalogue::parse("# comment\nriscv:SOC_VIRT 6.1\nriscv:ARCH_VIRT 6.12 7.2\n", "catalogue");
  KconfigTarget t{"linux", {7, 2, 13}, &i, "riscv", &c};
  auto problems = verify_kconfig("", parse_kconfig("CONFIG_SOC_VIRT=y\n", "qemu.config"), t);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_SOC_VIRT=y did not stick: the final .config has it unset; no Kconfig file defines SOC_VIRT: it exists "
            "only in older kernels (kdk's catalogue: Linux 6.1), not in Linux 7.2.13 (did you mean 'CONFIG_ARCH_VIRT'?); "
            "to apply it only where it exists, put '# kdk-if: defined' on the line above it");
}

TEST(Kconfig, VerifySaysASymbolBelongsToNewerKernels) {
  KconfigIndex i;
  i.scan_file("config SOC_VIRT\n\tbool \"virt\"\n");
  KconfigCatalogue c = KconfigCatalogue::parse("riscv:SOC_VIRT 6.1\nriscv:ARCH_VIRT 7.2 6.12\n", "catalogue");
  KconfigTarget t{"linux", {6, 1, 192}, &i, "riscv", &c};
  auto problems = verify_kconfig("", parse_kconfig("CONFIG_ARCH_VIRT=y\n", "mine.config"), t);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "CONFIG_ARCH_VIRT=y did not stick: the final .config has it unset; no Kconfig file defines ARCH_VIRT: it exists "
            "only in newer kernels (kdk's catalogue: Linux 6.12, 7.2), not in Linux 6.1.192 (did you mean 'CONFIG_SOC_VIRT'?); "
            "to apply it only where it exists, put '# kdk-if: defined' on the line above it");
  // Another architecture's scope does not count.
  EXPECT_TRUE(c.versions("ARCH_VIRT", "arm").empty());
}

TEST(Kconfig, CatalogueListsWhatNotEveryTreeDefines) {
  test::TempDir dir;
  test::write(dir / "old/Kconfig", "config COMMON\n\tbool \"c\"\nconfig GONE\n\tbool \"g\"\n");
  test::write(dir / "old/arch/riscv/Kconfig", "config SOC_VIRT\n\tbool \"v\"\n");
  test::write(dir / "new/Kconfig", "config COMMON\n\tbool \"c\"\n");
  test::write(dir / "new/arch/riscv/Kconfig", "config ARCH_VIRT\n\tbool \"v\"\n");
  test::write(dir / "new/arch/arm/Kconfig", "config ARM_ONLY\n\tbool \"a\"\n");
  std::string text = KconfigCatalogue::make({{"6.1", dir / "old"}, {"7.2", dir / "new"}}, {"riscv"});
  EXPECT_EQ(text,
            "# Kconfig symbols that some of these kernels define and others do not (kdk kconfig catalogue): 6.1 7.2\n"
            "# SCOPE:SYMBOL VERSION...  (SCOPE: * outside arch/, else the arch/ directory)\n"
            "*:GONE 6.1\nriscv:ARCH_VIRT 7.2\nriscv:SOC_VIRT 6.1\n");
  EXPECT_EQ(error_of([] { KconfigCatalogue::parse("SOC_VIRT 6.1\n", "cat"); }),
            "kdk: cat:1: expected SCOPE:SYMBOL VERSION...\n    SOC_VIRT 6.1\n");
}

TEST(Kconfig, ConditionsGuardTheNextSetting) {
  auto s = parse_kconfig("# kdk-if: linux >= 6.7\nCONFIG_ARCH_VIRT=y\nCONFIG_A=y\n", "f");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].condition, "linux >= 6.7");
  EXPECT_EQ(s[1].condition, "");
  KconfigTarget old{"linux", {6, 1, 192}, nullptr, {}, nullptr}, newer{"linux", {6, 7, 0}, nullptr, {}, nullptr};
  EXPECT_FALSE(setting_applies(s[0], old));
  EXPECT_TRUE(setting_applies(s[0], newer));
  EXPECT_TRUE(setting_applies(s[1], old));
  auto range = parse_kconfig("# kdk-if: linux >= 6.1 && linux < 6.12\nCONFIG_X=y\n", "f");
  EXPECT_TRUE(setting_applies(range[0], old));
  EXPECT_FALSE(setting_applies(range[0], KconfigTarget{"linux", {6, 12}, nullptr, {}, nullptr}));
}

TEST(Kconfig, DefinedConditionAsksTheIndex) {
  KconfigIndex i = index();
  auto s = parse_kconfig("# kdk-if: defined\nCONFIG_SOC_VIRT=y\n# kdk-if: defined\nCONFIG_ARCH_VIRT=y\n", "qemu.config");
  KconfigTarget t{"linux", {7, 2, 13}, &i, {}, nullptr};
  EXPECT_FALSE(setting_applies(s[0], t));
  EXPECT_TRUE(setting_applies(s[1], t));
  // Merge leaves out what does not apply, and verify does not ask for it.
  MergeResult r = merge_kconfig({"base", ""}, {{"qemu.config", "# kdk-if: defined\nCONFIG_SOC_VIRT=y\n# kdk-if: defined\nCONFIG_ARCH_VIRT=y\n"}}, t);
  EXPECT_EQ(r.config, "CONFIG_ARCH_VIRT=y\n");
  EXPECT_TRUE(verify_kconfig("CONFIG_ARCH_VIRT=y\n", s, t).empty());
}

TEST(Kconfig, ConditionErrorsNameTheLine) {
  EXPECT_EQ(error_of([] { parse_kconfig("# kdk-if: linux >= six\nCONFIG_A=y\n", "f"); }),
            "kdk: f:1: 'six' is not a version (write it as 6.12 or 6.12.3)\n    # kdk-if: linux >= six\n");
  EXPECT_EQ(error_of([] { parse_kconfig("# kdk-if: kernel >= 6.1\nCONFIG_A=y\n", "f"); }),
            "kdk: f:1: '# kdk-if: kernel >= 6.1': each condition is 'defined' or 'linux OP VERSION' (OP: >=, >, <=, <, ==), "
            "joined by &&\n    # kdk-if: kernel >= 6.1\n");
  EXPECT_EQ(error_of([] { parse_kconfig("# kdk-if: defined\n\nCONFIG_A=y\n", "f"); }),
            "kdk: f:1: a '# kdk-if:' line must be followed directly by the setting it guards\n    # kdk-if: defined\n");
  EXPECT_EQ(error_of([] { parse_kconfig("CONFIG_A=y\n# kdk-if: defined\n", "f"); }),
            "kdk: f:2: a '# kdk-if:' line must be followed directly by the setting it guards\n    # kdk-if: defined\n");
  auto s = parse_kconfig("# kdk-if: defined\nCONFIG_A=y\n", "f");
  EXPECT_EQ(error_of([&] { setting_applies(s[0], KconfigTarget{}); }),
            "kdk: f:2: '# kdk-if: defined' needs the source tree's Kconfig files (kdk kconfig ... --kconfig-root SRC)\n"
            "    CONFIG_A=y\n");
  auto v = parse_kconfig("# kdk-if: linux >= 6.1\nCONFIG_A=y\n", "f");
  EXPECT_EQ(error_of([&] { setting_applies(v[0], KconfigTarget{"busybox", {1, 38, 0}, nullptr, {}, nullptr}); }),
            "kdk: f:2: this condition is about linux, but the fragment is applied to BusyBox 1.38.0\n    CONFIG_A=y\n");
}

TEST(Kconfig, TargetReadsTheTreeVersion) {
  test::TempDir dir;
  test::write(dir / "Kconfig", "");
  test::write(dir / "Makefile", "# SPDX-License-Identifier: GPL-2.0\nVERSION = 7\nPATCHLEVEL = 2\nSUBLEVEL = 13\nEXTRAVERSION =\n");
  KconfigTarget t = KconfigTarget::of_tree(dir.path(), nullptr);
  EXPECT_EQ(t.describe(), "Linux 7.2.13");
}

}  // namespace
}  // namespace kdk
