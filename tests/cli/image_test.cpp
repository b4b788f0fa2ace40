// kdk image ext4, black box: the image is read back with e2fsprogs' own debugfs and e2fsck (a
// second opinion that kdk's script did what it meant), member by member against what `kdk cpio
// pack --list-only` says the same inputs hold.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <iterator>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "cli_fixture.hpp"

namespace {

using namespace kdk_test;

// A symlink target longer than the 60 bytes that fit in the inode: ext4 keeps it in a block.
constexpr const char* kLongTarget = "/a/target/longer/than/the/sixty/bytes/that/fit/in/an/inode/itself/x";

class Image : public Cli {
 protected:
  // debugfs -R "stat PATH" IMAGE: the fields this test reads, by name.
  std::map<std::string, std::string> stat(const std::string& image, const std::string& name) {
    Result r = run("debugfs", {"-R", "stat \"" + name + "\"", image});
    std::map<std::string, std::string> f;
    std::smatch m;
    static const std::regex mode(R"(Type: (.+?)\s+Mode:\s+(\d+))"), user(R"(User:\s+(\d+)\s+Group:\s+(\d+))"),
        links(R"(Links: (\d+))"), mtime(R"(mtime: 0x([0-9a-f]+))"), dev(R"(Device major/minor number: (\d+):(\d+))"),
        target(R"(Fast link dest: \"(.*)\")");
    if (std::regex_search(r.out, m, mode)) f["type"] = m[1], f["mode"] = m[2];
    if (std::regex_search(r.out, m, user)) f["uid"] = m[1], f["gid"] = m[2];
    if (std::regex_search(r.out, m, links)) f["links"] = m[1];
    if (std::regex_search(r.out, m, mtime)) f["mtime"] = std::to_string(std::stoll(m[1].str(), nullptr, 16));
    if (std::regex_search(r.out, m, dev)) f["dev"] = std::to_string(std::stoul(m[1])) + ":" + std::to_string(std::stoul(m[2]));
    if (std::regex_search(r.out, m, target)) f["target"] = m[1];
    return f;
  }
  std::string cat(const std::string& image, const std::string& name) {
    return run("debugfs", {"-R", "cat \"" + name + "\"", image}).out;
  }
  // A tree and a list with every kind of member the root filesystem pipeline uses.
  void make_inputs() {
    spit(path("tree/bin/busybox"), "#!/bin/sh\necho busybox\n");
    chmod(path("tree/bin/busybox").c_str(), 04755);
    link(path("tree/bin/busybox").c_str(), path("tree/bin/sh").c_str());
    symlink("busybox", path("tree/bin/ls").c_str());
    symlink(kLongTarget, path("tree/bin/long").c_str());
    spit(path("odd/a dir/file \"quoted\""), "spaces and quotes\n");  // no list can name it
    spit(path("tree/big"), std::string(3 << 20, 'b'));
    spit(path("hosts"), "127.0.0.1 localhost\n");
    spit(path("devices.list"),
         "dir /dev 0755 0 0\n"
         "nod /dev/console 0600 0 0 c 5 1\n"
         "nod /dev/vda 0660 0 6 b 254 0\n"
         "pipe /run/fifo 0620 0 0\n"
         "dir /tmp 1777 0 0\n"
         "file /etc/hosts hosts 0644 0 0 /etc/hosts.copy\n"
         "slink /sbin/init /bin/busybox 0777 0 0\n");
  }
};

// Every member of the list that `kdk cpio pack --list-only` writes for the same inputs is in the
// image with its type, mode, owner, device numbers, link target, link count and mtime; file data
// is byte for byte; e2fsck finds nothing to fix.
TEST_F(Image, HoldsWhatCpioPackWouldPack) {
  make_inputs();
  std::vector<std::string> env = {"SOURCE_DATE_EPOCH=1700000000"};
  Result r = kdk({"image", "ext4", "-o", "root.ext4", "tree", "odd", "--spec", "devices.list"}, env);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("kdk: wrote root.ext4 in "), std::string::npos) << r.err;
  EXPECT_EQ(run("e2fsck", {"-fn", "root.ext4"}).status, 0);
  Result list = kdk({"cpio", "pack", "--list-only", "-o", "-", "tree", "--spec", "devices.list"}, env);
  ASSERT_EQ(list.status, 0) << list.err;
  int checked = 0;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string type, name;
    words >> type >> name;
    auto f = stat(path("root.ext4"), name);
    ASSERT_TRUE(f.count("mode") && f.count("mtime")) << name << " is not in the image: " << line;
    std::string mode, uid, gid, location;
    if (type == "file" || type == "slink") words >> location;
    words >> mode >> uid >> gid;
    EXPECT_EQ(std::stoul(f["mode"], nullptr, 8), std::stoul(mode, nullptr, 8)) << line;
    EXPECT_EQ(f["uid"], uid) << line;
    EXPECT_EQ(f["gid"], gid) << line;
    EXPECT_LE(std::stoll(f["mtime"]), 1700000000) << line;
    if (type == "file") {
      EXPECT_EQ(f["type"], "regular") << line;
      EXPECT_EQ(cat(path("root.ext4"), name), slurp(location.rfind('/', 0) == 0 ? location : path(location))) << line;
      std::vector<std::string> others{std::istream_iterator<std::string>(words), {}};
      EXPECT_EQ(f["links"], std::to_string(1 + others.size())) << line;
      for (const auto& other : others) EXPECT_EQ(stat(path("root.ext4"), other)["links"], f["links"]) << other;
    } else if (type == "dir") {
      EXPECT_EQ(f["type"], "directory") << line;
    } else if (type == "slink") {
      EXPECT_EQ(f["type"], "symlink") << line;
      if (location.size() < 60) {
        EXPECT_EQ(f["target"], location) << line;
      }
    } else if (type == "nod") {
      std::string kind, major, minor;
      words >> kind >> major >> minor;
      EXPECT_EQ(f["type"], kind == "c" ? "character special" : "block special") << line;
      EXPECT_EQ(f["dev"], major + ":" + minor) << line;
    } else if (type == "pipe") {
      EXPECT_EQ(f["type"], "FIFO") << line;
    }
    ++checked;
  }
  EXPECT_GE(checked, 14) << list.out;
  // The long symlink's target is in a block, not the inode: read it back with debugfs.
  Result target = run("debugfs", {"-R", "stat /bin/long", path("root.ext4")});
  EXPECT_NE(target.out.find("Size: " + std::to_string(std::string(kLongTarget).size())), std::string::npos) << target.out;
  EXPECT_EQ(fs::read_symlink(path("tree/bin/long")), kLongTarget);
  EXPECT_EQ(stat(path("root.ext4"), "/dev/console")["dev"], "5:1");
  EXPECT_EQ(stat(path("root.ext4"), "/a dir/file \"\"quoted\"\"")["type"], "regular");
  EXPECT_EQ(run("debugfs", {"-R", "cat \"/a dir/file \"\"quoted\"\"\"", path("root.ext4")}).out, "spaces and quotes\n");
  EXPECT_EQ(stat(path("root.ext4"), "/")["uid"], "0");
}

