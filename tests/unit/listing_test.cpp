#include "listing.hpp"

#include <sys/stat.h>

#include "test_util.hpp"

namespace kdk {
namespace {

TEST(Listing, ModeStrings) {
  EXPECT_EQ(mode_string(S_IFDIR | 0755), "drwxr-xr-x");
  EXPECT_EQ(mode_string(S_IFREG | 04755), "-rwsr-xr-x");
  EXPECT_EQ(mode_string(S_IFREG | 02644), "-rw-r-Sr--");
  EXPECT_EQ(mode_string(S_IFDIR | 01777), "drwxrwxrwt");
  EXPECT_EQ(mode_string(S_IFCHR | 0600), "crw-------");
  EXPECT_EQ(mode_string(S_IFLNK | 0777), "lrwxrwxrwx");
  EXPECT_EQ(mode_string(S_IFIFO | 0644), "prw-r--r--");
  EXPECT_EQ(mode_string(S_IFSOCK | 0755), "srwxr-xr-x");
}

class ListingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

TEST_F(ListingTest, LongFormatLikeCpioTv) {
  EntryInfo e;
  e.name = "bin/busybox";
  e.mode = S_IFREG | 0755;
  e.nlink = 1;
  e.size = 1234567;
  e.mtime = 1700000000;  // 2023-11-14 22:13:20 UTC
  EXPECT_EQ(long_listing(e, 1700000100), "-rwxr-xr-x   1 root     root      1234567 Nov 14 22:13 bin/busybox");
  // More than six months old: the year replaces the time of day.
  EXPECT_EQ(long_listing(e, 1800000000), "-rwxr-xr-x   1 root     root      1234567 Nov 14  2023 bin/busybox");
}

TEST_F(ListingTest, DevicesShowMajorAndMinorAndSymlinksTheirTarget) {
  EntryInfo dev;
  dev.name = "dev/console";
  dev.mode = S_IFCHR | 0600;
  dev.nlink = 1;
  dev.rdev_major = 5;
  dev.rdev_minor = 1;
  dev.uid = 4000000;  // no such user: shown as a number
  EXPECT_EQ(long_listing(dev, 1800000000), "crw-------   1 4000000  root       5,   1 Jan  1  1970 dev/console");
  EntryInfo link;
  link.name = "bin/sh";
  link.mode = S_IFLNK | 0777;
  link.nlink = 1;
  link.size = 7;
  link.symlink = "busybox";
  EXPECT_EQ(long_listing(link, 1800000000), "lrwxrwxrwx   1 root     root            7 Jan  1  1970 bin/sh -> busybox");
}

}  // namespace
}  // namespace kdk
