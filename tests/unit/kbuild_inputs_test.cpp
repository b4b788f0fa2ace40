#include "kbuild_inputs.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <sys/stat.h>
#include <sys/time.h>

#include "test_util.hpp"

namespace kdk {
namespace {

using test::TempDir;
using test::write;

// A .cmd file as Linux 6.2 and later write it (savedcmd_, paths relative to O=).
const char* kCmd72 =
    "savedcmd_init/main.o := gcc -Wp,-MMD,init/.main.o.d -nostdinc -c -o init/main.o ../src/init/main.c\n"
    "\n"
    "source_init/main.o := ../src/init/main.c\n"
    "\n"
    "deps_init/main.o := \\\n"
    "  ../src/include/linux/compiler-version.h \\\n"
    "    $(wildcard include/config/CC_VERSION_TEXT) \\\n"
    "  ../src/include/linux/kconfig.h \\\n"
    "  include/generated/autoconf.h \\\n"
    "\n"
    "init/main.o: $(deps_init/main.o)\n"
    "\n"
    "$(deps_init/main.o):\n";

// As Linux 6.1 and BusyBox write it (cmd_, absolute source paths).
const char* kCmd61 =
    "cmd_applets/applets.o := gcc -Wp,-MD,applets/.applets.o.d -c -o applets/applets.o /s/applets/applets.c\n"
    "\n"
    "deps_applets/applets.o := \\\n"
    "  /s/applets/applets.c \\\n"
    "    $(wildcard include/config/build/libbusybox.h) \\\n"
    "  /usr/include/stdc-predef.h \\\n"
    "\n"
    "applets/applets.o: $(deps_applets/applets.o)\n"
    "\n"
    "$(deps_applets/applets.o):\n";

TEST(KbuildInputsTest, ReadsTheDependencyListsOfCmdFiles) {
  EXPECT_EQ(parse_cmd_file_deps(kCmd72),
            (std::vector<std::string>{"../src/init/main.c", "../src/include/linux/compiler-version.h",
                                      "include/config/CC_VERSION_TEXT", "../src/include/linux/kconfig.h",
                                      "include/generated/autoconf.h"}));
  EXPECT_EQ(parse_cmd_file_deps(kCmd61),
            (std::vector<std::string>{"/s/applets/applets.c", "include/config/build/libbusybox.h",
                                      "/usr/include/stdc-predef.h"}));
  // A link or a generated file's .cmd names no dependencies; the command itself is not one.
  EXPECT_TRUE(parse_cmd_file_deps("savedcmd_vmlinux := scripts/link-vmlinux.sh \"ld\" \"-m elf_x86_64\"\n").empty());
  // Truncated in the middle of the list: what is there is still read.
  EXPECT_EQ(parse_cmd_file_deps("deps_a.o := \\\n  a.c \\\n  b.h \\"), (std::vector<std::string>{"a.c", "b.h"}));
}

TEST(KbuildInputsTest, ReadsTheKconfigFilesOfAutoConfCmd) {
  const char* text =
      "autoconfig := include/config/auto.conf\n\n"
      "deps_config := \\\n\tKconfig \\\n\tinit/Kconfig \\\n\tarch/x86/Kconfig\n\n"
      "$(autoconfig): $(deps_config)\n$(deps_config): ;\n\n"
      "ifneq \"$(CC_VERSION_TEXT)\" \"gcc 14\"\n$(autoconfig): FORCE\nendif\n";
  EXPECT_EQ(parse_kconfig_deps(text), (std::vector<std::string>{"Kconfig", "init/Kconfig", "arch/x86/Kconfig"}));
}

TEST(KbuildInputsTest, KnowsWhichEnvironmentVariablesKbuildReads) {
  for (const char* name : {"KCFLAGS", "KCPPFLAGS", "KAFLAGS", "KRUSTFLAGS", "CFLAGS_MODULE", "AFLAGS_KERNEL",
                           "LDFLAGS_MODULE", "LDFLAGS_vmlinux", "HOSTCFLAGS", "HOSTLDLIBS", "USERCFLAGS",
                           "KBUILD_BUILD_TIMESTAMP", "KBUILD_EXTRA_SYMBOLS", "KCONFIG_CONFIG", "LLVM", "LLVM_IAS",
                           "INSTALL_MOD_PATH", "LOCALVERSION", "ARCH", "CROSS_COMPILE", "PATH", "SOURCE_DATE_EPOCH",
                           "CFLAGS", "EXTRA_CFLAGS"}) {
    EXPECT_TRUE(kbuild_reads_env(name)) << name;
  }
  for (const char* name : {"HOME", "TERM", "PWD", "CCACHE_DIR", "LS_COLORS", "DISPLAY", "SHLVL", "OLDPWD"}) {
    EXPECT_FALSE(kbuild_reads_env(name)) << name;
  }
}

// A tiny kbuild-shaped pair of trees: src/ with a Makefile, a source and a header; obj/ with
// the .cmd file kbuild would have written for it.
struct Trees {
  TempDir dir;
  std::string src = dir / "src";
  std::string obj = dir / "obj";
  Trees() {
    write(src + "/Makefile", "obj-y += init/\n");
    write(src + "/init/Makefile", "obj-y += main.o\n");
    write(src + "/init/main.c", "#include \"main.h\"\n");
    write(src + "/init/main.h", "#define X 1\n");
    write(src + "/include/linux/kconfig.h", "\n");
    write(obj + "/init/.main.o.cmd",
          "savedcmd_init/main.o := gcc\n\nsource_init/main.o := ../src/init/main.c\n\ndeps_init/main.o := \\\n"
          "  ../src/init/main.h \\\n  ../src/include/linux/kconfig.h \\\n    $(wildcard include/config/X) \\\n\n");
    write(obj + "/init/main.o", "object");
    write(obj + "/.config", "CONFIG_X=y\n");
  }
  KbuildInputsOptions options() const {
    KbuildInputsOptions o;
    o.label = "vmlinux-test";
    o.objtree = obj;
    o.srctree = src;
    o.files = {obj + "/.config"};
    return o;
  }
  std::string record(const std::vector<std::string>& env = {"PATH=/usr/bin"}) const {
    return render_record(collect_kbuild_inputs(options(), now_ns() + 1000000000LL, env));
  }
};

// Moves a file's mtime back, so that a rewrite within the same clock tick still differs.
void age(const std::string& path) {
  struct timeval times[2] = {{1000000, 0}, {1000000, 0}};
  ASSERT_EQ(utimes(path.c_str(), times), 0);
}

RecordCheck check(const Trees&, const std::string& record, const std::vector<std::string>& env = {"PATH=/usr/bin"}) {
  return check_record(record, "R", env);
}

TEST(KbuildInputsTest, ARecordIsUpToDateUntilAnInputChanges) {
  struct Case {
    const char* what;
    std::function<void(Trees&)> change;
    const char* reason;
  };
  std::vector<Case> cases = {
      {"nothing", [](Trees&) {}, ""},
      {"a source", [](Trees& t) { age(t.src + "/init/main.c"); }, "init/main.c changed"},
      {"a header", [](Trees& t) { write(t.src + "/init/main.h", "#define X 2\n"); }, "init/main.h changed"},
      {"a header elsewhere", [](Trees& t) { age(t.src + "/include/linux/kconfig.h"); }, "kconfig.h changed"},
      {"a Makefile", [](Trees& t) { write(t.src + "/init/Makefile", "obj-y += main.o other.o\n"); }, "init/Makefile changed"},
      {"a new file", [](Trees& t) { age(t.src + "/init"); write(t.src + "/init/Kbuild", "obj-y += main.o\n"); }, "src/init changed"},
      {"a file that appears", [](Trees& t) { write(t.obj + "/include/config/X", ""); }, "include/config/X appeared"},
      {"a file replaced by a new one (an editor's save)", [](Trees& t) {
         age(t.src + "/init");
         write(t.src + "/init/main.c.new", "int x;\n");
         std::filesystem::rename(t.src + "/init/main.c.new", t.src + "/init/main.c");
       }, "init/main.c changed"},
      {".config", [](Trees& t) { write(t.obj + "/.config", "CONFIG_X=n\n"); }, ".config changed"},
      {"a deleted object", [](Trees& t) { std::filesystem::remove(t.obj + "/init/main.o"); }, "init/main.o is gone"},
      {"a deleted .cmd file", [](Trees& t) { std::filesystem::remove(t.obj + "/init/.main.o.cmd"); }, ".main.o.cmd is gone"},
      {"a truncated .cmd file", [](Trees& t) { write(t.obj + "/init/.main.o.cmd", "savedcmd_init/m"); }, ".main.o.cmd changed"},
  };
  for (const auto& c : cases) {
    Trees t;
    std::string before = t.record();
    c.change(t);
    RecordCheck r = check(t, before);
    if (std::string(c.reason).empty()) {
      EXPECT_TRUE(r.up_to_date) << r.reason;
      continue;
    }
    EXPECT_FALSE(r.up_to_date) << c.what;
    EXPECT_NE(r.reason.find(c.reason), std::string::npos) << c.what << ": " << r.reason;
  }
}

TEST(KbuildInputsTest, TheEnvironmentKbuildReadsIsPartOfTheRecord) {
  Trees t;
  std::string record = t.record({"PATH=/usr/bin", "HOME=/root", "KCFLAGS=-O2"});
  EXPECT_TRUE(check(t, record, {"PATH=/usr/bin", "HOME=/elsewhere", "KCFLAGS=-O2", "TERM=x"}).up_to_date);
  EXPECT_EQ(check(t, record, {"PATH=/usr/bin", "KCFLAGS=-O3"}).reason, "the environment variable KCFLAGS changed");
  EXPECT_EQ(check(t, record, {"PATH=/usr/bin"}).reason, "the environment variable KCFLAGS is no longer set");
  EXPECT_EQ(check(t, record, {"PATH=/usr/bin", "KCFLAGS=-O2", "LOCALVERSION=-x"}).reason,
            "the environment variable LOCALVERSION is now set");
  EXPECT_EQ(check(t, record, {"PATH=/bin:/usr/bin", "KCFLAGS=-O2"}).reason, "the environment variable PATH changed");
}

TEST(KbuildInputsTest, ToolsAreFoundInPathAndRecordedWithPathsDirectories) {
  Trees t;
  write(t.dir / "bin/x86_64-linux-gnu-gcc", "#!/bin/sh\n");
  chmod((t.dir / "bin/x86_64-linux-gnu-gcc").c_str(), 0755);
  auto options = t.options();
  options.tools = {"x86_64-linux-gnu-gcc", "no-such-tool-anywhere"};
  std::vector<std::string> env = {"PATH=" + t.dir.path() + "/nothing:" + t.dir.path() + "/bin"};
  std::string record = render_record(collect_kbuild_inputs(options, now_ns() + 1000000000LL, env));
  EXPECT_NE(record.find(" " + t.dir.path() + "/bin/x86_64-linux-gnu-gcc\n"), std::string::npos);
  EXPECT_NE(record.find(" " + t.dir.path() + "/bin\n"), std::string::npos);
  EXPECT_NE(record.find("A " + t.dir.path() + "/nothing\n"), std::string::npos);
  EXPECT_EQ(record.find("no-such-tool"), std::string::npos);
  EXPECT_TRUE(check_record(record, "R", env).up_to_date);
  age(t.dir / "bin/x86_64-linux-gnu-gcc");
  EXPECT_NE(check_record(record, "R", env).reason.find("x86_64-linux-gnu-gcc changed"), std::string::npos);
  // A tool installed into a directory earlier in PATH shadows the recorded one.
  record = render_record(collect_kbuild_inputs(options, now_ns() + 1000000000LL, env));
  ASSERT_TRUE(check_record(record, "R", env).up_to_date);
  std::filesystem::create_directories(t.dir / "nothing");
  EXPECT_NE(check_record(record, "R", env).reason.find("nothing appeared"), std::string::npos);
}

TEST(KbuildInputsTest, ASourceWrittenWhileKbuildRanSendsTheNextBuildBackToKbuild) {
  Trees t;
  std::int64_t since = now_ns() - 60LL * 1000000000;  // kbuild started a minute ago
  age(t.src + "/init/Makefile");                      // untouched since long before
  write(t.obj + "/init/main.o", "rebuilt");           // kbuild's own output: expected
  KbuildInputs inputs = collect_kbuild_inputs(t.options(), since, {"PATH=/usr/bin"});
  // Every file of src/ was written "during the build" (a minute ago): each is recorded as
  // changed, except the aged Makefile; nothing under O= is.
  EXPECT_FALSE(inputs.changed_during_build.empty());
  for (const auto& p : inputs.changed_during_build) {
    EXPECT_NE(p.find(t.src), std::string::npos) << p;
    EXPECT_EQ(p.find("init/Makefile"), std::string::npos) << p;
  }
  RecordCheck r = check_record(render_record(inputs), "R", {"PATH=/usr/bin"});
  EXPECT_FALSE(r.up_to_date);
  EXPECT_NE(r.reason.find("changed while kbuild ran"), std::string::npos) << r.reason;
}

TEST(KbuildInputsTest, AnObjtreeWithoutCmdFilesIsNeverUpToDate) {
  TempDir dir;
  write(dir / "obj/.config", "");
  KbuildInputsOptions o;
  o.objtree = dir / "obj";
  std::string record = render_record(collect_kbuild_inputs(o, now_ns() + 1000000000LL, {}));
  RecordCheck r = check_record(record, "R", {});
  EXPECT_FALSE(r.up_to_date);
  EXPECT_NE(r.reason.find("incomplete (kbuild left no .cmd files"), std::string::npos) << r.reason;
}

TEST(KbuildInputsTest, AMissingRecordIsNeverUpToDate) {
  RecordCheck r = check_record(std::nullopt, "/b/kbuild-inputs/x.record", {});
  EXPECT_FALSE(r.up_to_date);
  EXPECT_EQ(r.reason, "no record of its inputs (/b/kbuild-inputs/x.record): first build, or the record was removed");
}

// The invariant behind "a damaged record never skips a rebuild": every truncation and every
// single-byte change of a valid record is detected.
TEST(KbuildInputsTest, EveryTruncationAndEveryByteChangeOfARecordIsDetected) {
  Trees t;
  std::string record = t.record();
  ASSERT_TRUE(check(t, record).up_to_date);
  for (std::size_t n = 0; n < record.size(); ++n) {
    RecordCheck r = check(t, record.substr(0, n));
    ASSERT_FALSE(r.up_to_date) << "truncated to " << n << " bytes";
    EXPECT_NE(r.reason.find("is damaged"), std::string::npos) << n << ": " << r.reason;
  }
  for (std::size_t i = 0; i < record.size(); ++i) {
    for (int delta : {1, 0x20, 0x80}) {
      std::string changed = record;
      changed[i] = static_cast<char>(changed[i] ^ delta);
      ASSERT_FALSE(check(t, changed).up_to_date) << "byte " << i << " ^ " << delta;
    }
  }
}

TEST(KbuildInputsTest, PathsWithSpacesBackslashesAndNewlinesRoundTrip) {
  Trees t;
  write(t.src + "/init/odd name \\ x\ny.h", "");
  write(t.obj + "/init/.odd.o.cmd", "deps_init/odd.o := \\\n  ../src/init/odd\\ name.h \\\n\n");
  std::string record = t.record();
  EXPECT_TRUE(check(t, record).up_to_date) << check(t, record).reason;
  age(t.src + "/init/odd name \\ x\ny.h");
  EXPECT_NE(check(t, record).reason.find("odd name \\ x\ny.h changed"), std::string::npos);
}

TEST(KbuildInputsTest, ArtifactFingerprintChangesWithTheFile) {
  TempDir dir;
  write(dir / "vmlinux", "a");
  std::string one = artifact_fingerprint({dir / "vmlinux", dir / "missing"});
  EXPECT_EQ(one, artifact_fingerprint({dir / "vmlinux", dir / "missing"}));
  EXPECT_NE(one.find(dir / "missing absent\n"), std::string::npos);
  age(dir / "vmlinux");
  EXPECT_NE(one, artifact_fingerprint({dir / "vmlinux", dir / "missing"}));
}

}  // namespace
}  // namespace kdk
