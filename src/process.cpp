#include "process.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.hpp"

namespace kdk {

namespace {

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("waitpid: " + errno_text(errno));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::vector<char*> c_argv(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// An unlinked temporary file in $TMPDIR (or /tmp), open for reading and writing.
int temp_fd() {
  const char* dir = std::getenv("TMPDIR");
  std::string where = dir && *dir ? dir : "/tmp";
  int fd = open(where.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::string path = where + "/kdk-XXXXXX";
    fd = mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) throw Error("cannot create a temporary file: " + errno_text(errno), where);
    unlink(path.c_str());
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  if (lseek(fd, 0, SEEK_SET) < 0) throw Error("lseek: " + errno_text(errno));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("read: " + errno_text(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot write a temporary file: " + errno_text(errno));
    done += static_cast<std::size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) < 0) throw Error("lseek: " + errno_text(errno));
}

struct Fd {
  int fd;
  ~Fd() { close(fd); }
};

}  // namespace

int run_command(const std::vector<std::string>& command) {
  auto argv = c_argv(command);
  pid_t pid = fork();
  if (pid < 0) throw Error("fork: " + errno_text(errno));
  if (pid == 0) {
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "kdk: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  return wait_for(pid);
}

Captured run_captured(const std::vector<std::string>& command, const std::string& input,
                      const std::vector<std::string>& env) {
  Fd in{temp_fd()}, out{temp_fd()}, err{temp_fd()};
  write_all(in.fd, input);
  auto argv = c_argv(command);
  pid_t pid = fork();
  if (pid < 0) throw Error("fork: " + errno_text(errno));
  if (pid == 0) {
    dup2(in.fd, 0);
    dup2(out.fd, 1);
    dup2(err.fd, 2);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  Captured c;
  c.status = wait_for(pid);
  c.output = read_all(out.fd);
  c.errors = read_all(err.fd);
  return c;
}

bool program_exists(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) return false;
    start = colon + 1;
  }
}

}  // namespace kdk
