#include "boot_monitor.hpp"

#include "error.hpp"

namespace kdk {

const std::vector<std::string>& kernel_problem_markers() {
  static const std::vector<std::string> markers = {"Kernel panic",
                                                   "Oops",
                                                   "BUG:",
                                                   "WARNING:",
                                                   "Call Trace",
                                                   "Unable to handle kernel",
                                                   "general protection fault"};
  return markers;
}

bool is_kernel_problem_line(const std::string& line) {
  for (const auto& marker : kernel_problem_markers()) {
    if (line.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string kernel_problem_report(const std::string& log) {
  std::string report;
  bool inside = false;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    std::string line = log.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? log.size() : end + 1;
    while (!line.empty() && line.back() == '\r') line.pop_back();
    if (!inside) inside = is_kernel_problem_line(line);
    if (inside) report += line + "\n";
  }
  return report;
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
  if (!problem_ && is_kernel_problem_line(line)) problem_ = line;
  static const std::regex status(R"(^kdk-exit-status: ([0-9]+)\s*$)");
  std::smatch m;
  if (std::regex_search(line, m, status)) guest_status_ = std::stoi(m[1]);
  if (next_ < patterns_.size() && std::regex_search(line, patterns_[next_])) ++next_;
}

}  // namespace kdk
