#include "ext4_image.hpp"

#include <algorithm>
#include <cstdio>
#include <sys/stat.h>
#include <unordered_map>
#include <unordered_set>

#include "error.hpp"
#include "process.hpp"
#include "text_lines.hpp"

namespace kdk {

namespace {

constexpr std::uint64_t kBlock = 4096;
constexpr std::uint64_t kMiB = 1024 * 1024;

// One argument of a debugfs command: in double quotes, a quote doubled (debugfs's parser reads
// "" inside quotes as one "). A newline cannot be said at all.
std::string quoted(const std::string& text, const Member& m) {
  if (text.find('\n') != std::string::npos) {
    throw Error("'" + m.name + "': a name or link target with a newline cannot go into an ext4 image (debugfs reads "
                "its commands a line at a time)", m.origin);
  }
  std::string out = "\"";
  for (char c : text) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string parent_of(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? "/" : "/" + name.substr(0, slash);
}

std::string leaf_of(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

std::string octal(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%o", static_cast<unsigned>(mode));
  return buf;
}

}  // namespace

std::string debugfs_script(const std::vector<Member>& members, std::int64_t root_mtime) {
  std::string out;
  std::string cwd = "/";
  auto cd = [&](const Member& m) {
    std::string dir = parent_of(m.name);
    if (dir != cwd) out += "cd " + quoted(dir, m) + "\n";
    cwd = dir;
  };
  // 1. Every inode, at its first name; the data of a hard-linked file under that name. Each
  // command names a leaf in the current directory: debugfs resolves a path with a single '/'
  // (as in "/bin") from the current directory, not from the root.
  std::unordered_set<std::string> made;  // link keys whose inode exists
  for (const auto& m : members) {
    if (!m.link_key.empty() && !made.insert(m.link_key).second) continue;
    cd(m);
    std::string leaf = quoted(leaf_of(m.name), m);
    switch (m.mode & S_IFMT) {
      case S_IFDIR: out += "mkdir " + leaf + "\n"; break;
      case S_IFREG: out += "write " + quoted(m.source, m) + " " + leaf + "\n"; break;
      case S_IFLNK:
        if (m.target.empty()) throw Error("'" + m.name + "': a symlink with an empty target cannot go into an ext4 image", m.origin);
        out += "symlink " + leaf + " " + quoted(m.target, m) + "\n";
        break;
      case S_IFCHR:
      case S_IFBLK:
        out += "mknod " + leaf + ((m.mode & S_IFMT) == S_IFCHR ? " c " : " b ") + std::to_string(m.rdev_major) + " " +
               std::to_string(m.rdev_minor) + "\n";
        break;
      case S_IFIFO: out += "mknod " + leaf + " p\n"; break;
      default:
        throw Error("'" + m.name + "' is a socket, which debugfs cannot create (and which nothing listens on after a "
                    "boot): leave it out of the image", m.origin);
    }
  }
  // 2. The other names of hard-linked files (every directory exists by now).
  std::unordered_map<std::string, std::string> first;  // link key -> first name
  for (const auto& m : members) {
    if (m.link_key.empty()) continue;
    auto [it, added] = first.try_emplace(m.link_key, m.name);
    if (added) continue;
    cd(m);
    out += "ln " + quoted("/" + it->second, m) + " " + quoted(leaf_of(m.name), m) + "\n";
  }
  // 3. Metadata last, so that no later step changes a directory's mtime.
  std::unordered_set<std::string> done;
  for (const auto& m : members) {
    if (!m.link_key.empty() && !done.insert(m.link_key).second) continue;
    std::string path = quoted("/" + m.name, m);
    out += "sif " + path + " mode " + octal(m.mode) + "\n";
    out += "sif " + path + " uid " + std::to_string(m.uid) + "\n";
    out += "sif " + path + " gid " + std::to_string(m.gid) + "\n";
    if (!m.link_key.empty()) out += "sif " + path + " links_count " + std::to_string(m.nlink) + "\n";
    out += "sif " + path + " mtime @" + std::to_string(m.mtime) + "\n";
  }
  out += "sif / mtime @" + std::to_string(root_mtime) + "\n";
  return out;
}

std::uint64_t ext4_auto_size(const std::vector<Member>& members) {
  std::uint64_t bytes = 0;
  std::unordered_set<std::string> counted;
  for (const auto& m : members) {
    if (!m.link_key.empty() && !counted.insert(m.link_key).second) continue;
    if (S_ISREG(m.mode)) bytes += (m.size + kBlock - 1) / kBlock * kBlock;
    if (S_ISDIR(m.mode) || (S_ISLNK(m.mode) && m.target.size() >= 60)) bytes += kBlock;
  }
  std::uint64_t size = bytes + bytes / 4 + 32 * kMiB;
  size = (size + kMiB - 1) / kMiB * kMiB;
  return std::max<std::uint64_t>(size, 64 * kMiB);
}

void write_ext4_image(const std::string& path, const std::vector<Member>& members, const Ext4Options& options) {
  // e2fsprogs lives in /sbin, which an ordinary user's PATH on Debian does not hold.
  auto tool = [](const std::string& name) {
    if (program_exists(name)) return name;
    for (const char* dir : {"/usr/sbin/", "/sbin/"}) {
      if (program_exists(dir + name)) return dir + name;
    }
    throw Error(name + " is not installed: kdk makes ext4 images with e2fsprogs (apt-get install e2fsprogs)");
  };
  std::string mke2fs = tool("mke2fs"), debugfs = tool("debugfs"), e2fsck = tool("e2fsck");
  std::uint64_t size = options.size_bytes ? options.size_bytes : ext4_auto_size(members);
  std::uint64_t inodes = std::max<std::uint64_t>(size / 8192, 2 * members.size() + 256);
  std::vector<std::string> env = {"E2FSPROGS_FAKE_TIME=" + std::to_string(options.time), "LC_ALL=C"};
  auto fail = [&](const std::string& step, const Captured& c) {
    std::string words;
    for (const auto& line : TextLines::split(c.output + c.errors).lines) {
      if (!line.empty() && line.rfind("e2fsck 1.", 0) != 0) words += (words.empty() ? "" : "\n") + line;
    }
    while (!words.empty() && words.back() == '\n') words.pop_back();
    throw Error(step + " failed (exit status " + std::to_string(c.status) + "):\n" + words);
  };
  Captured c = run_captured({mke2fs, "-q", "-F", "-t", "ext4", "-b", std::to_string(kBlock), "-m", "0",
                             "-N", std::to_string(inodes), "-L", options.label, "-U", options.uuid, "-E",
                             "hash_seed=" + options.uuid + ",root_owner=0:0", path, std::to_string(size / 1024) + "k"},
                            "", env);
  if (c.status != 0) fail("mke2fs", c);
  c = run_captured({debugfs, "-w", "-f", "-", path}, debugfs_script(members, options.time), env);
  // debugfs exits 0 whatever its commands did; each failure is a line on standard error, after
  // its banner ("debugfs 1.47.0 (5-Feb-2023)").
  std::vector<std::string> problems;
  for (const auto& line : TextLines::split(c.errors).lines) {
    if (line.empty() || (line.rfind("debugfs ", 0) == 0 && line.find('(') != std::string::npos)) continue;
    problems.push_back(line);
  }
  if (c.status != 0 || !problems.empty()) {
    std::string shown;
    for (std::size_t i = 0; i < problems.size() && i < 10; ++i) shown += "\n  " + problems[i];
    if (problems.size() > 10) shown += "\n  (" + std::to_string(problems.size() - 10) + " more)";
    std::string hint;
    for (const auto& p : problems) {
      if (p.find("Could not allocate") != std::string::npos || p.find("No free space") != std::string::npos) {
        hint = "\nthe image is too small for the tree: give a larger size (now " + std::to_string(size / kMiB) + " MiB)";
        break;
      }
    }
    throw Error("debugfs could not write every member:" + shown + hint);
  }
  c = run_captured({e2fsck, "-f", "-n", path}, "", env);
  if (c.status != 0) fail("the check of the finished image (e2fsck -fn)", c);
}

}  // namespace kdk
