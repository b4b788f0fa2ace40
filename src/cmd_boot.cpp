// kdk boot: run QEMU (or any command) as a test: serial log kept, expectations matched under a
// timeout, early end on a kernel problem, and QEMU's whole process group killed whatever happens.
// kdk report: the kernel's problem report in a serial log, the part decode_stacktrace.sh reads.
// kdk port: a free TCP port on 127.0.0.1, or whether a given one is free.
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "boot_monitor.hpp"
#include "cli.hpp"
#include "error.hpp"

namespace kdk {
namespace {

volatile sig_atomic_t g_child_group = 0;

void kill_group_and_exit(int sig) {
  if (g_child_group > 0) kill(-g_child_group, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

void stop_group(pid_t pid) {
  kill(-pid, SIGTERM);
  for (int i = 0; i < 40; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      kill(-pid, SIGKILL);  // anything QEMU left behind in its group
      return;
    }
    usleep(50000);
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

int bind_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error("socket: " + errno_text(errno));
  sockaddr_in addr {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int cmd_boot(const Args& args) {
  if (args.positional.empty()) throw UsageError("give the command to run after '--', e.g. -- qemu-system-x86_64 ...");
  double timeout = 120;
  if (auto t = args.value("timeout")) {
    try {
      timeout = std::stod(*t);
    } catch (...) {
      throw UsageError("--timeout '" + *t + "' is not a number of seconds");
    }
  }
  BootMonitor monitor(args.values("expect"));
  bool quiet = args.flag("quiet");
  std::FILE* log = nullptr;
  std::string log_path = args.value("log").value_or("");
  if (!log_path.empty()) {
    log = std::fopen(log_path.c_str(), "w");
    if (!log) throw Error("cannot write the serial log: " + errno_text(errno), log_path);
  }

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw Error("pipe: " + errno_text(errno));
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw Error("fork: " + errno_text(errno));
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // if kdk dies, QEMU dies with it
    if (getppid() != parent) _exit(1);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    std::vector<char*> argv;
    for (const auto& a : args.positional) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "kdk boot: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  g_child_group = pid;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) signal(sig, kill_group_and_exit);
  close(pipefd[1]);

  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout));
  std::string partial;
  std::deque<std::string> tail;
  bool eof = false, timed_out = false;
  char buf[4096];
  auto take_line = [&](const std::string& line) {
    bool had_problem = monitor.problem().has_value();
    monitor.feed_line(line);
    tail.push_back(line);
    if (tail.size() > 25) tail.pop_front();
    // A problem ends the run early; a moment more collects the rest of the report.
    if (!had_problem && monitor.problem()) deadline = std::min(deadline, clock::now() + std::chrono::seconds(2));
  };
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
      timed_out = !monitor.problem();
      break;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = read(pipefd[0], buf, sizeof buf);
    if (n <= 0) {
      eof = true;
      break;
    }
    if (log) {
      std::fwrite(buf, 1, static_cast<std::size_t>(n), log);
      std::fflush(log);
    }
    if (!quiet) {
      std::fwrite(buf, 1, static_cast<std::size_t>(n), stdout);
      std::fflush(stdout);
    }
    partial.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      take_line(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
  }
  if (!partial.empty()) take_line(partial);
  close(pipefd[0]);
  int status = 0;
  bool exited = eof && waitpid(pid, &status, 0) == pid;
  if (!exited) stop_group(pid);
  else kill(-pid, SIGKILL);  // nothing of QEMU's group outlives the run
  g_child_group = 0;
  if (log) std::fclose(log);
  double seconds = std::chrono::duration<double>(clock::now() - start).count();

  std::string failure;
  if (monitor.problem()) {
    failure = "the guest reported a kernel problem: " + *monitor.problem();
  } else if (timed_out) {
    failure = "timed out after " + std::to_string(static_cast<int>(timeout)) + " s " +
              (monitor.all_met() ? std::string("waiting for QEMU to exit") : "waiting for a line matching '" + monitor.waiting_for() + "'");
  } else if (!monitor.all_met()) {
    failure = "the command ended before a line matched '" + monitor.waiting_for() + "'";
  } else if (monitor.guest_status() && *monitor.guest_status() != 0) {
    failure = "the command run in the guest exited with status " + std::to_string(*monitor.guest_status());
  } else if (exited && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    failure = WIFEXITED(status) ? args.positional[0] + " exited with status " + std::to_string(WEXITSTATUS(status))
                                : args.positional[0] + " was killed by signal " + std::to_string(WTERMSIG(status));
  }
  if (failure.empty()) {
    if (!quiet) std::fprintf(stderr, "kdk boot: passed in %.1f s\n", seconds);
    return 0;
  }
  std::string report = "kdk boot: " + failure + "\n";
  if (!log_path.empty()) report += "  serial log: " + log_path + "\n";
  if (quiet) {
    report += "  last lines:\n";
    for (const auto& l : tail) report += "    " + l + "\n";
  }
  std::fputs(report.c_str(), stderr);
  return 1;
}

int cmd_report(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give one serial log");
  std::fputs(kernel_problem_report(read_file(args.positional[0])).c_str(), stdout);
  return 0;
}

int cmd_port(const Args& args) {
  if (auto check = args.value("check")) {
    int port = 0;
    try {
      port = std::stoi(*check);
    } catch (...) {
      throw UsageError("--check '" + *check + "' is not a port number");
    }
    if (port <= 0 || port > 65535) throw UsageError("--check " + *check + ": a port is 1 to 65535");
    int fd = bind_loopback(port);
    if (fd < 0) {
      throw Error("port " + std::to_string(port) + " on 127.0.0.1 is in use (" + errno_text(errno) +
                  "); choose another, or leave the port empty and kdk picks a free one");
    }
    close(fd);
    return 0;
  }
  int fd = bind_loopback(0);
  if (fd < 0) throw Error("cannot bind 127.0.0.1: " + errno_text(errno));
  sockaddr_in addr {};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  std::printf("%d\n", ntohs(addr.sin_port));
  return 0;
}

}  // namespace kdk
