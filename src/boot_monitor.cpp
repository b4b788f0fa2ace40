#include "boot_monitor.hpp"

#include <algorithm>
#include <cstdlib>

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

void LineSplitter::feed(std::string_view bytes, const std::function<void(const std::string&)>& on_line) {
  while (!bytes.empty()) {
    std::size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (!dropping_) {
      std::size_t room = kMaxLineBytes - partial_.size();
      partial_.append(piece.substr(0, room));
      if (piece.size() > room || (nl == std::string_view::npos && partial_.size() == kMaxLineBytes)) {
        on_line(partial_);  // cut: the rest of this line is dropped
        partial_.clear();
        dropping_ = true;
      }
    }
    if (nl == std::string_view::npos) return;
    if (!dropping_) on_line(partial_);
    partial_.clear();
    dropping_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

void LineSplitter::finish(const std::function<void(const std::string&)>& on_line) {
  if (!partial_.empty()) on_line(partial_);
  partial_.clear();
  dropping_ = false;
}

void LinePattern::Free::operator()(regex_t* re) const {
  regfree(re);
  delete re;
}

LinePattern::LinePattern(const std::string& source) {
  for (std::size_t i = 0; i + 1 < source.size(); ++i) {
    if (source[i] == '\\' && source[i + 1] >= '1' && source[i + 1] <= '9') {
      throw Error("'" + source + "' has a back-reference (\\" + source[i + 1] +
                      "), which kdk boot does not match: its matching can recurse without bound",
                  "--expect");
    }
    if (source[i] == '\\') ++i;  // an escaped backslash is not the start of one
  }
  auto re = std::make_unique<regex_t>();
  int rc = regcomp(re.get(), source.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char message[256];
    regerror(rc, re.get(), message, sizeof message);
    throw Error("bad regular expression '" + source + "': " + message + " (POSIX extended syntax)", "--expect");
  }
  re_.reset(re.release());
}

bool LinePattern::search(const std::string& line) const {
  return regexec(re_.get(), line.c_str(), 0, nullptr, 0) == 0;
}

std::optional<int> parse_guest_status(std::string_view line) {
  constexpr std::string_view prefix = "kdk-exit-status: ";
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  line.remove_prefix(prefix.size());
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty() || line.size() > 3 || line.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int value = 0;
  for (char c : line) value = value * 10 + (c - '0');
  if (value > 255) return std::nullopt;
  return value;
}

std::optional<double> parse_booted_uptime(std::string_view line) {
  constexpr std::string_view prefix = "kdk: booted in ";
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  line.remove_prefix(prefix.size());
  std::size_t end = line.find(' ');
  if (end == std::string_view::npos || line.substr(end, 2) != " s") return std::nullopt;
  std::string_view number = line.substr(0, end);
  if (number.empty() || number.size() > 12 || number.find_first_not_of("0123456789.") != std::string_view::npos ||
      std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.' || number.back() == '.') {
    return std::nullopt;
  }
  return std::strtod(std::string(number).c_str(), nullptr);
}

BootMonitor::BootMonitor(const std::vector<std::string>& expectations) : sources_(expectations) {
  for (const auto& e : expectations) patterns_.emplace_back(e);
}

void BootMonitor::feed_line(const std::string& raw) {
  std::string line = raw;
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  // A NUL (a guest's garbage) would end the line for regexec: matching sees the line without it.
  line.erase(std::remove(line.begin(), line.end(), '\0'), line.end());
  if (!problem_ && is_kernel_problem_line(line)) problem_ = line;
  if (auto status = parse_guest_status(line)) guest_status_ = status;
  if (!booted_uptime_) booted_uptime_ = parse_booted_uptime(line);
  if (!guest_ended_) {
    for (std::string_view end : {"reboot: Restarting system", "reboot: System halted", "reboot: Power down"}) {
      if (line.compare(0, end.size(), end) == 0) guest_ended_ = std::string(end);
    }
  }
  if (next_ < patterns_.size() && patterns_[next_].search(line)) ++next_;
}

}  // namespace kdk
