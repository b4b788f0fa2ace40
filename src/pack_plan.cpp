#include "pack_plan.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <sys/stat.h>
#include <unordered_map>

#include "error.hpp"
#include "tree_scan.hpp"

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

// The merged walk: the trees in parallel, the overlay merged in, one directory at a time.
class PackPlan::Walk {
 public:
  Walk(const PackPlan& plan, bool counting, std::unordered_map<std::string, std::uint32_t>& links,
       const std::function<void(const Member&)>& visit)
      : plan_(plan), counting_(counting), links_(links), visit_(visit) {}

  void run() {
    std::vector<std::size_t> all(plan_.trees_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    directory("", all, nullptr);
    if (counting_) return;
    for (const auto& [key, seen] : seen_) {
      if (seen.second != links_.at(key)) {
        throw Error("a hard-linked file's links changed while being packed (" + std::to_string(seen.second) + " of its " +
                        std::to_string(links_.at(key)) + " names were found the second time)",
                    key);
      }
    }
  }

 private:
  static constexpr int kOverlay = -1, kImplied = -2;
  struct Child {
    std::string name;
    int source;   // the tree it comes from, kOverlay or kImplied
    bool is_dir;
  };

  std::string join(const std::string& rel, const std::string& name) const { return rel.empty() ? name : rel + "/" + name; }
  std::string host(std::size_t tree, const std::string& name) const { return plan_.trees_[tree] + "/" + name; }

  // The overlay's members strictly below `rel` ("" for all), in archive order.
  auto overlay_below(const std::string& rel) const {
    const auto& m = plan_.members_;
    auto first = rel.empty() ? m.begin() : m.upper_bound(rel);
    auto last = first;
    while (last != m.end() && (rel.empty() || (last->first.size() > rel.size() && last->first.compare(0, rel.size(), rel) == 0 &&
                                               last->first[rel.size()] == '/'))) {
      ++last;
    }
    return std::make_pair(first, last);
  }

  // `self`: how `rel` itself is made (null for the archive root, which is no member).
  void directory(const std::string& rel, const std::vector<std::size_t>& trees, const Child* self) {
    // Every child name, from the trees where `rel` is a directory and from the overlay.
    std::vector<std::string> names;
    for (std::size_t t : trees) {
      std::vector<std::string> found = read_dir_names(rel.empty() ? plan_.trees_[t] : host(t, rel));
      names.insert(names.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    }
    auto [first, last] = overlay_below(rel);
    std::size_t skip = rel.empty() ? 0 : rel.size() + 1;
    for (auto it = first; it != last; ++it) {
      std::size_t slash = it->first.find('/', skip);
      names.push_back(it->first.substr(skip, slash == std::string::npos ? std::string::npos : slash - skip));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());

    std::vector<Child> children;
    children.reserve(names.size());
    for (auto& name : names) {
      std::string full = join(rel, name);
      Child c{std::move(name), kImplied, true};
      if (auto o = plan_.members_.find(full); o != plan_.members_.end()) {
        c.source = kOverlay;
        c.is_dir = S_ISDIR(o->second.mode);
      } else {
        for (auto t = trees.rbegin(); t != trees.rend(); ++t) {
          struct stat st {};
          if (lstat(host(*t, full).c_str(), &st) == 0) {
            c.source = static_cast<int>(*t);
            c.is_dir = S_ISDIR(st.st_mode);
            break;
          }
        }
      }
      children.push_back(std::move(c));
    }
    if (self) {  // its nlink counts its subdirectories, so it is emitted once they are known
      std::uint32_t subdirs = 0;
      for (const auto& c : children) subdirs += c.is_dir;
      emit(member_of(rel, *self), 2 + subdirs);
    }
    for (auto& c : children) {
      std::string full = join(rel, c.name);
      std::vector<std::size_t> dir_trees;
      for (std::size_t t : trees) {
        struct stat st {};
        bool is_dir = static_cast<int>(t) == c.source ? c.is_dir
                                                      : lstat(host(t, full).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        if (is_dir) dir_trees.push_back(t);
      }
      if (!c.is_dir) {
        check_nothing_below(full, c, dir_trees);
        emit(member_of(full, c), 1);
        continue;
      }
      directory(full, dir_trees, &c);
    }
  }

  Member member_of(const std::string& full, const Child& c) const {
    if (c.source == kOverlay) return plan_.members_.at(full);
    if (c.source == kImplied) {
      Member dir;
      dir.name = full;
      dir.mode = S_IFDIR | 0755;
      dir.mtime = plan_.clamp_mtime(plan_.options_.clamp.value_or(0));
      dir.origin = "implied parent directory";
      return dir;
    }
    std::string path = host(static_cast<std::size_t>(c.source), full);
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) throw Error("cannot stat: " + errno_text(errno), path);
    if (S_ISDIR(st.st_mode) != c.is_dir) throw Error("changed while being packed (it is now a " + std::string(S_ISDIR(st.st_mode) ? "directory" : "non-directory") + ")", path);
    Member m = host_member(path, full, st, plan_.options_);
    check_kernel_limits(m);
    m.mtime = plan_.clamp_mtime(m.mtime);
    if (S_ISREG(m.mode) && m.size > kNewcMaxFileSize) {
      throw Error(std::to_string(m.size) + " bytes: newc cannot store a file of 4 GiB or more", m.origin);
    }
    return m;
  }

  // A non-directory cannot hold what a tree or the overlay puts below its name.
  void check_nothing_below(const std::string& full, const Child& c, const std::vector<std::size_t>& dir_trees) const {
    auto [first, last] = overlay_below(full);
    std::string maker = c.source == kOverlay ? plan_.members_.at(full).origin : host(static_cast<std::size_t>(c.source), full);
    if (first != last) {
      throw Error("'" + first->first + "' is inside '" + full + "', which " + maker + " makes a non-directory",
                  first->second.origin);
    }
    for (std::size_t t : dir_trees) {
      std::vector<std::string> inside = read_dir_names(host(t, full));
      if (!inside.empty()) {
        throw Error("'" + full + "' is not a directory here, but " + host(t, full) + " made it one and put '" + full + "/" +
                        inside.front() + "' in it",
                    maker);
      }
    }
  }

  void emit(Member m, std::uint32_t nlink) {
    if (counting_) {
      if (!m.link_key.empty()) ++links_[m.link_key];
      return;
    }
    auto group = m.link_key.empty() ? links_.end() : links_.find(m.link_key);
    if (group != links_.end() && group->second > 1) {
      auto [it, added] = seen_.try_emplace(m.link_key, ino_ + 1, 0);
      if (added) ++ino_;
      m.ino = it->second.first;
      m.nlink = group->second;
      m.carries_data = ++it->second.second == m.nlink;
    } else {
      m.link_key.clear();
      m.ino = ++ino_;
      m.nlink = nlink;
    }
    visit_(m);
  }

  const PackPlan& plan_;
  bool counting_;
  std::unordered_map<std::string, std::uint32_t>& links_;  // link key -> members with it
  const std::function<void(const Member&)>& visit_;
  std::unordered_map<std::string, std::pair<std::uint32_t, std::uint32_t>> seen_;  // key -> ino, links seen
  std::uint32_t ino_ = 0;
};

void PackPlan::stream(const std::function<void(const Member&)>& visit) const {
  std::unordered_map<std::string, std::uint32_t> links;
  Walk(*this, true, links, visit).run();
  Walk(*this, false, links, visit).run();
}

std::vector<Member> PackPlan::finish() const {
  std::vector<Member> out;
  stream([&](const Member& m) { out.push_back(m); });
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
