// libFuzzer target: the gen_init_cpio list parser, and the writer on whatever it accepts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "error.hpp"
#include "initlist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "X") return std::string("/x");
    return std::nullopt;
  };
  try {
    for (const auto& e : kdk::parse_init_list(text, "fuzz.list", env)) {
      try {
        // What the writer emits must parse back to the same entry.
        std::string line = kdk::format_list_line(e);
        auto again = kdk::parse_init_list(line, "again", env);
        if (again.size() != 1 || again[0].name != e.name || again[0].mode != e.mode) __builtin_trap();
      } catch (const kdk::Error&) {
        // Names with white space cannot be written; that is reported, not a crash.
      }
    }
  } catch (const kdk::Error& e) {
    if (e.render().empty()) __builtin_trap();
  }
  return 0;
}
