#include "extract_tree.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "error.hpp"

namespace kdk {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

timespec at(std::int64_t seconds) { return {static_cast<time_t>(seconds), 0}; }

int retry_open(int dirfd, const char* name, int flags, mode_t mode = 0) {
  int fd;
  do fd = openat(dirfd, name, flags, mode);
  while (fd < 0 && errno == EINTR);
  return fd;
}

// mkdir -p for the extraction directory itself: the user's own path, so symlinks in it are
// followed, as any tool does with the directory it is told to write into.
void make_directories(const std::string& dir) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    std::string partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) throw Error("cannot create: " + errno_text(errno), partial);
  }
}

}  // namespace

mode_t TreeWriter::disk_mode(mode_t mode) {
  mode_t perm = mode & 0777;
  if (S_ISDIR(mode)) return perm | 0700;
  if (S_ISREG(mode)) return perm | 0400;
  return perm;
}

TreeWriter::TreeWriter(const std::string& dir, std::string shown) : shown_(std::move(shown)) {
  make_directories(dir);
  root_fd_ = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) throw Error(errno == ENOTDIR ? "not a directory" : "cannot open: " + errno_text(errno), dir);
  char resolved[PATH_MAX];
  if (!realpath(dir.c_str(), resolved)) {
    close(root_fd_);
    throw Error("cannot resolve: " + errno_text(errno), dir);
  }
  root_ = resolved;
}

TreeWriter::~TreeWriter() {
  if (cached_fd_ >= 0) close(cached_fd_);
  if (root_fd_ >= 0) close(root_fd_);
}

void TreeWriter::fail(const std::string& name, const std::string& what, int err) const {
  throw Error("member '" + name + "': " + what + (err ? ": " + errno_text(err) : ""), shown_);
}

// The descriptor of `name`'s parent directory (owned by the writer: do not close it), creating
// missing parents. `leaf` gets the last component.
int TreeWriter::open_parent(const std::string& name, std::string& leaf) {
  std::size_t slash = name.rfind('/');
  leaf = slash == std::string::npos ? name : name.substr(slash + 1);
  std::string parent = slash == std::string::npos ? "" : name.substr(0, slash);
  if (parent.empty()) return root_fd_;
  if (cached_fd_ >= 0 && parent == cached_parent_) return cached_fd_;
  int fd = root_fd_;
  std::size_t start = 0;
  while (start < parent.size()) {
    std::size_t end = std::min(parent.find('/', start), parent.size());
    std::string component = parent.substr(start, end - start);
    int next = retry_open(fd, component.c_str(), kDirFlags);
    if (next < 0 && errno == ENOENT) {
      // A parent the archive does not list: created as the kernel's own default would be.
      if (mkdirat(fd, component.c_str(), 0700) != 0 && errno != EEXIST) {
        int err = errno;
        if (fd != root_fd_) close(fd);
        fail(name, "cannot create its parent '" + parent.substr(0, end) + "'", err);
      }
      next = retry_open(fd, component.c_str(), kDirFlags);
      if (next >= 0) fchmod(next, 0755);
    }
    if (next < 0) {
      int err = errno;
      struct stat st {};
      bool link = (err == ELOOP || err == ENOTDIR) && fstatat(fd, component.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                  S_ISLNK(st.st_mode);
      if (fd != root_fd_) close(fd);
      std::string where = "'" + parent.substr(0, end) + "' in " + root_;
      if (link) fail(name, where + " is a symlink; refusing to write through it", 0);
      if (err == ENOTDIR) fail(name, where + " is not a directory", 0);
      fail(name, "cannot open " + where, err);
    }
    if (fd != root_fd_) close(fd);
    fd = next;
    start = end + 1;
  }
  if (cached_fd_ >= 0) close(cached_fd_);
  cached_fd_ = fd;
  cached_parent_ = parent;
  return fd;
}

// Makes room for a new entry: whatever is at `leaf` goes (a symlink itself, never its target;
// a directory only if empty). A directory's cached descriptor may then name a removed one.
void TreeWriter::remove_existing(int parent, const std::string& leaf, const std::string& name) {
  struct stat st {};
  if (fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    fail(name, "cannot inspect what is there", errno);
  }
  bool dir = S_ISDIR(st.st_mode);
  if (unlinkat(parent, leaf.c_str(), dir ? AT_REMOVEDIR : 0) != 0) {
    int err = errno;
    if (dir && (err == ENOTEMPTY || err == EEXIST)) fail(name, "a non-empty directory of that name is in the way", 0);
    fail(name, "cannot replace what is there", err);
  }
  // A removed directory may be (or contain) the cached parent; `parent` itself never is.
  if (dir && cached_fd_ >= 0 && (cached_parent_ == name || cached_parent_.compare(0, name.size() + 1, name + "/") == 0)) {
    close(cached_fd_);
    cached_fd_ = -1;
    cached_parent_.clear();
  }
  files_.erase(name);
  directories_.erase(name);
}

void TreeWriter::directory(const std::string& name, mode_t mode, std::int64_t mtime) {
  std::string leaf;
  int parent = open_parent(name, leaf);
  struct stat st {};
  if (fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
    remove_existing(parent, leaf, name);
  }
  if (mkdirat(parent, leaf.c_str(), 0700) != 0 && errno != EEXIST) fail(name, "cannot create the directory", errno);
  int fd = retry_open(parent, leaf.c_str(), kDirFlags);
  if (fd < 0) fail(name, "cannot open the directory", errno);
  // Writable until finish(), whatever its final mode; a directory someone else owns stays as it is.
  fchmod(fd, 0700);
  close(fd);
  files_.erase(name);
  directories_[name] = {disk_mode(S_IFDIR | mode), mtime};
}

int TreeWriter::file(const std::string& name, const std::string& link_to, std::uint64_t size) {
  std::string leaf;
  if (link_to.empty()) {
    int parent = open_parent(name, leaf);
    remove_existing(parent, leaf, name);
    int fd = retry_open(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) fail(name, "cannot create", errno);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      close(fd);
      fail(name, "is not a regular file", 0);
    }
    files_[name] = st.st_ino;
    return fd;
  }
  auto target = files_.find(link_to);
  if (target == files_.end()) {
    fail(name, "is a hard link to '" + link_to + "', which is not a regular file this archive extracted; refusing it", 0);
  }
  ino_t ino = target->second;
  int parent;
  if (link_to != name) {
    std::string target_leaf;
    // The target's parent is opened (and cached) first, and kept through a dup, since opening
    // the link's own parent replaces the cached descriptor.
    int target_parent = dup(open_parent(link_to, target_leaf));
    if (target_parent < 0) fail(name, "cannot open the parent of '" + link_to + "'", errno);
    parent = open_parent(name, leaf);
    remove_existing(parent, leaf, name);
    int linked = linkat(target_parent, target_leaf.c_str(), parent, leaf.c_str(), 0);
    int err = errno;
    close(target_parent);
    if (linked != 0) fail(name, "cannot link to '" + link_to + "'", err);
  } else {
    parent = open_parent(name, leaf);
  }
  // As the kernel does: a link's data (newc stores it once, usually on the last link) is
  // written over the shared file without truncating it first, and sets its size if it has any.
  auto open_link = [&] { return retry_open(parent, leaf.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC); };
  int fd = open_link();
  if (fd < 0 && errno == EACCES) {
    // An earlier link set a mode without write permission; the owner may lift it (this
    // member's own mode is set when it is finished).
    int ro = retry_open(parent, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st {};
    if (ro >= 0 && fstat(ro, &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == ino) fchmod(ro, 0600);
    if (ro >= 0) close(ro);
    fd = open_link();
  }
  if (fd < 0) fail(name, "cannot open the link", errno);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino != ino) {
    close(fd);
    fail(name, "the hard link does not lead to '" + link_to + "' any more", 0);
  }
  if (size > 0 && ftruncate(fd, static_cast<off_t>(size)) != 0) {
    int err = errno;
    close(fd);
    fail(name, "cannot set the size of the link", err);
  }
  files_[name] = ino;
  return fd;
}

void TreeWriter::finish_file(int fd, mode_t mode, std::int64_t mtime) {
  timespec times[2] = {at(mtime), at(mtime)};
  int err = fchmod(fd, disk_mode(S_IFREG | mode)) == 0 && futimens(fd, times) == 0 ? 0 : errno;
  if (close(fd) != 0 && !err) err = errno;
  if (err) throw Error("cannot finish an extracted file: " + errno_text(err), shown_);
}

void TreeWriter::symlink(const std::string& name, const std::string& target, std::int64_t mtime) {
  std::string leaf;
  int parent = open_parent(name, leaf);
  remove_existing(parent, leaf, name);
  if (symlinkat(target.c_str(), parent, leaf.c_str()) != 0) fail(name, "cannot create the symlink", errno);
  timespec times[2] = {at(mtime), at(mtime)};
  utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW);  // a filesystem may not keep it
}

