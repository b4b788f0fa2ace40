#include "pack_plan.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <sys/stat.h>
#include <unordered_map>

#include "error.hpp"

namespace kdk {

bool path_less(const std::string& a, const std::string& b) {
  // '/' compares below every other byte, which makes the order component-wise.
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = a[i] == '/' ? 0 : static_cast<unsigned char>(a[i]);
    unsigned char y = b[i] == '/' ? 0 : static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

bool PackPlan::PathLess::operator()(const std::string& a, const std::string& b) const { return path_less(a, b); }

std::int64_t PackPlan::clamp_mtime(std::int64_t mtime) const {
  if (options_.clamp && mtime > *options_.clamp) mtime = *options_.clamp;
  return std::clamp<std::int64_t>(mtime, 0, 0xffffffff);
}

namespace {

// What init/initramfs.c can create: it skips a member whose name, with its NUL, is longer than
// PATH_MAX, and symlink(2)/mkdir(2) fail on a component over NAME_MAX or a link target of
// PATH_MAX bytes or more. Refusing here keeps pack from writing what the kernel drops, and what
// `kdk cpio list` refuses to read.
void check_kernel_limits(const Member& m) {
  if (m.name.size() + 1 > PATH_MAX) {
    throw Error("the archive name of '" + m.name.substr(0, 64) + "...' is " + std::to_string(m.name.size()) +
                    " bytes; the kernel takes names of at most " + std::to_string(PATH_MAX - 1) + " (PATH_MAX)",
                m.origin);
  }
  for (std::size_t i = 0; i < m.name.size();) {
    std::size_t end = std::min(m.name.find('/', i), m.name.size());
    if (end - i > NAME_MAX) {
      throw Error("the name component '" + m.name.substr(i, 32) + "...' of '" + m.name.substr(0, 64) +
                      (m.name.size() > 64 ? "..." : "") + "' is " + std::to_string(end - i) +
                      " bytes; a file name has at most " + std::to_string(NAME_MAX) + " (NAME_MAX)",
                  m.origin);
    }
    i = end + 1;
  }
  if (S_ISLNK(m.mode) && m.target.size() >= PATH_MAX) {
    throw Error("the target of symlink '" + m.name + "' is " + std::to_string(m.target.size()) +
                    " bytes; the kernel takes at most " + std::to_string(PATH_MAX - 1) + " (PATH_MAX)",
                m.origin);
  }
}

}  // namespace

void PackPlan::add(Member member) {
  check_kernel_limits(member);
  member.mtime = clamp_mtime(member.mtime);
  if (S_ISREG(member.mode) && member.size > kNewcMaxFileSize) {
    throw Error(std::to_string(member.size) + " bytes: newc cannot store a file of 4 GiB or more", member.origin);
  }
  auto it = members_.find(member.name);
  if (it != members_.end() && S_ISDIR(it->second.mode) && !S_ISDIR(member.mode)) {
    // Replacing a directory with a non-directory would orphan what an earlier layer put inside it.
    auto child = std::next(it);
    if (child != members_.end() && child->first.size() > member.name.size() &&
        child->first.compare(0, member.name.size() + 1, member.name + '/') == 0) {
      throw Error("'" + member.name + "' is not a directory here, but " + it->second.origin +
                      " made it one and put '" + child->first + "' in it",
                  member.origin);
    }
  }
  members_[member.name] = std::move(member);
}

void PackPlan::add_list(const std::vector<ListEntry>& entries) {
  for (const auto& e : entries) {
    Member m;
    m.name = e.name;
    m.mode = e.mode;
    m.uid = e.uid;
    m.gid = e.gid;
    m.origin = e.origin;
    m.mtime = options_.clamp.value_or(0);
    try {
      switch (e.type) {
        case ListType::File: {
          struct stat st {};
          if (stat(e.location.c_str(), &st) != 0) {
            throw Error("source '" + e.location + "' of '/" + e.name + "': " + errno_text(errno));
          }
          if (!S_ISREG(st.st_mode)) throw Error("source '" + e.location + "' of '/" + e.name + "' is not a regular file");
          m.mode |= S_IFREG;
          m.source = e.location;
          m.source_is_link_ok = true;
          m.size = static_cast<std::uint64_t>(st.st_size);
          m.mtime = st.st_mtime;
          if (m.size > kNewcMaxFileSize) {
            throw Error("source '" + e.location + "' is " + std::to_string(m.size) +
                        " bytes: newc cannot store a file of 4 GiB or more");
          }
          break;
        }
        case ListType::Dir: m.mode |= S_IFDIR; break;
        case ListType::Nod:
          m.mode |= e.dev_type == 'b' ? S_IFBLK : S_IFCHR;
          m.rdev_major = e.major;
          m.rdev_minor = e.minor;
          break;
        case ListType::Slink:
          m.mode |= S_IFLNK;
          m.target = e.location;
          break;
        case ListType::Pipe: m.mode |= S_IFIFO; break;
        case ListType::Sock: m.mode |= S_IFSOCK; break;
      }
    } catch (const Error& err) {
      throw Error(err.what(), e.origin, e.text);
    }
    if (!e.hardlinks.empty()) m.link_key = "list:" + std::to_string(++list_links_);
    for (const auto& link : e.hardlinks) {
      Member l = m;
      l.name = link;
      add(std::move(l));
    }
    add(std::move(m));
  }
}

std::vector<Member> PackPlan::finish() {
  // Parents first: a member whose parent is missing gets a plain 0755 root-owned directory,
  // which is what the kernel would need to create it at all.
  std::vector<std::string> missing;
  for (const auto& [name, member] : members_) {
    for (auto slash = name.rfind('/'); slash != std::string::npos; slash = name.rfind('/', slash - 1)) {
      std::string parent = name.substr(0, slash);
      auto it = members_.find(parent);
      if (it != members_.end()) {
        if (!S_ISDIR(it->second.mode)) {
          throw Error("'" + name + "' is inside '" + parent + "', which " + it->second.origin + " makes a non-directory",
                      member.origin);
        }
        break;
      }
      missing.push_back(parent);
      if (slash == 0) break;
    }
  }
  for (const auto& parent : missing) {
    if (members_.count(parent)) continue;
    Member dir;
    dir.name = parent;
    dir.mode = S_IFDIR | 0755;
    dir.mtime = clamp_mtime(options_.clamp.value_or(0));
    dir.origin = "implied parent directory";
    members_.emplace(parent, std::move(dir));
  }

  std::vector<Member> out;
  out.reserve(members_.size());
  std::unordered_map<std::string, std::size_t> first_link;   // link_key -> index in out
  std::unordered_map<std::string, std::size_t> last_link;
  std::unordered_map<std::string, std::uint32_t> link_count;
  std::unordered_map<std::string, std::uint32_t> subdirs;
  for (auto& [name, member] : members_) {
    if (S_ISDIR(member.mode)) {
      auto slash = name.rfind('/');
      if (slash != std::string::npos) ++subdirs[name.substr(0, slash)];
    }
    if (!member.link_key.empty()) ++link_count[member.link_key];
  }
  std::uint32_t ino = 0;
  for (auto& [name, member] : members_) {
    Member m = std::move(member);  // the map is done with; holding each member twice would double memory
    if (!m.link_key.empty() && link_count[m.link_key] > 1) {
      auto [it, inserted] = first_link.emplace(m.link_key, out.size());
      m.ino = inserted ? ++ino : out[it->second].ino;
      m.nlink = link_count[m.link_key];
      m.carries_data = false;
      last_link[m.link_key] = out.size();
    } else {
      m.link_key.clear();
      m.ino = ++ino;
      m.nlink = S_ISDIR(m.mode) ? 2 + subdirs[name] : 1;
    }
    out.push_back(std::move(m));
  }
  for (const auto& [key, index] : last_link) out[index].carries_data = true;
  members_.clear();
  return out;
}

std::string plan_to_list(const std::vector<Member>& members) {
  std::string out = "# gen_init_cpio list written by kdk cpio pack --list-only\n";
  std::unordered_map<std::string, std::size_t> group_line;  // link_key -> index into lines
  std::vector<ListEntry> lines;
  for (const auto& m : members) {
    if (!m.link_key.empty()) {
      auto it = group_line.find(m.link_key);
      if (it != group_line.end()) {
        lines[it->second].hardlinks.push_back(m.name);
        continue;
      }
      group_line.emplace(m.link_key, lines.size());
    }
    ListEntry e;
    e.name = m.name;
    e.mode = m.mode & 07777;
    e.uid = m.uid;
    e.gid = m.gid;
    switch (m.mode & S_IFMT) {
      // Absolute: kbuild runs gen_init_cpio from the kernel's build directory, not from here.
      case S_IFREG: e.type = ListType::File; e.location = std::filesystem::absolute(m.source).lexically_normal().string(); break;
      case S_IFDIR: e.type = ListType::Dir; break;
      case S_IFLNK: e.type = ListType::Slink; e.location = m.target; break;
      case S_IFIFO: e.type = ListType::Pipe; break;
      case S_IFSOCK: e.type = ListType::Sock; break;
      default:
        e.type = ListType::Nod;
        e.dev_type = S_ISBLK(m.mode) ? 'b' : 'c';
        e.major = m.rdev_major;
        e.minor = m.rdev_minor;
    }
    lines.push_back(std::move(e));
  }
  for (const auto& e : lines) {
    try {
      out += format_list_line(e) + '\n';
    } catch (const Error& err) {
      throw Error(err.what(), "/" + e.name);
    }
  }
  return out;
}

}  // namespace kdk
