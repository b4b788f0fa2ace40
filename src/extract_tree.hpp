// Writing an extracted archive into a directory without ever touching anything outside it.
//
// Every operation is relative to a descriptor of the extraction directory: each parent is
// reached one component at a time with openat(O_DIRECTORY | O_NOFOLLOW), and each leaf is
// created with a call that does not follow a symlink there (O_CREAT | O_EXCL, mkdirat,
// symlinkat, mkfifoat, linkat without AT_SYMLINK_FOLLOW). A symlink or a non-directory where a
// parent must be is an error, never followed, whatever made it (the archive, or whatever was
// already in the directory). Modes and times are set through descriptors (fchmod, futimens),
// never by name. Ownership is never changed, and set-id and sticky bits are never set: the
// caller records those in the spec it writes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>
#include <unordered_map>

namespace kdk {

class TreeWriter {
 public:
  // Creates `dir` (and its parents) if missing and opens it. `shown` names the archive in errors.
  TreeWriter(const std::string& dir, std::string shown);
  ~TreeWriter();
  TreeWriter(const TreeWriter&) = delete;
  TreeWriter& operator=(const TreeWriter&) = delete;

  // The directory's absolute, resolved path.
  const std::string& root() const { return root_; }

  // `name` is a normalized member name (no "..", no leading '/', no empty component).
  void directory(const std::string& name, mode_t mode, std::int64_t mtime);
  // Creates the file, or (for a hard link) links `link_to`, a regular file this writer created,
  // and returns a descriptor to write the member's `size` bytes through; finish_file sets mode
  // and time and closes it.
  int file(const std::string& name, const std::string& link_to, std::uint64_t size);
  void finish_file(int fd, mode_t mode, std::int64_t mtime);
  void symlink(const std::string& name, const std::string& target, std::int64_t mtime);
  void fifo(const std::string& name, mode_t mode, std::int64_t mtime);
  // Applies the directories' modes and times, deepest first (a mode without write or search
  // permission is set only when nothing more has to be created inside).
  void finish();

  // The permission bits written to disk for a member of type `mode`: no set-id or sticky bit,
  // files always readable by the owner and directories always readable, writable and
  // searchable, so an ordinary user can inspect, edit, repack and remove what they extracted.
  // Differences go to the spec.
  static mode_t disk_mode(mode_t mode);

 private:
  int open_parent(const std::string& name, std::string& leaf);
  void remove_existing(int parent, const std::string& leaf, const std::string& name);
  [[noreturn]] void fail(const std::string& name, const std::string& what, int err) const;

  int root_fd_ = -1;
  std::string root_;
  std::string shown_;
  std::string cached_parent_;  // the parent directory whose descriptor is cached_fd_
  int cached_fd_ = -1;
  struct Fixup {
    mode_t mode;
    std::int64_t mtime;
  };
  std::map<std::string, Fixup> directories_;
  std::unordered_map<std::string, ino_t> files_;  // regular files created, for hard links
};

}  // namespace kdk
