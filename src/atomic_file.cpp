#include "atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.hpp"

namespace kdk {

AtomicFile::AtomicFile(std::string path, mode_t mode) : path_(std::move(path)), mode_(mode) {
  auto slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  if (slash == 0) dir = "/";
  temp_path_ = (slash == std::string::npos ? std::string() : dir) + "." + base + ".kdk-XXXXXX";
  fd_ = mkstemp(temp_path_.data());
  if (fd_ < 0) {
    throw Error("cannot create a temporary file in '" + dir + "': " + errno_text(errno), path_);
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("write failed: " + errno_text(errno), path_);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (fchmod(fd_, mode_) != 0) throw Error("chmod failed: " + errno_text(errno), path_);
  if (fsync(fd_) != 0) throw Error("fsync failed: " + errno_text(errno), path_);
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) throw Error("close failed: " + errno_text(errno), path_);
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw Error("cannot rename the temporary file into place: " + errno_text(errno), path_);
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  AtomicFile out(path, mode);
  out.write(content);
  out.commit();
}

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error("cannot read: " + errno_text(errno), path);
  std::string content;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) content.append(buf, n);
  bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw Error("read failed", path);
  return content;
}

}  // namespace kdk
