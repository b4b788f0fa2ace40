// kdk console SOCKET: a terminal on a guest's serial console that QEMU serves on a unix socket
// (ninja debug puts it there, so that the console stays usable while gdb holds the terminal).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli.hpp"
#include "error.hpp"

namespace kdk {
namespace {

constexpr unsigned char kEscape = 0x1d;  // Ctrl-]

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// Standard input as a raw terminal while the session lasts (every key, Ctrl-C included, goes to
// the guest), restored however the session ends.
class RawTerminal {
 public:
  RawTerminal() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  bool active() const { return active_; }

 private:
  termios saved_ {};
  bool active_ = false;
};

// Connects to the unix socket at PATH. sun_path holds at most 107 bytes, and a build tree's
// socket can lie deeper (CI checkouts do): a longer path is reached through its directory, opened
// with O_PATH, as /proc/self/fd/N/NAME.
int connect_unix(const std::string& path) {
  sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::string target = path;
  int dir = -1;
  if (path.size() >= sizeof addr.sun_path) {
    std::size_t slash = path.rfind('/');
    std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    dir = open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) throw Error("cannot open the socket's directory: " + errno_text(errno), parent);
    target = "/proc/self/fd/" + std::to_string(dir) + "/" + name;
    if (target.size() >= sizeof addr.sun_path) {
      close(dir);
      throw Error("the socket's name is " + std::to_string(name.size()) + " bytes long; give a shorter one", path);
    }
  }
  std::memcpy(addr.sun_path, target.c_str(), target.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    if (dir >= 0) close(dir);
    throw Error("socket: " + errno_text(err));
  }
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  if (dir >= 0) close(dir);
  if (rc != 0) {
    close(fd);
    throw Error("cannot connect to the socket: " + errno_text(err) +
                    (err == ENOENT || err == ECONNREFUSED ? " (is the guest running? ninja debug starts one)" : ""),
                path);
  }
  return fd;
}

// Writes all of data, or returns false (the peer is gone).
bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int cmd_console(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give the console's unix socket");
  int sock = connect_unix(args.positional[0]);
  if (args.flag("check")) {  // something serves the socket: that is all
    close(sock);
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  for (int sig : {SIGTERM, SIGHUP, SIGINT}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  RawTerminal terminal;
  if (terminal.active()) {
    std::fprintf(stderr, "kdk: connected to %s; Ctrl-] quits\r\n", args.positional[0].c_str());
  }
  bool input_open = true;
  char buffer[4096];
  int status = 0;
  while (!g_stop) {
    pollfd fds[2] = {{sock, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, input_open ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      throw Error("poll: " + errno_text(errno));
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(sock, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // QEMU closed the console: the guest is gone
      if (!write_all(STDOUT_FILENO, buffer, static_cast<std::size_t>(n))) break;
    }
    if (input_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        // End of a script's input: keep showing what the guest prints until QEMU ends.
        input_open = false;
        continue;
      }
      std::size_t size = static_cast<std::size_t>(n);
      bool quit = false;
      if (terminal.active()) {
        if (const void* at = std::memchr(buffer, kEscape, size)) {
          size = static_cast<std::size_t>(static_cast<const char*>(at) - buffer);
          quit = true;
        }
      }
      if (!write_all(sock, buffer, size)) {
        status = 1;
        std::fprintf(stderr, "kdk: the console closed\r\n");
        break;
      }
      if (quit) break;
    }
  }
  close(sock);
  if (terminal.active()) std::fprintf(stderr, "\r\nkdk: disconnected from the console\r\n");
  return status;
}

}  // namespace kdk
