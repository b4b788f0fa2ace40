// Black-box tests of the kdk binary: each case runs in its own temporary directory and asserts
// stdout, stderr, the exit status, and what is left on disk.
#include <gtest/gtest.h>

#include "cli_fixture.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace kdk_test;

TEST_F(Cli, NoArgumentsIsAUsageError) {
  Result r = kdk({});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("usage: kdk COMMAND [options]\n", 0), 0u) << r.err;
}

TEST_F(Cli, HelpListsEveryCommandFromTheTable) {
  Result r = kdk({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  for (const char* c : {"  cpio pack ", "  cpio list ", "  cpio extract ", "  image ext4 ", "  inittab ", "  fstab "}) {
    EXPECT_NE(r.out.find(c), std::string::npos) << c;
  }
}

TEST_F(Cli, CommandHelp) {
  Result r = kdk({"cpio", "pack", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("usage: kdk cpio pack -o OUT [options] [DIR]...\n\nWrite a newc cpio archive", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("  -o, --output OUT          write the archive to OUT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      --compress METHOD     none (default), gzip, zstd, xz or lz4"), std::string::npos);
}

TEST_F(Cli, MistypedCommandGetsDidYouMean) {
  Result r = kdk({"inittb", "x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "kdk: unknown command 'inittb' (did you mean 'inittab'?)\nRun 'kdk --help' for the list.\n");
  r = kdk({"cpio", "pak"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "kdk: unknown command 'cpio pak' (did you mean 'cpio pack'?)\nRun 'kdk --help' for the list.\n");
}

TEST_F(Cli, MistypedOptionGetsDidYouMean) {
  Result r = kdk({"cpio", "pack", "-o", "x", "--compres", "gzip", "."});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "kdk cpio pack: unknown option '--compres' (did you mean '--compress'?)\n"
            "usage: kdk cpio pack -o OUT [options] [DIR]...\n"
            "Run 'kdk cpio pack --help' for details.\n");
  EXPECT_EQ(files(), std::vector<std::string>{});
}

TEST_F(Cli, PackWithoutOutputIsAUsageError) {
  Result r = kdk({"cpio", "pack", "."});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("kdk cpio pack: missing -o OUT\n", 0), 0u) << r.err;
}

TEST_F(Cli, PackIsReproducibleAndClampsMtimes) {
  spit(path("root/etc/motd"), "hi\n");
  spit(path("devices.list"), "nod /dev/console 0600 0 0 c 5 1\n");
  Result a = kdk({"cpio", "pack", "-o", "a.cpio.gz", "--compress", "gzip", "root", "--spec", "devices.list"},
                 {"SOURCE_DATE_EPOCH=86400"});
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(a.out, "");
  EXPECT_EQ(a.err, "");
  sleep(1);
  fs::last_write_time(path("root/etc/motd"), fs::file_time_type::clock::now());
  Result b = kdk({"cpio", "pack", "-o", "b.cpio.gz", "--compress", "gzip", "root", "--spec", "devices.list"},
                 {"SOURCE_DATE_EPOCH=86400"});
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(slurp(path("a.cpio.gz")), slurp(path("b.cpio.gz")));
  Result list = kdk({"cpio", "list", "-v", "a.cpio.gz"});
  EXPECT_EQ(list.status, 0);
  EXPECT_EQ(list.out,
            "drwxr-xr-x   2 root     root            0 Jan  2  1970 dev\n"
            "crw-------   1 root     root       5,   1 Jan  2  1970 dev/console\n"
            "drwxr-xr-x   2 root     root            0 Jan  2  1970 etc\n"
            "-rw-r--r--   1 root     root            3 Jan  2  1970 etc/motd\n");
}

// Every numeric option: digits only, in range, or exit status 2 naming the option, the text and
// the range; nothing is written.
TEST_F(Cli, NumericOptionsAreParsedStrictly) {
  spit(path("root/a"), "x");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"cpio", "pack", "-o", "o.cpio", "root", "--mtime", "12abc"}, "--mtime '12abc' is not a whole number (0 to 4294967295)"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--mtime", "-1"}, "--mtime '-1' is not a whole number (0 to 4294967295)"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--mtime", "4294967296"}, "--mtime 4294967296 is out of range: 0 to 4294967295"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--mtime", "99999999999999999999999"},
       "--mtime 99999999999999999999999 is out of range: 0 to 4294967295"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--compress", "xz", "--level", "10"}, "--level 10 is out of range: 0 to 9"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--compress", "zstd", "--level", "0"}, "--level 0 is out of range: 1 to 22"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--compress", "lz4", "--level", "13"}, "--level 13 is out of range: 1 to 12"},
      {{"cpio", "pack", "-o", "o.cpio", "root", "--compress", "gzip", "--level", " 5"}, "--level ' 5' is not a whole number (0 to 9)"},
      {{"boot", "--timeout", "nan", "--", "true"}, "--timeout 'nan' is not a number of seconds (such as 30 or 2.5)"},
      {{"boot", "--timeout", "inf", "--", "true"}, "--timeout 'inf' is not a number of seconds (such as 30 or 2.5)"},
      {{"boot", "--timeout", "1e3", "--", "true"}, "--timeout '1e3' is not a number of seconds (such as 30 or 2.5)"},
      {{"boot", "--timeout", "5.", "--", "true"}, "--timeout '5.' is not a number of seconds (such as 30 or 2.5)"},
      {{"boot", "--timeout", "0", "--", "true"}, "--timeout 0 is out of range: more than 0, at most 86400"},
      {{"boot", "--timeout", "86400.5", "--", "true"}, "--timeout 86400.5 is out of range: more than 0, at most 86400"},
      {{"port", "--check", "80abc"}, "--check '80abc' is not a whole number (1 to 65535)"},
      {{"port", "--check", "0"}, "--check 0 is out of range: 1 to 65535"},
      {{"port", "--check", "65536"}, "--check 65536 is out of range: 1 to 65535"},
      {{"port", "--check", "+80"}, "--check '+80' is not a whole number (1 to 65535)"},
  };
  for (const auto& c : cases) {
    Result r = kdk(c.args);
    std::string command = c.args[0] == "cpio" ? "cpio " + c.args[1] : c.args[0];
    EXPECT_EQ(r.status, 2) << c.message;
    EXPECT_EQ(r.err.rfind("kdk " + command + ": " + c.message + "\n", 0), 0u) << r.err;
    EXPECT_FALSE(fs::exists(path("o.cpio"))) << c.message;
  }
  Result env = kdk({"cpio", "pack", "-o", "o.cpio", "root"}, {"SOURCE_DATE_EPOCH=1e9"});
  EXPECT_EQ(env.status, 1);
  EXPECT_EQ(env.err,
            "kdk: SOURCE_DATE_EPOCH: '1e9' is not a number of seconds since the epoch from 0 to 4294967295 (newc's "
            "limit); fix or unset it\n");
  EXPECT_FALSE(fs::exists(path("o.cpio")));
  EXPECT_EQ(kdk({"cpio", "pack", "-o", "o.cpio", "root", "--mtime", "4294967295", "--compress", "zstd", "--level", "22"}).status, 0);
  EXPECT_EQ(kdk({"boot", "--quiet", "--timeout", "2.5", "--", "true"}).status, 0);
}

TEST_F(Cli, PackToStandardOutput) {
  spit(path("root/a"), "x");
  Result r = kdk({"cpio", "pack", "-o", "-", "root"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("070701", 0), 0u);
  spit(path("out.cpio"), r.out);
  EXPECT_EQ(kdk({"cpio", "list", "out.cpio"}).out, "a\n");
}

TEST_F(Cli, BadListNamesFileAndLineAndLeavesNoOutput) {
  spit(path("root/a"), "x");
  spit(path("old.cpio"), "previous archive");
  spit(path("rootfs.list"), "dir /dev 0755 0 0\n# devices\nnod /dev/console 0600 0 0 x 5 1\n");
  Result r = kdk({"cpio", "pack", "-o", "new.cpio", "root", "--spec", "rootfs.list"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "kdk: rootfs.list:3: bad device type 'x': expected 'b' (block) or 'c' (character)\n"
            "    nod /dev/console 0600 0 0 x 5 1\n");
  r = kdk({"cpio", "pack", "-o", "old.cpio", "root", "--spec", "rootfs.list"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(slurp(path("old.cpio")), "previous archive") << "a failed pack leaves OUT as it was";
  EXPECT_EQ(files(), (std::vector<std::string>{"old.cpio", "root", "root/a", "rootfs.list"}));
}

TEST_F(Cli, MissingSourceNamesTheListLine) {
  spit(path("l"), "file /init ./nope 0755 0 0\n");
  Result r = kdk({"cpio", "pack", "-o", "x.cpio", "--spec", "l"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: l:1: source './nope' of '/init': No such file or directory\n    file /init ./nope 0755 0 0\n");
  EXPECT_EQ(files(), std::vector<std::string>{"l"});
}

TEST_F(Cli, DotDotInAListIsRefused) {
  spit(path("l"), "dir /../escape 0755 0 0\n");
  Result r = kdk({"cpio", "pack", "-o", "x.cpio", "--spec", "l"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: l:1: name '/../escape' has a '..' component\n    dir /../escape 0755 0 0\n");
}

TEST_F(Cli, ListOnlyWritesAGenInitCpioList) {
  spit(path("root/bin/sh"), "#!");
  spit(path("l"), "nod /dev/null 0666 0 0 c 1 3\n");
  Result r = kdk({"cpio", "pack", "--list-only", "-o", "-", "root", "--spec", "l"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "# gen_init_cpio list written by kdk cpio pack --list-only\n"
            "dir /bin 0755 0 0\n"
            "file /bin/sh " + path("root") + "/bin/sh 0644 0 0\n"
            "dir /dev 0755 0 0\n"
            "nod /dev/null 0666 0 0 c 1 3\n");
}

TEST_F(Cli, ListRefusesGarbage) {
  spit(path("notes.txt"), "hello\n");
  Result r = kdk({"cpio", "list", "notes.txt"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "kdk: notes.txt: offset 0: neither a cpio archive, nor zero padding, nor a compressed stream the kernel "
            "reads (gzip, zstd, xz, lzma, lz4, bzip2) starts here\n");
}

// Archives with hostile names come from GNU cpio, which writes whatever names it is given.
TEST_F(Cli, ExtractRefusesDotDotBeforeWritingAnything) {
  if (system("command -v cpio >/dev/null") != 0) GTEST_SKIP() << "GNU cpio is not installed";
  spit(path("src/sub/.keep"), "");
  spit(path("src/evil"), "owned");
  spit(path("src/fine"), "ok");
  ASSERT_EQ(run("sh", {"-c", "cd src && printf 'fine\\nsub/../evil\\n' | cpio -o -H newc > ../evil.cpio 2>/dev/null"}).status, 0);
  Result r = kdk({"cpio", "extract", "-C", "out", "evil.cpio"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: evil.cpio: member 'sub/../evil' has a '..' component; refusing to extract anything\n");
  EXPECT_FALSE(fs::exists(path("out"))) << "nothing is written, not even the first, harmless member";
}

TEST_F(Cli, ExtractRefusesToWriteThroughASymlinkTheArchiveCreates) {
  if (system("command -v cpio >/dev/null") != 0) GTEST_SKIP() << "GNU cpio is not installed";
  // "escape" is a symlink to a directory outside; "escape/owned" would land there.
  spit(path("outside/owned"), "owned");
  fs::create_directories(path("src"));
  fs::create_symlink(path("outside"), path("src/escape"));
  ASSERT_EQ(run("sh", {"-c", "cd src && printf 'escape\\nescape/owned\\n' | cpio -o -H newc > ../evil.cpio 2>/dev/null"}).status, 0);
  fs::remove(path("outside/owned"));
  Result r = kdk({"cpio", "extract", "-C", "out", "evil.cpio"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "kdk: evil.cpio: member 'escape/owned' would be written through 'escape', a symlink this archive creates; "
            "refusing to extract anything\n");
  EXPECT_FALSE(fs::exists(path("outside/owned")));
  EXPECT_FALSE(fs::exists(path("out")));
}

TEST_F(Cli, ExtractWritesSpecOutAndRepacksToAnEquivalentImage) {
  spit(path("root/bin/tool"), "tool");
  spit(path("l"), "nod /dev/console 0600 0 5 c 5 1\nfile /bin/su root/bin/tool 4755 0 0\ndir /home/u 0700 1000 100\n");
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "img", "--compress", "zstd", "root", "--spec", "l"}).status, 0);
  Result r = kdk({"cpio", "extract", "-C", "x", "--spec-out", "x.list", "img"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::string real = fs::canonical(path("x")).string();
  EXPECT_EQ(slurp(path("x.list")),
            "# Written by kdk cpio extract from img: what the extracted tree cannot hold.\n"
            "# Repack with: kdk cpio pack -o OUT x --spec x.list\n"
            "file /bin/su " + real + "/bin/su 4755 0 0\n"
            "nod /dev/console 0600 0 5 c 5 1\n"
            "dir /home/u 0700 1000 100\n");
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "again", "--compress", "zstd", "x", "--spec", "x.list"}).status, 0);
  EXPECT_EQ(kdk({"cpio", "list", "-v", "again"}).out, kdk({"cpio", "list", "-v", "img"}).out);
}

// As an ordinary user, an archive with mode-000 files and directories, a set-id file and a
// read-only directory extracts to a tree that user can read back, and repacks to the same image:
// the modes the tree does not hold are in the spec.
TEST_F(Cli, ExtractAndRepackAsAnOrdinaryUserKeepEveryMode) {
  spit(path("src"), "secret");
  spit(path("l"), "dir /locked 0000 0 0\nfile /locked/secret src 0000 0 0\nfile /bin/su src 4755 0 0\n"
                  "dir /ro 0555 0 0\nfile /ro/f src 0444 0 0\ndir /tmp 1777 0 0\n");
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "img", "--mtime", "1000", "--spec", "l"}).status, 0);
  auto as_user = [&](const std::vector<std::string>& args) { return run(KDK_BINARY, args, {}, true); };
  Result r = as_user({"cpio", "extract", "-C", "x", "--spec-out", "x.list", "img"});
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat(path("x/locked/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  if (geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 65534u) << "extracted files belong to whoever extracted them";
  }
  ASSERT_EQ(stat(path("x/bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u) << "no set-id bit on disk";
  r = as_user({"cpio", "pack", "-o", "again", "--mtime", "1000", "x", "--spec", "x.list"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(kdk({"cpio", "list", "-v", "again"}).out, kdk({"cpio", "list", "-v", "img"}).out);
  r = run("rm", {"-rf", "x"}, {}, true);
  EXPECT_EQ(r.status, 0) << "the user can remove what they extracted: " << r.err;
}

std::uint32_t crc32_of(const std::string& bytes) {
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char c : bytes) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// An xz stream whose header asks for a 1 GiB dictionary (a 2 KB file can): list and extract
// refuse it with the amount, instead of allocating it; and both stay far below the 128 MiB
// decoder limit on an xz -9 stream (64 MiB dictionary) they do read.
TEST_F(Cli, XzWithAHugeDictionaryStaysUnderTheMemoryLimit) {
  spit(path("root/f"), std::string(100000, 'x'));
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "img.xz", "--compress", "xz", "root"}).status, 0);
  std::string xz = slurp(path("img.xz"));
  // Stream header (12 bytes), then the block header: size byte 2 (12 bytes), no optional
  // sizes, filter 0x21 (LZMA2) with one property byte, the dictionary size; CRC32 last.
  ASSERT_GT(xz.size(), 24u);
  ASSERT_EQ(xz.substr(12, 5), std::string("\x02\x00\x21\x01", 4) + xz[16]);
  xz[16] = 36;  // (2 | 0) << (36 / 2 + 11): 1 GiB
  std::uint32_t crc = crc32_of(xz.substr(12, 8));
  for (int i = 0; i < 4; ++i) xz[20 + i] = static_cast<char>(crc >> (8 * i));
  spit(path("huge.xz"), xz);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"cpio", "list", "huge.xz"},
                                               std::vector<std::string>{"cpio", "extract", "-C", "x", "huge.xz"}}) {
    Result r = kdk(args);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "kdk: huge.xz: offset 0: xz stream: its dictionary needs 1025 MiB to decompress; kdk's limit is "
                     "128 MiB\n");
    EXPECT_LT(r.max_rss_kb, 64 * 1024);
  }
  EXPECT_FALSE(fs::exists(path("x")));
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "nine.xz", "--compress", "xz", "--level", "9", "root"}).status, 0);
  // kdk writes xz with a 1 MiB dictionary, as kbuild does; xz -9 itself uses 64 MiB.
  ASSERT_EQ(run("/bin/sh", {"-c", "xz -dc nine.xz | xz -9 --check=crc32 > big-dict.xz"}).status, 0);
  Result nine = kdk({"cpio", "list", "big-dict.xz"});
  EXPECT_EQ(nine.status, 0) << nine.err;
  EXPECT_LT(nine.max_rss_kb, 160 * 1024);
  EXPECT_EQ(nine.out, "f\n");
}

// extract reads its input twice (check, then write): standard input and a FIFO are held in a
// temporary file first, so they extract the same tree as the file does (before, a pipe
// extracted nothing and exited 0); list reads them in one pass.
TEST_F(Cli, ExtractAndListReadStreams) {
  spit(path("root/etc/motd"), "hello\n");
  spit(path("root/bin/tool"), std::string(200000, 't'));
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "img", "--compress", "gzip", "root"}).status, 0);
  ASSERT_EQ(kdk({"cpio", "extract", "-C", "from-file", "img"}).status, 0);
  Result piped = run("/bin/sh", {"-c", "cat img | " + std::string(KDK_BINARY) + " cpio extract -C from-pipe - && cat img | " +
                                           KDK_BINARY + " cpio list -"});
  ASSERT_EQ(piped.status, 0) << piped.err;
  EXPECT_EQ(piped.out, "bin\nbin/tool\netc\netc/motd\n");
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  Result fifo = run("/bin/sh", {"-c", "cat img > fifo & " + std::string(KDK_BINARY) + " cpio extract -C from-fifo fifo"});
  ASSERT_EQ(fifo.status, 0) << fifo.err;
  Result redirected = run("/bin/sh", {"-c", std::string(KDK_BINARY) + " cpio extract -C from-stdin-file - < img"});
  ASSERT_EQ(redirected.status, 0) << redirected.err;
  for (const char* tree : {"from-pipe", "from-fifo", "from-stdin-file"}) {
    EXPECT_EQ(slurp(path(std::string(tree) + "/etc/motd")), "hello\n") << tree;
    EXPECT_TRUE(slurp(path(std::string(tree) + "/bin/tool")) == std::string(200000, 't')) << tree;
  }
  Result truncated = run("/bin/sh", {"-c", "head -c 100 img | " + std::string(KDK_BINARY) + " cpio extract -C cut -"});
  EXPECT_EQ(truncated.status, 1);
  EXPECT_EQ(truncated.err.rfind("kdk: <stdin>: offset 0: gzip stream: truncated: the input ends before the stream does", 0), 0u) << truncated.err;
  EXPECT_FALSE(fs::exists(path("cut")));
}

