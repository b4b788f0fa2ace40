#include "boot_monitor.hpp"

#include "error.hpp"

namespace kdk {

const std::vector<std::string>& kernel_problem_markers() {
  static const std::vector<std::string> markers = {"Kernel panic", "Oops", "BUG:", "WARNING:", "Call Trace"};
  return markers;
}

BootMonitor::BootMonitor(const std::vector<std::string>& expectations) : sources_(expectations) {
  for (const auto& e : expectations) {
    try {
      patterns_.emplace_back(e, std::regex::ECMAScript);
    } catch (const std::regex_error& err) {
      throw Error("bad regular expression '" + e + "': " + err.what(), "--expect");
    }
  }
}

void BootMonitor::feed_line(const std::string& raw) {
  std::string line = raw;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (!problem_) {
    for (const auto& marker : kernel_problem_markers()) {
      if (line.find(marker) != std::string::npos) {
        problem_ = line;
        break;
      }
    }
  }
  static const std::regex status(R"(^kdk-exit-status: ([0-9]+)\s*$)");
  std::smatch m;
  if (std::regex_search(line, m, status)) guest_status_ = std::stoi(m[1]);
  if (next_ < patterns_.size() && std::regex_search(line, patterns_[next_])) ++next_;
}

}  // namespace kdk
