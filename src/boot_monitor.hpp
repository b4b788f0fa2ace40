// What `kdk boot` decides from a guest's serial output, line by line, with no process handling:
// the expectations met so far, the first sign of a kernel problem, and the exit status that
// kdk's /init reports for a kdk.run= command.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace kdk {

class BootMonitor {
 public:
  // `expectations` must match lines in this order (ECMAScript regular expressions, searched).
  explicit BootMonitor(const std::vector<std::string>& expectations);

  void feed_line(const std::string& line);

  bool all_met() const { return next_ == patterns_.size(); }
  // The expectation still waited for, or "".
  std::string waiting_for() const { return all_met() ? std::string() : sources_[next_]; }
  // The first line that shows a kernel problem: panic, oops, BUG, WARNING, call trace.
  const std::optional<std::string>& problem() const { return problem_; }
  // The status printed by /init as "kdk-exit-status: N", if any.
  const std::optional<int>& guest_status() const { return guest_status_; }

 private:
  std::vector<std::string> sources_;
  std::vector<std::regex> patterns_;
  std::size_t next_ = 0;
  std::optional<std::string> problem_;
  std::optional<int> guest_status_;
};

// The markers of a kernel problem that fail every boot test: panic, oops, BUG, WARNING, call
// trace, and the lines that start an oops on arm/arm64 and x86 (NULL dereference, GP fault).
const std::vector<std::string>& kernel_problem_markers();
bool is_kernel_problem_line(const std::string& line);
// A serial log's kernel report: from its first problem line to the end, carriage returns
// removed; "" when the log shows no problem. This is what decode_stacktrace.sh is fed.
std::string kernel_problem_report(const std::string& log);

}  // namespace kdk
