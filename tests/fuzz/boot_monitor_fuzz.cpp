// libFuzzer target: kdk boot's view of guest output. The bytes are split into lines as they
// arrive in pieces of varying size (the serial stream's reads), and every line goes through the
// monitor with expectations that include the patterns the boot tests use. Checks the bounds the
// monitor promises: no line handed on is longer than kMaxLineBytes or holds a newline, and the
// guest status, when found, is 0 to 255.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "boot_monitor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> expectations = {"kdk: booted", "^Linux version [0-9]+\\.[0-9]+", "(a|b)*c{1,3}$",
                                                        "kdk-exit-status: [0-9]+"};
  kdk::BootMonitor monitor(expectations);
  kdk::LineSplitter splitter;
  auto on_line = [&](const std::string& line) {
    if (line.size() > kdk::kMaxLineBytes || line.find('\n') != std::string::npos) std::abort();
    monitor.feed_line(line);
    (void)kdk::is_kernel_problem_line(line);
  };
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte sets the piece size, so one input explores many read boundaries.
  std::size_t piece = size ? 1 + data[0] % 64 : 1;
  for (std::size_t at = 0; at < bytes.size(); at += piece) splitter.feed(bytes.substr(at, piece), on_line);
  splitter.finish(on_line);
  if (monitor.guest_status() && (*monitor.guest_status() < 0 || *monitor.guest_status() > 255)) std::abort();
  (void)kdk::kernel_problem_report(std::string(bytes));
  return 0;
}
