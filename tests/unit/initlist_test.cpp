#include "initlist.hpp"

#include "test_util.hpp"

namespace kdk {
namespace {

using test::error_of;

EnvLookup fake_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "ROOT") return std::string("/build/root");
    return std::nullopt;
  };
}

TEST(InitList, ParsesEveryEntryType) {
  auto entries = parse_init_list(
      "# comment\n"
      "\n"
      "dir /dev 0755 0 0\n"
      "nod /dev/console 0600 0 0 c 5 1\n"
      "nod /dev/sda 0660 0 6 b 8 0\n"
      "slink /bin/sh busybox 0777 0 0\n"
      "pipe /run/fifo 0644 0 0\n"
      "sock /run/sock 0755 0 0\n"
      "file /init ${ROOT}/init 0755 0 0\n"
      "   # indented comment\n",
      "list", fake_env());
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].type, ListType::Dir);
  EXPECT_EQ(entries[0].name, "dev");
  EXPECT_EQ(entries[0].mode, 0755u);
  EXPECT_EQ(entries[0].origin, "list:3");
  EXPECT_EQ(entries[1].type, ListType::Nod);
  EXPECT_EQ(entries[1].dev_type, 'c');
  EXPECT_EQ(entries[1].major, 5u);
  EXPECT_EQ(entries[1].minor, 1u);
  EXPECT_EQ(entries[2].dev_type, 'b');
  EXPECT_EQ(entries[2].gid, 6u);
  EXPECT_EQ(entries[3].type, ListType::Slink);
  EXPECT_EQ(entries[3].location, "busybox");
  EXPECT_EQ(entries[4].type, ListType::Pipe);
  EXPECT_EQ(entries[5].type, ListType::Sock);
  EXPECT_EQ(entries[6].type, ListType::File);
  EXPECT_EQ(entries[6].location, "/build/root/init");
  EXPECT_EQ(entries[6].origin, "list:9");
}

TEST(InitList, FileWithHardLinks) {
  auto entries = parse_init_list("file /bin/a /src/a 0755 0 0 /bin/b /sbin/c\n", "l", fake_env());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].hardlinks, (std::vector<std::string>{"bin/b", "sbin/c"}));
}

TEST(InitList, NormalizesNames) {
  EXPECT_EQ(normalize_member_name("/a//b/./c/"), "a/b/c");
  EXPECT_EQ(normalize_member_name("a"), "a");
  EXPECT_EQ(error_of([] { normalize_member_name("/a/../etc/shadow"); }),
            "kdk: name '/a/../etc/shadow' has a '..' component\n");
  EXPECT_EQ(error_of([] { normalize_member_name("/"); }),
            "kdk: name '/' is the archive root, which cannot be an entry\n");
}

TEST(InitList, UnknownTypeSuggestsTheKeyword) {
  EXPECT_EQ(error_of([] { parse_init_list("dir /a 0755 0 0\nfil /init /x 0755 0 0\n", "my.list"); }),
            "kdk: my.list:2: unknown entry type 'fil' (did you mean 'file'?); expected file, dir, nod, slink, pipe or sock\n"
            "    fil /init /x 0755 0 0\n");
}

TEST(InitList, WrongFieldCountShowsTheForm) {
  EXPECT_EQ(error_of([] { parse_init_list("nod /dev/null 0666 0 0 c 1\n", "l"); }),
            "kdk: l:1: 6 fields after 'nod'; expected: nod <name> <mode> <uid> <gid> <b|c> <major> <minor>\n"
            "    nod /dev/null 0666 0 0 c 1\n");
  EXPECT_EQ(error_of([] { parse_init_list("dir /a 0755 0 0 extra\n", "l"); }),
            "kdk: l:1: 5 fields after 'dir'; expected: dir <name> <mode> <uid> <gid>\n"
            "    dir /a 0755 0 0 extra\n");
}

TEST(InitList, BadMode) {
  EXPECT_EQ(error_of([] { parse_init_list("dir /a 0799 0 0\n", "l"); }),
            "kdk: l:1: bad mode '0799': expected an octal number up to 07777\n    dir /a 0799 0 0\n");
  EXPECT_EQ(error_of([] { parse_init_list("dir /a 17777 0 0\n", "l"); }),
            "kdk: l:1: bad mode '17777': expected an octal number up to 07777\n    dir /a 17777 0 0\n");
}

TEST(InitList, BadDeviceType) {
  EXPECT_EQ(error_of([] { parse_init_list("nod /dev/x 0600 0 0 x 1 1\n", "l"); }),
            "kdk: l:1: bad device type 'x': expected 'b' (block) or 'c' (character)\n    nod /dev/x 0600 0 0 x 1 1\n");
}

TEST(InitList, BadOwnerAndDeviceNumbers) {
  EXPECT_EQ(error_of([] { parse_init_list("dir /a 0755 root 0\n", "l"); }),
            "kdk: l:1: bad uid 'root': expected a decimal number up to 4294967295\n    dir /a 0755 root 0\n");
  EXPECT_EQ(error_of([] { parse_init_list("nod /dev/x 0600 0 0 c 4096 1\n", "l"); }),
            "kdk: l:1: bad major number '4096': expected a decimal number up to 4095\n    nod /dev/x 0600 0 0 c 4096 1\n");
}

TEST(InitList, DotDotNameIsRefusedWithTheLine) {
  EXPECT_EQ(error_of([] { parse_init_list("\nfile /../etc/passwd /x 0644 0 0\n", "l"); }),
            "kdk: l:2: name '/../etc/passwd' has a '..' component\n    file /../etc/passwd /x 0644 0 0\n");
}

TEST(InitList, UnsetVariableIsAnError) {
  EXPECT_EQ(error_of([] { parse_init_list("file /init ${NOPE}/init 0755 0 0\n", "l", fake_env()); }),
            "kdk: l:1: ${NOPE} is not set in the environment; set it or write the path out\n"
            "    file /init ${NOPE}/init 0755 0 0\n");
}

TEST(InitList, FormatRoundTrips) {
  std::string text =
      "dir /dev 0755 0 0\n"
      "nod /dev/console 0600 0 5 c 5 1\n"
      "slink /bin/sh busybox 0777 0 0\n"
      "file /bin/busybox /src/busybox 4755 0 0 /bin/ls\n"
      "pipe /p 0644 1 2\n"
      "sock /s 0755 0 0\n";
  std::string out;
  for (const auto& e : parse_init_list(text, "l")) out += format_list_line(e) + "\n";
  EXPECT_EQ(out, text);
}

TEST(InitList, FormatRefusesWhiteSpace) {
  ListEntry e;
  e.type = ListType::Dir;
  e.name = "my dir";
  EXPECT_EQ(error_of([&] { format_list_line(e); }),
            "kdk: '/my dir' contains white space, which a gen_init_cpio list cannot express\n");
}

}  // namespace
}  // namespace kdk
