// Writing a file so that readers see the old content or the new, never a mix, and a
// failure leaves nothing behind: a temporary file in the same directory, then rename().
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

namespace kdk {

class AtomicFile {
 public:
  // Creates "<dir>/.<name>.kdk-XXXXXX" beside `path`. `mode` is applied before the rename.
  AtomicFile(std::string path, mode_t mode);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();

  int fd() const { return fd_; }
  void write(std::string_view data);
  // fsync, close and rename over `path`.
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  mode_t mode_;
  int fd_ = -1;
  bool committed_ = false;
};

// Replaces `path` with `content` atomically. A new file gets `mode`; an existing file keeps its own.
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode = 0644);

// The whole file as a string. Throws Error naming the file.
std::string read_file(const std::string& path);

}  // namespace kdk