TEST_F(Cli, ExtractWithoutSpecOutWarnsAboutDevices) {
  spit(path("l"), "nod /dev/console 0600 0 0 c 5 1\nnod /dev/null 0666 0 0 c 1 3\n");
  ASSERT_EQ(kdk({"cpio", "pack", "-o", "img", "--spec", "l"}).status, 0);
  Result r = kdk({"cpio", "extract", "-C", "x", "img"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err,
            "kdk: warning: img: 2 device node(s) or socket(s) not created (/dev/console, ...); use --spec-out LIST to "
            "keep them for repacking\n");
}

TEST_F(Cli, InittabEditInPlace) {
  spit(path("inittab"), "# serial\n::sysinit:/etc/init.d/rcS\n");
  Result r = kdk({"inittab", "inittab", "--getty", "ttyS0,115200"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(slurp(path("inittab")), "# serial\n::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n");
  auto before = fs::last_write_time(path("inittab"));
  ASSERT_EQ(kdk({"inittab", "inittab", "--getty", "ttyS0,115200"}).status, 0);
  EXPECT_EQ(fs::last_write_time(path("inittab")), before) << "an edit already in effect does not rewrite the file";
  EXPECT_EQ(files(), std::vector<std::string>{"inittab"});
}

TEST_F(Cli, InittabErrorLeavesTheFileAlone) {
  std::string content = "::sysinit:/etc/init.d/rcS\nttyS0::respwn:/sbin/getty\n";
  spit(path("inittab"), content);
  Result r = kdk({"inittab", "inittab", "--set", "::shutdown:/bin/sync"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "kdk: inittab:2: unknown action 'respwn' for BusyBox init (did you mean 'respawn'?); BusyBox accepts "
            "sysinit, wait, once, respawn, askfirst, shutdown, restart, ctrlaltdel\n"
            "    ttyS0::respwn:/sbin/getty\n");
  EXPECT_EQ(slurp(path("inittab")), content);
  EXPECT_EQ(files(), std::vector<std::string>{"inittab"});
  EXPECT_EQ(kdk({"inittab", "inittab", "--check"}).status, 1);
}

TEST_F(Cli, InittabNeedsSomethingToDo) {
  Result r = kdk({"inittab", "inittab"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("kdk inittab: nothing to do: give --check or an edit\n", 0), 0u) << r.err;
}

TEST_F(Cli, FstabCreatesAndEdits) {
  Result r = kdk({"fstab", "etc/fstab", "--set", "proc /proc proc defaults 0 0"});
  EXPECT_EQ(r.status, 1) << "the directory does not exist";
  EXPECT_EQ(r.err, "kdk: etc/fstab: cannot open its directory 'etc' to lock it: No such file or directory\n");
  fs::create_directories(path("etc"));
  r = kdk({"fstab", "etc/fstab", "--set", "proc /proc proc defaults 0 0", "--set", "tmpfs /tmp tmpfs mode=1777 0 0"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(path("etc/fstab")), "proc /proc proc defaults 0 0\ntmpfs /tmp tmpfs mode=1777 0 0\n");
  EXPECT_EQ(kdk({"fstab", "etc/fstab", "--check"}).status, 0);
  r = kdk({"fstab", "etc/fstab", "--set", "tmpfs /tmp tmpfs"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "kdk: --set: 3 fields; an fstab entry has 4 to 6: <spec> <mount point> <type> <options> [<freq> "
            "[<passno>]]\n    tmpfs /tmp tmpfs\n");
}

// kdk boot with sh standing in for QEMU: the process-group and verdict rules do not depend on
// what the command is.
// Waits up to 10 s (a loaded CI machine) for the process to end; returns at once when it has.
bool gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') return true;
    usleep(50000);
  }
  return false;
}

TEST_F(Cli, BootPassesAndKeepsTheLog) {
  Result r = kdk({"boot", "--quiet", "--log", "serial.log", "--expect", "^one$", "--expect", "^two", "--",
                  "sh", "-c", "echo one; echo two; echo kdk-exit-status: 0"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(slurp(path("serial.log")), "one\ntwo\nkdk-exit-status: 0\n");
}

TEST_F(Cli, BootKillsTheWholeProcessGroupOnTimeout) {
  Result r = kdk({"boot", "--quiet", "--timeout", "1", "--expect", "never", "--",
                  "sh", "-c", "sleep 60 & echo $! > child.pid; echo started; sleep 60"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("kdk boot: timed out after 1 s waiting for a line matching 'never'\n", 0), 0u) << r.err;
  pid_t child = std::stoi(slurp(path("child.pid")));
  EXPECT_TRUE(gone(child)) << "a process of the command's group outlived kdk boot";
}

TEST_F(Cli, BootEndsEarlyOnAKernelPanic) {
  auto start = std::chrono::steady_clock::now();
  Result r = kdk({"boot", "--quiet", "--timeout", "60", "--log", "serial.log", "--",
                  "sh", "-c", "echo 'Kernel panic - not syncing: test'; echo 'Call Trace:'; sleep 60"});
  EXPECT_EQ(r.status, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "it waited for the timeout";
  EXPECT_EQ(r.err.rfind("kdk boot: the guest reported a kernel problem: Kernel panic - not syncing: test\n"
                        "  serial log: serial.log\n  last lines:\n", 0), 0u) << r.err;
}

// --keep-going: the problem still fails the run, but the guest runs on to its own end (KUnit goes on
// after a caught fault), and everything it printed after the problem is in the log.
TEST_F(Cli, BootKeepGoingRunsOnAfterAProblem) {
  Result r = kdk({"boot", "--quiet", "--keep-going", "--timeout", "60", "--log", "serial.log", "--",
                  "sh", "-c", "echo 'Oops: 0002 [#1]'; sleep 3; echo 'ok 2 after the oops'"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("kdk boot: the guest reported a kernel problem: Oops: 0002 [#1]\n", 0), 0u) << r.err;
  EXPECT_EQ(slurp(path("serial.log")), "Oops: 0002 [#1]\nok 2 after the oops\n");
  // A panic ends it all the same, a moment later, without waiting for the timeout.
  auto start = std::chrono::steady_clock::now();
  r = kdk({"boot", "--quiet", "--keep-going", "--timeout", "60", "--", "sh", "-c",
           "echo 'Kernel panic - not syncing: Fatal exception'; echo '---[ end Kernel panic ]---'; sleep 60"});
  EXPECT_EQ(r.status, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << "it waited for the timeout";
  EXPECT_EQ(r.err.rfind("kdk boot: the guest reported a kernel problem: Kernel panic - not syncing: Fatal exception\n", 0), 0u)
      << r.err;
  // A hang after the problem is a timeout too, and says so.
  r = kdk({"boot", "--quiet", "--keep-going", "--timeout", "1", "--", "sh", "-c", "echo 'Kernel panic - x'; sleep 60"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("kdk boot: the guest reported a kernel problem: Kernel panic - x; then timed out after 1 s\n", 0), 0u)
      << r.err;
}

TEST_F(Cli, KtapCheckVerdictsAndExitStatus) {
  spit(path("pass.log"), "[    0.1] KTAP version 1\n[    0.1] 1..1\n[    0.1]     # Subtest: s\n[    0.1]     1..1\n"
                         "[    0.1]     ok 1 a\n[    0.1] ok 1 s\n");
  Result r = kdk({"ktap", "check", "--junit", "j.xml", "pass.log"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "PASS       s: 1 cases, 0 skipped\n");
  EXPECT_NE(slurp(path("j.xml")).find("<testcase classname=\"s\" name=\"a\"/>"), std::string::npos);
  spit(path("skip.log"), "KTAP version 1\n1..1\nok 1 s # SKIP no device\n");
  EXPECT_EQ(kdk({"ktap", "check", "skip.log"}).status, 77);
  spit(path("fail.log"), "KTAP version 1\n1..1\n    # Subtest: s\n    1..1\n    # a: EXPECTATION FAILED\n    not ok 1 a\nnot ok 1 s\n");
  r = kdk({"ktap", "check", "fail.log"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "FAIL       s: 1 of 1 cases did not pass (log line 3)\n    FAIL s.a\n      |     # a: EXPECTATION FAILED\n");
  r = kdk({"ktap", "check", "--suite", "t", "fail.log"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: fail.log: no suite in the log matches 't'; there are 1: s\n");
  spit(path("none.log"), "Linux version 6.1\n");
  r = kdk({"ktap", "check", "none.log"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("kdk: none.log: no KTAP or TAP output", 0), 0u) << r.err;
  // --whole-document: a selected test's document cut short fails the check.
  spit(path("cut.log"), "TAP version 13\n1..2\nok 1 selftests: size: a\n# selftests: size: b\n");
  EXPECT_EQ(kdk({"ktap", "check", "--suite", "selftests: size: *", "cut.log"}).status, 0);
  r = kdk({"ktap", "check", "--whole-document", "--suite", "selftests: size: *", "cut.log"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: cut.log: the document at line 1 planned 2 tests and has 1: the log ends (line 4)\n");
  EXPECT_EQ(kdk({"ktap", "check"}).status, 2);
}

TEST_F(Cli, KtapSuitesRefusesWhatIsNoElf) {
  spit(path("vmlinux"), "not a kernel\n");
  Result r = kdk({"ktap", "suites", "vmlinux"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: vmlinux: not an ELF file\n");
  r = kdk({"ktap", "suites", "missing"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("missing"), std::string::npos);
}

TEST_F(Cli, BootReportsTheGuestCommandsStatus) {
  Result r = kdk({"boot", "--quiet", "--", "sh", "-c", "echo kdk-exit-status: 3"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.rfind("kdk boot: the command run in the guest exited with status 3\n", 0), 0u) << r.err;
}

// A guest that prints without newlines cannot grow kdk boot's memory or crash its matching: lines
// are cut at 4 KiB (the log keeps every byte) and matching does not recurse on the input.
TEST_F(Cli, BootHoldsUnderHugeLines) {
  Result r = kdk({"boot", "--quiet", "--log", "serial.log", "--expect", "^(a|b)*c", "--expect", "^done$", "--",
                  "sh", "-c", "head -c 67108864 /dev/zero | tr '\\0' a; echo; printf 'abc\\ndone\\n'"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(fs::file_size(path("serial.log")), 67108864u + 10u);
  EXPECT_LT(r.max_rss_kb, 32 * 1024) << "kdk boot buffered the guest's output";
}

// --metrics: the figures of a passed run and of a failed one, as JSON, CTest measurements and one
// plain line; a missing --size file, or a NAME given twice, stops the run before the command and
// writes nothing.
TEST_F(Cli, BootWritesMetricsPassedOrNot) {
  spit(path("bzImage"), std::string(1000, 'k'));
  Result r = kdk({"boot", "--quiet", "--metrics", "m.json", "--size", "kernel_image=bzImage", "--ctest-measurements",
                  "--", "sh", "-c", "echo 'kdk: booted in 0.61 s (6.1.0)'; echo 'kdk: booted in 9 s'"});
  EXPECT_EQ(r.status, 0) << r.err;
  std::string json = slurp(path("m.json"));
  EXPECT_NE(json.find("\"passed\": true,\n  \"guest_uptime_s\": 0.610,\n  \"host_booted_s\": "), std::string::npos) << json;
  EXPECT_NE(json.find(",\n  \"kernel_image_bytes\": 1000\n}\n"), std::string::npos) << json;
  EXPECT_NE(r.out.find("<CTestMeasurement type=\"numeric/double\" name=\"guest_uptime_s\">0.610</CTestMeasurement>\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kdk boot: metrics guest_uptime_s=0.610 host_booted_s="), std::string::npos) << r.out;

  r = kdk({"boot", "--quiet", "--metrics", "m.json", "--", "sh", "-c", "echo 'Kernel panic - not syncing: x'"});
  EXPECT_EQ(r.status, 1);
  json = slurp(path("m.json"));
  EXPECT_NE(json.find("\"passed\": false,\n  \"guest_uptime_s\": null,\n  \"host_booted_s\": null,"), std::string::npos)
      << json;
  EXPECT_EQ(r.out.find("CTestMeasurement"), std::string::npos) << "measurements without --ctest-measurements";

  r = kdk({"boot", "--metrics", "other.json", "--size", "initramfs=missing.cpio", "--", "sh", "-c", "touch ran"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("missing.cpio: --size initramfs: No such file or directory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(path("ran")));
  EXPECT_FALSE(fs::exists(path("other.json")));

  r = kdk({"boot", "--metrics", "other.json", "--size", "a=bzImage", "--size", "a=m.json", "--", "sh", "-c", "touch ran"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--size a is given twice (bzImage, then m.json): give each NAME once"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(path("ran")));
  EXPECT_FALSE(fs::exists(path("other.json")));
}

TEST_F(Cli, BootRefusesBackReferences) {
  Result r = kdk({"boot", "--expect", "(a)\\1", "--", "true"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "kdk: --expect: '(a)\\1' has a back-reference (\\1), which kdk boot does not match: its matching "
                   "can recurse without bound\n");
}

// Whatever ends kdk boot, SIGKILL included, the command's whole process tree ends with it: its
// group, a child that left the group with setsid, and an orphan that was reparented.
TEST_F(Cli, BootEndsTheCommandsWholeTreeWhenKilled) {
  for (int sig : {SIGKILL, SIGTERM, SIGINT}) {
    fs::remove(path("ready"));
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int n = open("/dev/null", O_RDWR);
      dup2(n, 0);
      dup2(n, 1);
      dup2(n, 2);
      execl(KDK_BINARY, KDK_BINARY, "boot", "--quiet", "--timeout", "600", "--", "sh", "-c",
            "sleep 1000 & echo $! > group.pid; setsid sleep 1001 & echo $! > setsid.pid;"
            "(sleep 1002 & echo $! > orphan.pid); touch ready; sleep 1003",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(path("ready")); ++i) usleep(50000);
    ASSERT_TRUE(fs::exists(path("ready"))) << "the command did not start";
    kill(pid, sig);
    waitpid(pid, nullptr, 0);
    for (const char* name : {"group.pid", "setsid.pid", "orphan.pid"}) {
      pid_t child = std::stoi(slurp(path(name)));
      EXPECT_TRUE(gone(child)) << name << " outlived kdk boot ended by signal " << sig;
      if (!gone(child)) kill(child, SIGKILL);
    }
  }
}

// Editing through a symlink edits its target and keeps the link; the file keeps its mode, and
// (as root, where a rename would otherwise hand it to root) its owner and group.
TEST_F(Cli, EditsKeepSymlinksModeAndOwner) {
  spit(path("etc/fstab.real"), "proc /proc proc defaults 0 0\n");
  fs::create_symlink("fstab.real", path("etc/fstab"));
  ASSERT_EQ(chmod(path("etc/fstab.real").c_str(), 0640), 0);
  bool root = geteuid() == 0;
  if (root) {
    ASSERT_EQ(chown(path("etc/fstab.real").c_str(), 1234, 5678), 0);
  }
  Result r = kdk({"fstab", "etc/fstab", "--set", "tmpfs /tmp tmpfs defaults 0 0"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(path("etc/fstab")));
  EXPECT_EQ(slurp(path("etc/fstab.real")), "proc /proc proc defaults 0 0\ntmpfs /tmp tmpfs defaults 0 0\n");
  struct stat st {};
  ASSERT_EQ(stat(path("etc/fstab.real").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
  }
  EXPECT_EQ(files(), (std::vector<std::string>{"etc", "etc/fstab", "etc/fstab.real"}));
}

// kdk replaces regular files only: a FIFO (which reading would block on), a device node (as
// root, `-o /dev/null` replaced the machine's /dev/null) and a dangling link are refused before
// anything is read or written.
TEST_F(Cli, SpecialFilesAreNeverReplaced) {
  spit(path("root/a"), "x");
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0644), 0);
  fs::create_symlink("/nonexistent/kdk", path("dangling"));
  Result fifo = kdk({"fstab", "fifo", "--set", "tmpfs /tmp tmpfs defaults 0 0"});
  EXPECT_EQ(fifo.status, 1);
  EXPECT_EQ(fifo.err, "kdk: fifo: is a FIFO; kdk replaces only regular files, so it is left as it is: give the path "
                      "of a file\n");
  Result pack = kdk({"cpio", "pack", "-o", "fifo", "root"});
  EXPECT_EQ(pack.status, 1);
  EXPECT_EQ(pack.err, fifo.err);
  Result dangling = kdk({"inittab", "dangling", "--set", "ttyS0::respawn:/bin/sh"});
  EXPECT_EQ(dangling.status, 1);
  EXPECT_EQ(dangling.err, "kdk: dangling: is a symlink whose target cannot be resolved (No such file or directory); "
                          "kdk writes the file a link points to: create it, or give the file's own path\n");
  if (geteuid() == 0) {
    ASSERT_EQ(mknod(path("null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    Result dev = kdk({"cpio", "pack", "-o", "null", "root"});
    EXPECT_EQ(dev.status, 1);
    EXPECT_EQ(dev.err, "kdk: null: is a character device; kdk replaces only regular files, so it is left as it is: "
                       "give the path of a file\n");
    struct stat st {};
    ASSERT_EQ(lstat(path("null").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
  }
  struct stat st {};
  ASSERT_EQ(lstat(path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  for (const auto& f : files()) EXPECT_EQ(f.find(".kdk-"), std::string::npos) << f;
}

// Concurrent edits of one file serialize: every one of them is in the result.
TEST_F(Cli, ConcurrentEditsLoseNothing) {
  spit(path("etc/fstab"), "proc /proc proc defaults 0 0\n");
  std::vector<pid_t> pids;
  for (int i = 0; i < 16; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      std::string entry = "tmpfs /mnt/" + std::to_string(i) + " tmpfs defaults 0 0";
      execl(KDK_BINARY, KDK_BINARY, "fstab", "etc/fstab", "--set", entry.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::string content = slurp(path("etc/fstab"));
  for (int i = 0; i < 16; ++i) {
    EXPECT_NE(content.find("tmpfs /mnt/" + std::to_string(i) + " tmpfs defaults 0 0\n"), std::string::npos) << i;
  }
}

// SIGINT, SIGTERM or a failing compressor leave no temporary file and no output, and kdk says so.
// pack walks the tree instead of holding it: 100,000 files in 100 directories peak at a few
// MB above an empty pack (before, about 60 MB above).
TEST_F(Cli, PackMemoryDoesNotGrowWithTheTree) {
  for (int d = 0; d < 100; ++d) {
    std::string dir = path("tree/d" + std::to_string(d));
    fs::create_directories(dir);
    for (int f = 0; f < 1000; ++f) {
      int fd = open((dir + "/file-with-a-longish-name-" + std::to_string(f)).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      ASSERT_GE(fd, 0);
      close(fd);
    }
  }
  fs::create_directories(path("empty"));
  Result small = kdk({"cpio", "pack", "-o", "small.cpio", "empty"});
  Result big = kdk({"cpio", "pack", "-o", "big.cpio", "tree"});
  ASSERT_EQ(big.status, 0) << big.err;
  EXPECT_GT(fs::file_size(path("big.cpio")), 100000u * 110);
  EXPECT_LT(big.max_rss_kb - small.max_rss_kb, 16 * 1024) << "peak " << big.max_rss_kb << " KB against " << small.max_rss_kb;
}

TEST_F(Cli, InterruptedOrFailedPackLeavesNothing) {
  {
    std::ifstream random("/dev/urandom", std::ios::binary);
    std::string data(48 << 20, '\0');
    random.read(data.data(), static_cast<std::streamsize>(data.size()));
    spit(path("root/random.bin"), data);
  }
  for (int sig : {SIGINT, SIGTERM}) {
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int e = open((base_ + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(e, 2);
      execl(KDK_BINARY, KDK_BINARY, "cpio", "pack", "-o", "out.cpio.xz", "--compress", "xz", "root",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    bool started = false;
    for (int i = 0; i < 400 && !started; ++i) {
      for (const auto& f : files()) started = started || f.rfind(".out.cpio.xz.kdk-", 0) == 0;
      if (!started) usleep(10000);
    }
    ASSERT_TRUE(started) << "no temporary file appeared";
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    std::string err = slurp(base_ + "/stderr");
    EXPECT_EQ(err.rfind("kdk: interrupted; removed the unfinished .out.cpio.xz.kdk-", 0), 0u) << err;
    EXPECT_EQ(files(), (std::vector<std::string>{"root", "root/random.bin"}));
  }
  // A compressor that fails: a stand-in xz first on PATH that exits at once.
  spit(base_ + "/bin/xz", "#!/bin/sh\nexit 3\n");
  ASSERT_EQ(chmod((base_ + "/bin/xz").c_str(), 0755), 0);
  std::string path_env = "PATH=" + base_ + "/bin:" + std::getenv("PATH");
  Result r = kdk({"cpio", "pack", "-o", "out.cpio.xz", "--compress", "xz", "root"}, {path_env});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("out.cpio.xz was not written (an existing one is unchanged)\n"), std::string::npos) << r.err;
  EXPECT_EQ(files(), (std::vector<std::string>{"root", "root/random.bin"}));
}

}  // namespace
