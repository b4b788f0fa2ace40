#include "atomic_file.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.hpp"

namespace kdk {
namespace {

// The temporary files that exist now, for the signal handler: fixed storage, no allocation.
constexpr int kSlots = 8;
char g_temp[kSlots][PATH_MAX];
volatile sig_atomic_t g_used[kSlots];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void put(const char* text) {
  std::size_t n = 0;
  while (text[n]) ++n;
  if (::write(2, text, n) < 0) {
  }
}

void remove_temps_and_die(int sig) {
  for (int i = 0; i < kSlots; ++i) {
    if (!g_used[i]) continue;
    unlink(g_temp[i]);
    put("kdk: interrupted; removed the unfinished ");
    put(g_temp[i]);
    put(", and left the file it was to replace as it was\n");
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

// Blocks kSignals for a scope, so that a temporary file and its slot change together.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kSignals) sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

void install_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  for (int sig : kSignals) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;  // nohup and friends: stay ignored
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_die;
    sigemptyset(&sa.sa_mask);
    for (int s : kSignals) sigaddset(&sa.sa_mask, s);
    sigaction(sig, &sa, nullptr);
  }
}

std::string type_name(mode_t mode) {
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a regular file";
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string resolve_output(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return path;  // a new file
    throw Error("cannot stat: " + errno_text(errno), path);
  }
  std::string target = path;
  if (S_ISLNK(st.st_mode)) {
    char* real = realpath(path.c_str(), nullptr);
    if (!real) {
      throw Error("is a symlink whose target cannot be resolved (" + errno_text(errno) +
                      "); kdk writes the file a link points to: create it, or give the file's own path",
                  path);
    }
    target = real;
    std::free(real);
    if (stat(target.c_str(), &st) != 0) throw Error("cannot stat its target " + target + ": " + errno_text(errno), path);
  }
  if (!S_ISREG(st.st_mode)) {
    throw Error(std::string(target == path ? "is " : "points to " + target + ", which is ") + type_name(st.st_mode) +
                    "; kdk replaces only regular files, so it is left as it is: give the path of a file",
                path);
  }
  return target;
}

AtomicFile::AtomicFile(const std::string& path, mode_t mode) : path_(path), target_(resolve_output(path)), mode_(mode) {
  struct stat st {};
  if (stat(target_.c_str(), &st) == 0) {
    mode_ = st.st_mode & 07777;
    keep_owner_ = true;
    uid_ = st.st_uid;
    gid_ = st.st_gid;
  }
  std::string dir = directory_of(target_);
  std::string base = target_.substr(target_.rfind('/') == std::string::npos ? 0 : target_.rfind('/') + 1);
  temp_path_ = (dir == "." && target_.find('/') == std::string::npos ? std::string() : (dir == "/" ? "" : dir) + "/") +
               "." + base + ".kdk-XXXXXX";
  if (temp_path_.size() >= PATH_MAX) throw Error("the path is too long for a temporary file beside it", path_);
  install_handlers();
  SignalsBlocked blocked;
  fd_ = mkostemp(temp_path_.data(), O_CLOEXEC);
  if (fd_ < 0) throw Error("cannot create a temporary file in '" + dir + "': " + errno_text(errno), path_);
  for (int i = 0; i < kSlots; ++i) {
    if (!g_used[i]) {
      std::memcpy(g_temp[i], temp_path_.c_str(), temp_path_.size() + 1);
      g_used[i] = 1;
      slot_ = i;
      break;
    }
  }
}

AtomicFile::~AtomicFile() {
  SignalsBlocked blocked;
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_path_.c_str());
  if (slot_ >= 0) g_used[slot_] = 0;
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
  // Owner first: chown clears set-id bits, which fchmod then restores.
  if (keep_owner_ && fchown(fd_, uid_, gid_) != 0) {
    throw Error("cannot give the new file the old one's owner and group (uid " + std::to_string(uid_) + ", gid " +
                    std::to_string(gid_) + "): " + errno_text(errno) +
                    "; replacing it would change them, so it is left as it is",
                path_);
  }
  if (fchmod(fd_, mode_) != 0) throw Error("chmod failed: " + errno_text(errno), path_);
  if (fsync(fd_) != 0) throw Error("fsync failed: " + errno_text(errno), path_);
  int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) throw Error("close failed: " + errno_text(errno), path_);
  SignalsBlocked blocked;
  if (rename(temp_path_.c_str(), target_.c_str()) != 0) {
    throw Error("cannot rename the temporary file into place: " + errno_text(errno), path_);
  }
  committed_ = true;
  if (slot_ >= 0) g_used[slot_] = 0;
  slot_ = -1;
}

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
  AtomicFile out(path, mode);
  out.write(content);
  out.commit();
}

EditLock::EditLock(const std::string& path) {
  std::string dir = directory_of(resolve_output(path));
  fd_ = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw Error("cannot open its directory '" + dir + "' to lock it: " + errno_text(errno), path);
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    close(fd_);
    throw Error("cannot lock its directory '" + dir + "': " + errno_text(err), path);
  }
}

EditLock::~EditLock() {
  if (fd_ >= 0) close(fd_);
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