// The same inputs give the same bytes, whatever the host's ctimes and the clock say; a change to
// one file's content gives other bytes.
TEST_F(Image, IsReproducible) {
  make_inputs();
  std::vector<std::string> env = {"SOURCE_DATE_EPOCH=1700000000"};
  ASSERT_EQ(kdk({"image", "ext4", "-o", "one.ext4", "tree", "--spec", "devices.list"}, env).status, 0);
  sleep(1);
  chmod(path("tree/big").c_str(), 0644);  // a new ctime
  ASSERT_EQ(kdk({"image", "ext4", "-o", "two.ext4", "tree", "--spec", "devices.list"}, env).status, 0);
  EXPECT_TRUE(slurp(path("one.ext4")) == slurp(path("two.ext4"))) << "two images of the same inputs differ";
  spit(path("tree/big"), std::string(3 << 20, 'c'));
  ASSERT_EQ(kdk({"image", "ext4", "-o", "three.ext4", "tree", "--spec", "devices.list"}, env).status, 0);
  EXPECT_FALSE(slurp(path("one.ext4")) == slurp(path("three.ext4")));
  // Without SOURCE_DATE_EPOCH the clock is still out of it: the newest member's mtime is the time.
  ASSERT_EQ(kdk({"image", "ext4", "-o", "four.ext4", "tree"}).status, 0);
  sleep(1);
  ASSERT_EQ(kdk({"image", "ext4", "-o", "five.ext4", "tree"}).status, 0);
  EXPECT_TRUE(slurp(path("four.ext4")) == slurp(path("five.ext4")));
}

// What an ext4 image cannot take, and a size too small for the tree: an error that names the
// member or the size, and OUT as it was.
TEST_F(Image, BadInputLeavesTheOutputAlone) {
  make_inputs();
  spit(path("root.ext4"), "the old image");
  spit(path("sock.list"), "sock /run/socket 0755 0 0\n");
  Result r = kdk({"image", "ext4", "-o", "root.ext4", "tree", "--spec", "sock.list"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("sock.list:1: 'run/socket' is a socket, which debugfs cannot create"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("root.ext4 was not written (an existing one is unchanged)"), std::string::npos) << r.err;
  spit(path("tree/new\nline"), "x");
  r = kdk({"image", "ext4", "-o", "root.ext4", "tree"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("'new\nline': a name or link target with a newline cannot go into an ext4 image"), std::string::npos)
      << r.err;
  fs::remove(path("tree/new\nline"));
  spit(path("tree/huge"), std::string(12 << 20, 'h'));
  r = kdk({"image", "ext4", "-o", "root.ext4", "--size", "8M", "tree"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("the image is too small for the tree: give a larger size (now 8 MiB)"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(path("root.ext4")), "the old image");
  std::vector<std::string> left = files();
  EXPECT_EQ(std::count_if(left.begin(), left.end(), [](const std::string& f) { return f.find(".kdk-") != std::string::npos; }), 0);

  for (auto [option, value, message] : std::vector<std::array<std::string, 3>>{
           {"--size", "12", "--size '12': give N with K, M or G, such as 512M"},
           {"--size", "1M", "--size 1M is too small: at least 8M"},
           {"--uuid", "not-a-uuid", "--uuid 'not-a-uuid' is not a UUID"},
           {"--label", "a label longer than sixteen", "--label 'a label longer than sixteen': at most 16 bytes"}}) {
    r = kdk({"image", "ext4", "-o", "root.ext4", option, value, "tree"});
    EXPECT_EQ(r.status, 2) << option << " " << value;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
  }
  EXPECT_EQ(slurp(path("root.ext4")), "the old image");
}

}  // namespace
