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

// Crafts a tar archive with Python's tarfile: every kind of member mmdebstrap's archives hold, as
// it stores them (owners, set-id bits, device nodes, a hard link, a pax extended attribute).
constexpr const char* kCraftTar = R"(
import io, sys, tarfile
out, kind = sys.argv[1], sys.argv[2]
t = tarfile.open(out, 'w', format=tarfile.PAX_FORMAT)
def add(name, type=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, data=b'', **kw):
    i = tarfile.TarInfo(name)
    i.type, i.mode, i.uid, i.gid, i.mtime = type, mode, uid, gid, 1700000000
    for k, v in kw.items(): setattr(i, k, v)
    i.size = len(data) if type == tarfile.REGTYPE else 0
    t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
add('./', tarfile.DIRTYPE, 0o755)
if kind == 'good':
    add('./usr/', tarfile.DIRTYPE, 0o755)
    add('./usr/bin/', tarfile.DIRTYPE, 0o755)
    add('./usr/bin/su', mode=0o4755, data=b'su data\n')
    add('./usr/bin/su2', tarfile.LNKTYPE, 0o4755, linkname='./usr/bin/su')
    add('./bin', tarfile.SYMTYPE, 0o777, linkname='usr/bin')
    add('./home/', tarfile.DIRTYPE, 0o755)
    add('./home/user/', tarfile.DIRTYPE, 0o700, 1000, 1000)
    add('./home/user/notes', mode=0o600, uid=1000, gid=1000, data=b'mine\n')
    add('./dev/', tarfile.DIRTYPE, 0o755)
    add('./dev/null', tarfile.CHRTYPE, 0o666, devmajor=1, devminor=3)
    add('./dev/vda', tarfile.BLKTYPE, 0o660, 0, 6, devmajor=254, devminor=0)
    add('./run/fifo', tarfile.FIFOTYPE, 0o620)
    add('./var/log/journal/', tarfile.DIRTYPE, 0o2755, 0, 101, pax_headers={'SCHILY.xattr.user.kdk': 'x'})
elif kind == 'dotdot':
    add('./etc/', tarfile.DIRTYPE, 0o755)
    add('./etc/../../escape', data=b'x')
elif kind == 'link-missing':
    add('./bin/sh', tarfile.LNKTYPE, 0o755, linkname='./bin/busybox')
elif kind == 'link-dir':
    add('./etc/', tarfile.DIRTYPE, 0o755)
    add('./etc2', tarfile.LNKTYPE, 0o755, linkname='./etc')
t.close()
)";

