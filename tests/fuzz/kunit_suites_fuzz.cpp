// libFuzzer target: the KUnit suite table reader (kdk ktap suites) on any file offered as a
// vmlinux. It must only ever return names or throw kdk::Error: no read outside the input, no
// endless walk over a table the input claims is huge.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "error.hpp"
#include "kunit_suites.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    for (const auto& name : kdk::kunit_suites_in_elf(std::string_view(reinterpret_cast<const char*>(data), size))) {
      if (name.empty() || name.size() >= 256) std::abort();
    }
  } catch (const kdk::Error&) {
  }
  return 0;
}