void TreeWriter::fifo(const std::string& name, mode_t mode, std::int64_t mtime) {
  std::string leaf;
  int parent = open_parent(name, leaf);
  remove_existing(parent, leaf, name);
  if (mkfifoat(parent, leaf.c_str(), 0600) != 0) fail(name, "cannot create the FIFO", errno);
  // Opening a FIFO for reading with O_NONBLOCK returns at once, without a writer.
  int fd = retry_open(parent, leaf.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) fail(name, "cannot open the FIFO", errno);
  struct stat st {};
  timespec times[2] = {at(mtime), at(mtime)};
  bool ok = fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && fchmod(fd, disk_mode(S_IFIFO | mode)) == 0 &&
            futimens(fd, times) == 0;
  int err = errno;
  close(fd);
  if (!ok) fail(name, "cannot set the FIFO's mode", err);
}

void TreeWriter::finish() {
  std::vector<std::pair<std::size_t, const std::string*>> order;
  for (const auto& [name, fixup] : directories_) order.emplace_back(std::count(name.begin(), name.end(), '/'), &name);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [depth, name] : order) {
    const Fixup& fixup = directories_.at(*name);
    std::string leaf;
    int parent = open_parent(*name, leaf);
    int fd = retry_open(parent, leaf.c_str(), kDirFlags);
    if (fd < 0) fail(*name, "cannot open the directory to set its mode", errno);
    timespec times[2] = {at(fixup.mtime), at(fixup.mtime)};
    struct stat st {};
    bool ours = fstat(fd, &st) == 0 && (st.st_uid == geteuid() || geteuid() == 0);
    int err = ours && (fchmod(fd, fixup.mode) != 0 || futimens(fd, times) != 0) ? errno : 0;
    close(fd);
    if (err) fail(*name, "cannot set the directory's mode and time", err);
  }
  directories_.clear();
}

}  // namespace kdk
