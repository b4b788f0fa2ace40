// Writing a file so that readers see the old content or the new, never a mix, and a
// failure or an interruption leaves nothing behind: a temporary file in the same directory,
// then rename(). A symlink is followed (its target is replaced; the link stays a link), an
// existing file keeps its mode, owner and group, and anything but a regular file is refused.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

namespace kdk {

// The file that writing `path` replaces: `path` itself, or the final target of the symlink it
// names. Throws Error when that is not a regular file (a device, FIFO, socket or directory:
// kdk never replaces one), or when the link is dangling.
std::string resolve_output(const std::string& path);

class AtomicFile {
 public:
  // Creates "<dir>/.<name>.kdk-XXXXXX" beside the file `path` resolves to. A new file gets
  // `mode`; an existing one keeps its mode, owner and group (or nothing is written).
  AtomicFile(const std::string& path, mode_t mode);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();

  int fd() const { return fd_; }
  // The temporary file itself, for a program that writes it by name (mke2fs).
  const std::string& temp_path() const { return temp_path_; }
  void write(std::string_view data);
  // Owner, mode, fsync, close and rename over the target.
  void commit();

 private:
  std::string path_;    // as the user gave it, for messages
  std::string target_;  // what is replaced
  std::string temp_path_;
  mode_t mode_;
  bool keep_owner_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  int fd_ = -1;
  int slot_ = -1;  // in the table of temporary files that SIGINT/SIGTERM/SIGHUP remove
  bool committed_ = false;
};

// Replaces `path` with `content` atomically (see AtomicFile).
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode = 0644);

// An exclusive lock for a read-modify-write of `path`: an flock on the directory of the file it
// resolves to, so concurrent kdk edits of one file serialize instead of losing each other's
// changes. Refuses what resolve_output refuses, before anything is read.
class EditLock {
 public:
  explicit EditLock(const std::string& path);
  EditLock(const EditLock&) = delete;
  EditLock& operator=(const EditLock&) = delete;
  ~EditLock();

 private:
  int fd_ = -1;
};

// The whole file as a string. Throws Error naming the file.
std::string read_file(const std::string& path);

}  // namespace kdk
