#include "pack_plan.hpp"

#include <sys/stat.h>

#include "test_util.hpp"
#include "tree_scan.hpp"

namespace kdk {
namespace {

using test::error_of;

Member file(const std::string& name, std::uint64_t size = 1, std::string key = {}) {
  Member m;
  m.name = name;
  m.mode = S_IFREG | 0644;
  m.size = size;
  m.source = "/src/" + name;
  m.origin = "tree/" + name;
  m.link_key = std::move(key);
  m.mtime = 5000;
  return m;
}

Member dir(const std::string& name) {
  Member m;
  m.name = name;
  m.mode = S_IFDIR | 0755;
  m.origin = "tree/" + name;
  return m;
}

std::vector<std::string> names(const std::vector<Member>& members) {
  std::vector<std::string> out;
  for (const auto& m : members) out.push_back(m.name);
  return out;
}

TEST(PackPlan, ParentsComeBeforeChildrenComponentWise) {
  PackPlan plan({});
  for (const char* n : {"a-b", "a/b", "a", "b", "a/b/c", "a.txt"}) {
    plan.add(std::string(n).find('/') == std::string::npos && std::string(n) != "a" ? file(n) : dir(n));
  }
  EXPECT_EQ(names(plan.finish()), (std::vector<std::string>{"a", "a/b", "a/b/c", "a-b", "a.txt", "b"}));
}

TEST(PackPlan, MissingParentsAreAdded) {
  PackPlan plan({});
  plan.add(file("usr/lib/x"));
  auto out = plan.finish();
  ASSERT_EQ(names(out), (std::vector<std::string>{"usr", "usr/lib", "usr/lib/x"}));
  EXPECT_EQ(out[0].mode, static_cast<mode_t>(S_IFDIR | 0755));
  EXPECT_EQ(out[0].origin, "implied parent directory");
}

TEST(PackPlan, InodesAreNumberedInOrderAndDirectoriesCountSubdirectories) {
  PackPlan plan({});
  plan.add(dir("d"));
  plan.add(dir("d/e"));
  plan.add(dir("d/f"));
  plan.add(file("d/g"));
  auto out = plan.finish();
  ASSERT_EQ(out.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(out[i].ino, i + 1);
  EXPECT_EQ(out[0].nlink, 4u);  // 2 + two subdirectories
  EXPECT_EQ(out[1].nlink, 2u);
  EXPECT_EQ(out[3].nlink, 1u);
}

TEST(PackPlan, HardLinksShareAnInodeAndStoreDataOnTheLastLink) {
  PackPlan plan({});
  plan.add(file("z", 10, "k"));
  plan.add(file("a", 10, "k"));
  plan.add(file("m", 3));
  auto out = plan.finish();
  ASSERT_EQ(names(out), (std::vector<std::string>{"a", "m", "z"}));
  EXPECT_EQ(out[0].ino, out[2].ino);
  EXPECT_NE(out[0].ino, out[1].ino);
  EXPECT_EQ(out[0].nlink, 2u);
  EXPECT_FALSE(out[0].carries_data);
  EXPECT_TRUE(out[2].carries_data);
  EXPECT_TRUE(out[1].carries_data);
}

TEST(PackPlan, AHardLinkGroupOfOneIsAPlainFile) {
  PackPlan plan({});
  plan.add(file("a", 10, "k"));
  auto out = plan.finish();
  EXPECT_EQ(out[0].nlink, 1u);
  EXPECT_TRUE(out[0].carries_data);
  EXPECT_TRUE(out[0].link_key.empty());
}

TEST(PackPlan, LaterMembersOverlayEarlierOnes) {
  PackPlan plan({});
  plan.add(file("etc/motd", 1));
  Member replacement = file("etc/motd", 99);
  replacement.origin = "overlay/etc/motd";
  plan.add(replacement);
  auto out = plan.finish();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].size, 99u);
  EXPECT_EQ(out[1].origin, "overlay/etc/motd");
}

TEST(PackPlan, ReplacingAPopulatedDirectoryWithAFileIsAnError) {
  PackPlan plan({});
  plan.add(dir("etc"));
  plan.add(file("etc/passwd"));
  Member f = file("etc");
  f.origin = "list:3";
  EXPECT_EQ(error_of([&] { plan.add(f); }),
            "kdk: list:3: 'etc' is not a directory here, but tree/etc made it one and put 'etc/passwd' in it\n");
}

TEST(PackPlan, AMemberInsideAFileIsAnError) {
  PackPlan plan({});
  plan.add(file("bin"));
  plan.add(file("bin/sh"));
  EXPECT_EQ(error_of([&] { plan.finish(); }),
            "kdk: tree/bin/sh: 'bin/sh' is inside 'bin', which tree/bin makes a non-directory\n");
}

TEST(PackPlan, MtimesAreClampedToTheEpoch) {
  PackOptions options;
  options.clamp = 1000;
  PackPlan plan(options);
  plan.add(file("new"));  // mtime 5000
  Member old = file("old");
  old.mtime = 10;
  plan.add(old);
  auto out = plan.finish();
  EXPECT_EQ(out[0].mtime, 1000);
  EXPECT_EQ(out[1].mtime, 10);
}

TEST(PackPlan, FilesOfFourGibibytesAreRefused) {
  PackPlan plan({});
  EXPECT_EQ(error_of([&] { plan.add(file("big", 0x100000000ull)); }),
            "kdk: tree/big: 4294967296 bytes: newc cannot store a file of 4 GiB or more\n");
  plan.add(file("fits", 0xffffffffull));
  EXPECT_EQ(plan.finish().size(), 1u);
}

TEST(PackPlan, ListEntriesResolveSourcesAndReportMissingOnes) {
  test::TempDir tmp;
  test::write(tmp / "init", "#!/bin/sh\n");
  PackPlan plan({});
  plan.add_list(parse_init_list("file /init " + (tmp / "init") + " 0755 0 0\nnod /dev/null 0666 0 0 c 1 3\n", "l"));
  auto out = plan.finish();
  ASSERT_EQ(names(out), (std::vector<std::string>{"dev", "dev/null", "init"}));
  EXPECT_EQ(out[2].size, 10u);
  EXPECT_EQ(out[1].mode, static_cast<mode_t>(S_IFCHR | 0666));

  PackPlan missing({});
  std::string line = "file /init " + (tmp / "nope") + " 0755 0 0";
  EXPECT_EQ(error_of([&] { missing.add_list(parse_init_list("\n" + line + "\n", "l")); }),
            "kdk: l:2: source '" + (tmp / "nope") + "' of '/init': No such file or directory\n    " + line + "\n");
}

TEST(PackPlan, TreeScanFindsHardLinksAndSymlinks) {
  test::TempDir tmp;
  test::write(tmp / "root/bin/busybox", "BB");
  ASSERT_EQ(link((tmp / "root/bin/busybox").c_str(), (tmp / "root/bin/ls").c_str()), 0);
  ASSERT_EQ(symlink("busybox", (tmp / "root/bin/sh").c_str()), 0);
  PackPlan plan({});
  scan_tree(tmp / "root", {}, plan);
  auto out = plan.finish();
  ASSERT_EQ(names(out), (std::vector<std::string>{"bin", "bin/busybox", "bin/ls", "bin/sh"}));
  EXPECT_EQ(out[1].ino, out[2].ino);
  EXPECT_FALSE(out[1].carries_data);
  EXPECT_TRUE(out[2].carries_data);
  EXPECT_EQ(out[3].target, "busybox");
  EXPECT_EQ(out[1].uid, 0u);
}

TEST(PackPlan, ListOnlyOutputIsAGenInitCpioList) {
  PackPlan plan({});
  plan.add(file("bin/a", 1, "k"));
  plan.add(file("bin/b", 1, "k"));
  Member link;
  link.name = "bin/sh";
  link.mode = S_IFLNK | 0777;
  link.target = "a";
  plan.add(link);
  EXPECT_EQ(plan_to_list(plan.finish()),
            "# gen_init_cpio list written by kdk cpio pack --list-only\n"
            "dir /bin 0755 0 0\n"
            "file /bin/a /src/bin/a 0644 0 0 /bin/b\n"
            "slink /bin/sh a 0777 0 0\n");
}

// Names and link targets the kernel cannot create are refused at the boundary: PATH_MAX with the
// NUL for a name, NAME_MAX for a component, PATH_MAX - 1 for a symlink target.
TEST(PackPlan, KernelNameLimits) {
  PackPlan plan({});
  std::string component(255, 'c');
  std::string longest;  // 4095 bytes: the longest name the kernel takes
  while (longest.size() + 256 <= 4095) longest += component + "/";
  longest += std::string(4095 - longest.size(), 'x');
  ASSERT_EQ(longest.size(), 4095u);
  EXPECT_NO_THROW(plan.add(file(longest)));
  EXPECT_EQ(error_of([&] { plan.add(file(longest + "y")); }),
            "kdk: tree/" + longest + "y: the archive name of '" + longest.substr(0, 64) +
                "...' is 4096 bytes; the kernel takes names of at most 4095 (PATH_MAX)\n");
  EXPECT_NO_THROW(plan.add(file("d/" + component)));
  EXPECT_EQ(error_of([&] { plan.add(file("d/" + component + "z/f")); }),
            "kdk: tree/d/" + component + "z/f: the name component '" + component.substr(0, 32) + "...' of 'd/" +
                component.substr(0, 62) + "...' is 256 bytes; a file name has at most 255 (NAME_MAX)\n");
  Member link;
  link.name = "l";
  link.mode = S_IFLNK | 0777;
  link.origin = "list:3";
  link.target = std::string(4095, 't');
  EXPECT_NO_THROW(plan.add(link));
  link.target += "t";
  EXPECT_EQ(error_of([&] { plan.add(link); }),
            "kdk: list:3: the target of symlink 'l' is 4096 bytes; the kernel takes at most 4095 (PATH_MAX)\n");
}

}  // namespace
}  // namespace kdk