// A tar archive of a tree (GNU tar, gzip too) gives the very image the tree gives: the same
// members, in the same order, with the same metadata.
TEST_F(Image, TarOfATreeGivesTheTreesImage) {
  make_inputs();
  ASSERT_EQ(kdk({"image", "ext4", "-o", "tree.ext4", "tree"}).status, 0);
  ASSERT_EQ(run("tar", {"-C", "tree", "--owner=0", "--group=0", "--numeric-owner", "-cf", "tree.tar", "."}).status, 0);
  ASSERT_EQ(run("tar", {"-C", "tree", "--owner=0", "--group=0", "--numeric-owner", "-czf", "tree.tgz", "."}).status, 0);
  Result r = kdk({"image", "ext4", "-o", "tar.ext4", "--tar", "tree.tar"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("tree.tar: 7 entries, 3.0 MiB of file data"), std::string::npos) << r.err;
  EXPECT_TRUE(slurp(path("tree.ext4")) == slurp(path("tar.ext4")));
  r = kdk({"image", "ext4", "-o", "tgz.ext4", "--tar", "tree.tgz"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(slurp(path("tree.ext4")) == slurp(path("tgz.ext4")));
  // The archive's data was staged beside the image and is gone.
  for (const auto& f : files()) EXPECT_EQ(f.find(".kdk-tar-"), std::string::npos) << f;
}

// Owners, set-id bits, device nodes, a FIFO, a symlink and a hard link come from the archive
// as it has them; a --spec list goes on top; extended attributes are named, not carried.
TEST_F(Image, TarKeepsOwnersDevicesAndHardLinks) {
  ASSERT_EQ(run("python3", {"-c", kCraftTar, "good.tar", "good"}).status, 0);
  spit(path("extra.list"), "dir /root 0700 0 0\n");
  Result r = kdk({"image", "ext4", "-o", "good.ext4", "--tar", "good.tar", "--spec", "extra.list"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("good.tar: the extended attributes (ACLs, capabilities) of 1 members are not carried: var/log/journal"),
            std::string::npos) << r.err;
  std::string image = path("good.ext4");
  auto su = stat(image, "/usr/bin/su");
  EXPECT_EQ(su["mode"], "04755");
  EXPECT_EQ(su["links"], "2");
  EXPECT_EQ(cat(image, "/usr/bin/su2"), "su data\n");
  EXPECT_EQ(stat(image, "/usr/bin/su2")["links"], "2");
  auto home = stat(image, "/home/user");
  EXPECT_EQ(home["uid"], "1000");
  EXPECT_EQ(home["gid"], "1000");
  EXPECT_EQ(home["mode"], "0700");
  EXPECT_EQ(stat(image, "/home/user/notes")["uid"], "1000");
  EXPECT_EQ(cat(image, "/home/user/notes"), "mine\n");
  EXPECT_EQ(stat(image, "/dev/null")["dev"], "1:3");
  auto vda = stat(image, "/dev/vda");
  EXPECT_EQ(vda["type"], "block special");
  EXPECT_EQ(vda["dev"], "254:0");
  EXPECT_EQ(vda["gid"], "6");
  EXPECT_EQ(stat(image, "/run/fifo")["type"], "FIFO");
  EXPECT_EQ(stat(image, "/bin")["target"], "usr/bin");
  EXPECT_EQ(stat(image, "/var/log/journal")["mode"], "02755");
  EXPECT_EQ(stat(image, "/usr/bin/su")["mtime"], "1700000000");
  EXPECT_EQ(stat(image, "/root")["mode"], "0700");
  EXPECT_EQ(run("e2fsck", {"-fn", image}).status, 0);
}

// Crafted and broken archives: an error naming the archive and the member, the output as it
// was, nothing staged left behind. --tar with DIRs is a usage error.
TEST_F(Image, BadTarLeavesTheOutputAlone) {
  spit(path("root.ext4"), "the old image");
  auto refused = [&](const std::string& tar, const std::string& message) {
    Result r = kdk({"image", "ext4", "-o", "root.ext4", "--tar", tar});
    EXPECT_EQ(r.status, 1) << tar;
    EXPECT_NE(r.err.find(message), std::string::npos) << tar << ": " << r.err;
    EXPECT_EQ(slurp(path("root.ext4")), "the old image") << tar;
    for (const auto& f : files()) EXPECT_EQ(f.find(".kdk-"), std::string::npos) << tar << " left " << f;
  };
  for (const char* kind : {"dotdot", "link-missing", "link-dir", "good"}) {
    ASSERT_EQ(run("python3", {"-c", kCraftTar, std::string(kind) + ".tar", kind}).status, 0) << kind;
  }
  refused("dotdot.tar", "dotdot.tar: name './etc/../../escape' has a '..' component");
  refused("link-missing.tar", "link-missing.tar: 'bin/sh' is a hard link to 'bin/busybox', which is not a regular file earlier in the archive");
  refused("link-dir.tar", "link-dir.tar: 'etc2' is a hard link to 'etc', which is not a regular file earlier in the archive");
  std::string good = slurp(path("good.tar"));
  spit(path("truncated.tar"), good.substr(0, 2048 + 300));  // inside su's data
  refused("truncated.tar", "(is the archive truncated?)");
  spit(path("empty.tar"), "");
  refused("empty.tar", "empty.tar: not a tar archive");
  spit(path("text.tar"), "this is not an archive\n");
  refused("text.tar", "text.tar: not a tar archive");
  refused("absent.tar", "absent.tar: cannot open: No such file or directory");
  make_inputs();
  Result r = kdk({"image", "ext4", "-o", "root.ext4", "--tar", "good.tar", "tree"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("give the tree as DIRs or as --tar archives, not both"), std::string::npos) << r.err;
}

}  // namespace
