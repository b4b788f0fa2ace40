// What `kdk boot` decides from a guest's serial output, line by line, with no process handling:
// the expectations met so far, the first sign of a kernel problem, and the exit status that
// kdk's /init reports for a kdk.run= command.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <regex.h>

namespace kdk {

// The longest line kdk boot looks at. printk lines are at most about 1 KiB; a longer line is cut
// here (the serial log keeps every byte), so no guest output can grow kdk's memory.
constexpr std::size_t kMaxLineBytes = 4096;

// Splits a byte stream into lines of at most kMaxLineBytes, without the '\n': a longer line is
// cut there and the rest of it, up to its newline, is dropped.
class LineSplitter {
 public:
  void feed(std::string_view bytes, const std::function<void(const std::string&)>& on_line);
  // The last line, if the stream did not end with a newline.
  void finish(const std::function<void(const std::string&)>& on_line);

 private:
  std::string partial_;
  bool dropping_ = false;  // inside a line that was already cut
};

// A POSIX extended regular expression (regcomp), searched in a line. Back-references are
// refused: glibc matches them by recursion that input can drive deep, and nothing else in ERE
// recurses on the input.
class LinePattern {
 public:
  explicit LinePattern(const std::string& source);  // throws Error naming --expect
  bool search(const std::string& line) const;

 private:
  struct Free {
    void operator()(regex_t* re) const;
  };
  std::unique_ptr<regex_t, Free> re_;
};

// "kdk-exit-status: N" as kdk's /init prints it (N 0 to 255, trailing blanks allowed), or
// nullopt for any other line, including out-of-range or malformed numbers.
std::optional<int> parse_guest_status(std::string_view line);

// The guest uptime in "kdk: booted in S s (RELEASE)" as kdk's /init prints it (S digits with
// at most one '.', at most 12 characters), or nullopt for any other line.
std::optional<double> parse_booted_uptime(std::string_view line);

class BootMonitor {
 public:
  // `expectations` must match lines in this order (POSIX extended regular expressions, searched).
  explicit BootMonitor(const std::vector<std::string>& expectations);

  void feed_line(const std::string& line);

  bool all_met() const { return next_ == patterns_.size(); }
  // The expectation still waited for, or "".
  std::string waiting_for() const { return all_met() ? std::string() : sources_[next_]; }
  // The first line that shows a kernel problem: panic, oops, BUG, WARNING, call trace.
  const std::optional<std::string>& problem() const { return problem_; }
  // The status printed by /init as "kdk-exit-status: N", if any.
  const std::optional<int>& guest_status() const { return guest_status_; }
  // The uptime in the first "kdk: booted in S s" line, if any.
  const std::optional<double>& booted_uptime() const { return booted_uptime_; }
  // The kernel's last words before it resets, halts or powers off ("reboot: Restarting system",
  // "reboot: System halted", "reboot: Power down"), if it said them: the guest has ended, whether
  // or not the machine model ends QEMU then.
  const std::optional<std::string>& guest_ended() const { return guest_ended_; }

 private:
  std::vector<std::string> sources_;
  std::vector<LinePattern> patterns_;
  std::size_t next_ = 0;
  std::optional<std::string> problem_;
  std::optional<int> guest_status_;
  std::optional<double> booted_uptime_;
  std::optional<std::string> guest_ended_;
};

// The markers of a kernel problem that fail every boot test: panic, oops, BUG, WARNING, call
// trace, and the lines that start an oops on arm/arm64 and x86 (NULL dereference, GP fault).
const std::vector<std::string>& kernel_problem_markers();
bool is_kernel_problem_line(const std::string& line);
// A serial log's kernel report: from its first problem line to the end, carriage returns
// removed; "" when the log shows no problem. This is what decode_stacktrace.sh is fed.
std::string kernel_problem_report(const std::string& log);

}  // namespace kdk
