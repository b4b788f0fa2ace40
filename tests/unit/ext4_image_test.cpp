// The debugfs script of an ext4 image and its automatic size, in memory. What debugfs makes of the
// script is tested black box in tests/cli/image_test.cpp, against e2fsprogs itself.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "error.hpp"
#include "ext4_image.hpp"

namespace kdk {
namespace {

Member member(const std::string& name, mode_t mode, std::int64_t mtime = 100) {
  Member m;
  m.name = name;
  m.mode = mode;
  m.mtime = mtime;
  return m;
}

// Every command names a leaf in the current directory (debugfs resolves "/name" from there, not
// from the root), a hard link's data is written once and linked, and metadata comes last.
TEST(Ext4Script, LeavesInTheirDirectoryHardLinksOnceMetadataLast) {
  Member bin = member("bin", S_IFDIR | 0755);
  Member busybox = member("bin/busybox", S_IFREG | 04755, 50);
  busybox.source = "/host/busybox";
  busybox.link_key = "k";
  busybox.nlink = 2;
  Member sh = busybox;
  sh.name = "bin/sh";
  Member dev = member("dev", S_IFDIR | 0755);
  Member console = member("dev/console", S_IFCHR | 0600);
  console.rdev_major = 5;
  console.rdev_minor = 1;
  Member ls = member("bin/ls", S_IFLNK | 0777);
  ls.target = "busybox";
  Member fifo = member("fifo", S_IFIFO | 0620);
  fifo.uid = 1000;
  std::string script = debugfs_script({bin, busybox, ls, sh, dev, console, fifo}, 7);
  EXPECT_EQ(script,
            "mkdir \"bin\"\n"
            "cd \"/bin\"\n"
            "write \"/host/busybox\" \"busybox\"\n"
            "symlink \"ls\" \"busybox\"\n"
            "cd \"/\"\n"
            "mkdir \"dev\"\n"
            "cd \"/dev\"\n"
            "mknod \"console\" c 5 1\n"
            "cd \"/\"\n"
            "mknod \"fifo\" p\n"
            "cd \"/bin\"\n"
            "ln \"/bin/busybox\" \"sh\"\n"
            "sif \"/bin\" mode 040755\nsif \"/bin\" uid 0\nsif \"/bin\" gid 0\nsif \"/bin\" mtime @100\n"
            "sif \"/bin/busybox\" mode 0104755\nsif \"/bin/busybox\" uid 0\nsif \"/bin/busybox\" gid 0\n"
            "sif \"/bin/busybox\" links_count 2\nsif \"/bin/busybox\" mtime @50\n"
            "sif \"/bin/ls\" mode 0120777\nsif \"/bin/ls\" uid 0\nsif \"/bin/ls\" gid 0\nsif \"/bin/ls\" mtime @100\n"
            "sif \"/dev\" mode 040755\nsif \"/dev\" uid 0\nsif \"/dev\" gid 0\nsif \"/dev\" mtime @100\n"
            "sif \"/dev/console\" mode 020600\nsif \"/dev/console\" uid 0\nsif \"/dev/console\" gid 0\n"
            "sif \"/dev/console\" mtime @100\n"
            "sif \"/fifo\" mode 010620\nsif \"/fifo\" uid 1000\nsif \"/fifo\" gid 0\nsif \"/fifo\" mtime @100\n"
            "sif / mtime @7\n");
}

// A quote is doubled inside debugfs's quotes; what a line-based script cannot say, and what
// debugfs cannot create, is an error naming the member and where it came from.
TEST(Ext4Script, QuotingAndRefusals) {
  Member odd = member("a \"b\" c", S_IFREG | 0644);
  odd.source = "/host/x y";
  EXPECT_EQ(debugfs_script({odd}, 0).substr(0, 40), "write \"/host/x y\" \"a \"\"b\"\" c\"\nsif \"/a \"\"");

  Member newline = member("a\nb", S_IFREG | 0644);
  newline.origin = "tree/a\nb";
  try {
    debugfs_script({newline}, 0);
    FAIL() << "a newline was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.where(), "tree/a\nb");
    EXPECT_NE(std::string(e.what()).find("with a newline cannot go into an ext4 image"), std::string::npos);
  }
  Member sock = member("run/s", S_IFSOCK | 0755);
  sock.origin = "list:3";
  EXPECT_THROW(debugfs_script({sock}, 0), Error);
  Member empty = member("l", S_IFLNK | 0777);
  EXPECT_THROW(debugfs_script({empty}, 0), Error);
}

// At least 64 MiB; otherwise the blocks (a hard-linked file once), a quarter more and 32 MiB.
TEST(Ext4Size, AutomaticSize) {
  EXPECT_EQ(ext4_auto_size({}), 64u << 20);
  Member big = member("big", S_IFREG | 0644);
  big.size = 100u << 20;
  big.link_key = "k";
  Member twin = big;
  twin.name = "twin";
  EXPECT_EQ(ext4_auto_size({big, twin}), (100u << 20) + (25u << 20) + (32u << 20));
  big.size = (100u << 20) + 1;  // a partial block counts whole, and the size rounds up to a MiB
  big.link_key.clear();
  EXPECT_EQ(ext4_auto_size({big}), (100u << 20) + (25u << 20) + (32u << 20) + (1u << 20));
}

}  // namespace
}  // namespace kdk
