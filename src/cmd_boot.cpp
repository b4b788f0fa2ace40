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
#include <optional>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "boot_monitor.hpp"
#include "cli.hpp"
#include "error.hpp"

namespace kdk {
namespace {

// The guardian: a process between kdk boot and the command that ends the command's whole process
// tree when the command ends, when kdk boot asks, and when kdk boot dies for any reason, SIGKILL
// included (it watches a pipe whose only writer is kdk boot). It is a child subreaper, so what
// the command's processes leave behind (daemons, setsid children) is reparented to it and found.
// It sits in a process group of its own, so a signal to kdk boot's group (Ctrl-C, a test
// runner's kill) leaves it to do the cleanup. The command gets SIGKILL if the guardian dies.

// Every direct child of this process (a subreaper's children include adopted orphans).
std::vector<pid_t> children_of_self() {
  std::vector<pid_t> out;
  std::string self = std::to_string(getpid());
  DIR* proc = opendir("/proc");
  if (!proc) return out;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::FILE* f = std::fopen(("/proc/" + std::string(e->d_name) + "/stat").c_str(), "r");
    if (!f) continue;
    char buf[512];
    std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close = std::strrchr(buf, ')');  // the command name may hold anything but ')' last
    int ppid = 0;
    char state = 0;
    if (close && std::sscanf(close + 1, " %c %d", &state, &ppid) == 2 && std::to_string(ppid) == self) {
      out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    }
  }
  closedir(proc);
  return out;
}

// Signals the command's group and every child of the guardian (adopted ones too) until none is
// left but the command's leader, reaping them as they end; `grace_ms` gives them that long to end
// on SIGTERM before SIGKILL. The leader, already exited, is reaped last, so its pid and process
// group id cannot be reused while they are being signalled.
void end_tree(pid_t leader, int grace_ms) {
  auto signal_all = [&](int sig) {
    kill(-leader, sig);
    for (pid_t child : children_of_self()) kill(child, sig);
  };
  for (int waited = 0;; waited += 20) {
    // Every round: what was adopted since the last one (a setsid child whose parent just ended)
    // gets its signal at once, not only after the grace period.
    signal_all(waited >= grace_ms ? SIGKILL : SIGTERM);
    bool others = false;
    for (pid_t child : children_of_self()) {
      if (child != leader && waitpid(child, nullptr, WNOHANG) == 0) others = true;
    }
    siginfo_t info{};
    bool leader_ended =
        waitid(P_PID, static_cast<id_t>(leader), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == leader;
    if (leader_ended && !others) {
      waitpid(leader, nullptr, 0);
      return;
    }
    usleep(20000);
  }
}

// Runs in the guardian; never returns. Writes the command's exit (si_code, si_status) to
// `status_fd` when it ends by itself.
[[noreturn]] void guardian(const std::vector<std::string>& command, int out_fd, int alive_fd, int status_fd) {
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(sig, SIG_IGN);
  signal(SIGCHLD, SIG_DFL);  // an inherited SIG_IGN would reap the command before waitid sees it
  pid_t self = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "kdk boot: fork: %s\n", std::strerror(errno));
    _exit(1);
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // if the guardian dies, the command dies with it
    if (getppid() != self) _exit(1);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(sig, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(out_fd, 2);
    std::vector<char*> argv;
    for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "kdk boot: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  close(out_fd);
  for (;;) {
    siginfo_t info{};
    // WNOWAIT: the command stays a zombie, holding its pid and group id, until end_tree.
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
      int report[2] = {info.si_code, info.si_status};
      if (write(status_fd, report, sizeof report) != static_cast<ssize_t>(sizeof report)) {
      }
      end_tree(pid, 0);  // nothing of the command's outlives it
      _exit(0);
    }
    pollfd p{alive_fd, POLLIN, 0};
    if (poll(&p, 1, 20) > 0) {  // kdk boot closed its end, or died
      end_tree(pid, 2000);
      _exit(0);
    }
  }
}

// What --metrics records beside the times: the byte size of each --size NAME=PATH, taken before
// the run (a missing file is an error before anything runs).
struct SizedFile {
  std::string name;
  std::string path;
  long long bytes = 0;
};

std::vector<SizedFile> sized_files(const std::vector<std::string>& specs) {
  std::vector<SizedFile> out;
  for (const auto& spec : specs) {
    std::size_t eq = spec.find('=');
    std::string name = spec.substr(0, std::min(eq, spec.size()));
    if (eq == std::string::npos || name.empty() || eq + 1 == spec.size() ||
        name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
      throw UsageError("--size '" + spec + "': give NAME=PATH, NAME of lower-case letters, digits and '_'");
    }
    for (const auto& seen : out) {
      if (seen.name == name) {
        throw UsageError("--size " + name + " is given twice (" + seen.path + ", then " + spec.substr(eq + 1) +
                         "): give each NAME once");
      }
    }
    SizedFile f{name, spec.substr(eq + 1), 0};
    struct stat st {};
    if (stat(f.path.c_str(), &st) != 0) throw Error("--size " + name + ": " + errno_text(errno), f.path);
    if (!S_ISREG(st.st_mode)) throw Error("--size " + name + ": not a regular file", f.path);
    f.bytes = st.st_size;
    out.push_back(f);
  }
  return out;
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// The metrics of one run as flat JSON, and the same figures as CTest measurements (which CTest
// takes out of the test's output into its Test.xml) and as one plain line (which stays in the
// output, so JUnit's system-out keeps it).
void write_metrics(const std::string& path, bool ctest, bool passed, const std::optional<double>& uptime,
                   const std::optional<double>& booted_after, double wall, const std::vector<SizedFile>& sizes) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("guest_uptime_s", uptime ? format_number(*uptime) : "null");
  fields.emplace_back("host_booted_s", booted_after ? format_number(*booted_after) : "null");
  fields.emplace_back("wall_s", format_number(wall));
  for (const auto& f : sizes) fields.emplace_back(f.name + "_bytes", std::to_string(f.bytes));
  std::string json = "{\n  \"format\": \"kdk-boot-metrics 1\",\n  \"passed\": " + std::string(passed ? "true" : "false");
  std::string line = "kdk boot: metrics";
  for (const auto& [name, value] : fields) {
    json += ",\n  \"" + name + "\": " + value;
    line += " " + name + "=" + value;
    if (ctest && value != "null") {
      std::printf("<CTestMeasurement type=\"numeric/double\" name=\"%s\">%s</CTestMeasurement>\n", name.c_str(),
                  value.c_str());
    }
  }
  json += "\n}\n";
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  AtomicFile out(path, 0644);
  out.write(json);
  out.commit();
}

// A TCP socket bound to 127.0.0.1:port, or -1. SO_REUSEADDR, as QEMU sets it on its listeners
// (gdb stub, serial, forwards): a port whose last connection lingers in TIME_WAIT is free for
// them, and only a port something listens on or is bound to is taken.
int bind_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error("socket: " + errno_text(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
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
  if (auto t = args.value("timeout")) timeout = parse_seconds_option("timeout", *t, 86400);
  BootMonitor monitor(args.values("expect"));
  bool quiet = args.flag("quiet");
  bool keep_going = args.flag("keep-going");
  std::FILE* log = nullptr;
  std::string log_path = args.value("log").value_or("");
  std::string metrics_path = args.value("metrics").value_or("");
  if (metrics_path.empty() && (args.flag("ctest-measurements") || !args.values("size").empty())) {
    throw UsageError("--size and --ctest-measurements go with --metrics FILE");
  }
  std::vector<SizedFile> sizes = sized_files(args.values("size"));
  if (!metrics_path.empty()) resolve_output(metrics_path);  // refuse a device or a directory before the run
  if (!log_path.empty()) {
    log = std::fopen(log_path.c_str(), "w");
    if (!log) throw Error("cannot write the serial log: " + errno_text(errno), log_path);
  }

  // out: the command's console, to kdk boot. alive: written by no one; the guardian sees it close
  // when kdk boot closes it or dies. status: the command's exit, from the guardian.
  int out[2], alive[2], status_pipe[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(alive, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
    throw Error("pipe: " + errno_text(errno));
  }
  std::fflush(nullptr);
  signal(SIGCHLD, SIG_DFL);
  pid_t guardian_pid = fork();
  if (guardian_pid < 0) throw Error("fork: " + errno_text(errno));
  if (guardian_pid == 0) {
    close(out[0]);
    close(alive[1]);
    close(status_pipe[0]);
    guardian(args.positional, out[1], alive[0], status_pipe[1]);
  }
  close(out[1]);
  close(alive[0]);
  close(status_pipe[1]);
  int pipefd0 = out[0];

  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout));
  LineSplitter lines;
  std::deque<std::string> tail;
  std::optional<double> booted_after;  // host seconds from the start to the "kdk: booted" line
  bool eof = false, timed_out = false, ended_by_guest = false;
  // After the kernel's last words, QEMU normally exits at once (-no-reboot); a machine model
  // without a working reset (QEMU 7.2's cubieboard) keeps running, and is given this long.
  constexpr auto kEndGrace = std::chrono::seconds(3);
  char buf[4096];
  bool guest_end_seen = false;
  // A panic ends even a --keep-going run: nothing comes after it, and a machine model without a
  // working reset (the cubieboard's) would otherwise keep the run until its timeout.
  bool panicked = false;
  // The run was ended early by a kernel problem (not with --keep-going, unless it was a panic).
  auto cut_short = [&] { return monitor.problem() && (!keep_going || panicked); };
  auto take_line = [&](const std::string& line) {
    bool had_problem = monitor.problem().has_value();
    monitor.feed_line(line);
    if (!booted_after && monitor.booted_uptime()) booted_after = std::chrono::duration<double>(clock::now() - start).count();
    tail.push_back(line);
    if (tail.size() > 25) tail.pop_front();
    // A problem ends the run early; a moment more collects the rest of the report.
    if (!had_problem && monitor.problem() && !keep_going) deadline = std::min(deadline, clock::now() + std::chrono::seconds(2));
    if (keep_going && !panicked && line.find("Kernel panic - not syncing") != std::string::npos) {
      panicked = true;
      deadline = std::min(deadline, clock::now() + std::chrono::seconds(2));
    }
    if (!guest_end_seen && monitor.guest_ended()) {
      guest_end_seen = true;
      deadline = std::min(deadline, clock::now() + kEndGrace);
    }
  };
  while (!eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    if (left <= 0) {
      ended_by_guest = guest_end_seen && !cut_short();
      timed_out = !cut_short() && !ended_by_guest;
      break;
    }
    pollfd p{pipefd0, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = read(pipefd0, buf, sizeof buf);
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
    lines.feed(std::string_view(buf, static_cast<std::size_t>(n)), take_line);
  }
  lines.finish(take_line);
  close(pipefd0);
  // The command's own end, if it came before the deadline: the guardian reports it.
  int ended[2] = {0, 0};  // si_code, si_status
  bool exited = false;
  if (eof) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    pollfd p{status_pipe[0], POLLIN, 0};
    exited = poll(&p, 1, static_cast<int>(std::max<long long>(left, 0))) > 0 &&
             read(status_pipe[0], ended, sizeof ended) == static_cast<ssize_t>(sizeof ended);
    if (!exited) timed_out = !cut_short();
  }
  close(alive[1]);  // the guardian ends whatever is left (SIGTERM, then SIGKILL after 2 s)
  waitpid(guardian_pid, nullptr, 0);
  close(status_pipe[0]);
  if (log) std::fclose(log);
  if (ended_by_guest) {
    std::fprintf(stderr, "kdk boot: the kernel said '%s', but %s did not exit within %lld s (its machine model has no working reset or power-off); ended it\n",
                 monitor.guest_ended()->c_str(), args.positional[0].c_str(), static_cast<long long>(kEndGrace.count()));
  }
  double seconds = std::chrono::duration<double>(clock::now() - start).count();

  std::string failure;
  if (monitor.problem()) {
    failure = "the guest reported a kernel problem: " + *monitor.problem();
    if (timed_out) failure += "; then timed out after " + std::to_string(static_cast<int>(timeout)) + " s";
  } else if (timed_out) {
    failure = "timed out after " + std::to_string(static_cast<int>(timeout)) + " s " +
              (monitor.all_met() ? std::string("waiting for QEMU to exit") : "waiting for a line matching '" + monitor.waiting_for() + "'");
  } else if (!monitor.all_met()) {
    failure = "the command ended before a line matched '" + monitor.waiting_for() + "'";
  } else if (monitor.guest_status() && *monitor.guest_status() != 0) {
    failure = "the command run in the guest exited with status " + std::to_string(*monitor.guest_status());
  } else if (exited && (ended[0] != CLD_EXITED || ended[1] != 0)) {
    failure = ended[0] == CLD_EXITED ? args.positional[0] + " exited with status " + std::to_string(ended[1])
                                     : args.positional[0] + " was killed by signal " + std::to_string(ended[1]);
  }
  if (!metrics_path.empty()) {
    write_metrics(metrics_path, args.flag("ctest-measurements"), failure.empty(), monitor.booted_uptime(), booted_after,
                  seconds, sizes);
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
    int port = static_cast<int>(parse_integer_option("check", *check, 1, 65535));
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
