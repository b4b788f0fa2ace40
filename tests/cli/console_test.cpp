// kdk console and kdk port --check, black box. kdk console against a unix socket served by the
// test the way QEMU serves a guest console (chardev socket, server=on): what a script types
// reaches the socket, what the socket sends reaches standard output, and the session ends when
// the server closes, not when the script's input does.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include "cli_fixture.hpp"

namespace {

using namespace kdk_test;


// Listens on PATH; its thread accepts one client, sends a prompt, reads up to a newline into
// RECEIVED, answers with what it read and closes. The destructor joins the thread. A PATH too long
// for sun_path is bound in its directory (NAME is short), as QEMU binds in a shallower one.
class FakeConsole {
 public:
  FakeConsole(const std::string& path, std::string& received) : received_(received) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string target = path;
    int dir = -1;
    if (path.size() >= sizeof addr.sun_path) {
      dir = open(path.substr(0, path.rfind('/')).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      EXPECT_GE(dir, 0) << std::strerror(errno);
      target = "/proc/self/fd/" + std::to_string(dir) + path.substr(path.rfind('/'));
    }
    std::strncpy(addr.sun_path, target.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
    if (dir >= 0) close(dir);
    EXPECT_EQ(listen(fd_, 1), 0);
    thread_ = std::thread([this] {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string banner = "~ # ";
      (void)!send(c, banner.data(), banner.size(), MSG_NOSIGNAL);  // a client may leave at once (--check)
      char ch;
      while (read(c, &ch, 1) == 1 && ch != '\n') received_ += ch;
      std::string reply = "\r\nguest ran: " + received_ + "\r\n";
      (void)!send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      close(c);
    });
  }
  ~FakeConsole() {
    shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }

 private:
  std::string& received_;
  int fd_ = -1;
  std::thread thread_;
};

class Console : public Cli {
 protected:
  // A scripted session: `printf 'LINE\n' | kdk console SOCK` against a FakeConsole on SOCK, whose
  // received line goes into `received`.
  Result session(const std::string& sock, const std::string& line, std::string& received) {
    FakeConsole server(sock, received);
    return run("bash", {"-c", "printf '%s\\n' \"$2\" | \"$0\" console \"$1\"", KDK_BINARY, sock, line});
  }
};

TEST_F(Console, CopiesBothWaysUntilTheConsoleCloses) {
  std::string sock = path("console.sock");
  std::string received;
  // The script's input ends at once; the session goes on until the server has answered.
  Result r = session(sock, "uname -r", received);
  EXPECT_EQ(received, "uname -r");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "~ # \r\nguest ran: uname -r\r\n");
  EXPECT_EQ(r.err, "");  // not a terminal: no banner
}

// A build tree deeper than sun_path's 107 bytes (a CI checkout's is): the socket is still reached.
TEST_F(Console, ReachesASocketWhosePathIsLongerThanSunPath) {
  std::string dir = path(std::string(60, 'd'));
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  dir += "/" + std::string(60, 'e');
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  std::string sock = dir + "/console.sock";
  ASSERT_GT(sock.size(), sizeof(sockaddr_un{}.sun_path));
  std::string received;
  Result r = session(sock, "id", received);
  EXPECT_EQ(received, "id");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "~ # \r\nguest ran: id\r\n");
  // Only the socket's own name must fit.
  std::string name(120, 'n');
  r = kdk({"console", dir + "/" + name});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(dir + "/" + name + ": the socket's name is 120 bytes long; give a shorter one"), std::string::npos) << r.err;
  r = kdk({"console", dir + "/absent/" + std::string(10, 'x')});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(dir + "/absent: cannot open the socket's directory: No such file or directory"), std::string::npos) << r.err;
}

// --check: what qemu.sh asks before it reuses a monitor socket, and before ninja monitor attaches.
TEST_F(Console, CheckSaysWhetherSomethingServesTheSocket) {
  std::string received;
  {
    FakeConsole server(path("served.sock"), received);
    Result r = kdk({"console", "--check", path("served.sock")});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(received, "");  // connected and left without a word
  Result r = kdk({"console", "--check", path("served.sock")});  // the path stays, nothing serves it
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  r = kdk({"console", "--check", path("absent.sock")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
}

TEST_F(Console, NoConsoleIsNamed) {
  Result r = kdk({"console", path("absent.sock")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(path("absent.sock") + ": cannot connect to the socket: No such file or directory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ninja debug starts one"), std::string::npos) << r.err;
  spit(path("plain"), "x");
  r = kdk({"console", path("plain")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  r = kdk({"console"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("give the console's unix socket"), std::string::npos) << r.err;
}

}  // namespace

namespace {

using namespace kdk_test;
using Port = Cli;

// kdk port --check answers for QEMU's listeners, which set SO_REUSEADDR: a port with a listener
// is taken; one whose last connection (to such a listener) lingers in TIME_WAIT is free.
TEST_F(Port, CheckCallsAListenerTakenAndTimeWaitFree) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(l, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(l, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));

  Result r = kdk({"port", "--check", port});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("port " + port + " on 127.0.0.1 is in use"), std::string::npos) << r.err;

  // The server side closes first: its end of the connection stays in TIME_WAIT on the port.
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  int s = accept(l, nullptr, nullptr);
  ASSERT_GE(s, 0);
  close(s);
  char b;
  EXPECT_EQ(read(c, &b, 1), 0);
  close(c);
  close(l);
  r = kdk({"port", "--check", port});
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
