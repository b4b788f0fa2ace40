// libFuzzer target: the inittab parser and editor. An accepted file must stay accepted after an
// edit, and the same edit applied twice must change nothing the second time.
#include <cstddef>
#include <cstdint>
#include <string>

#include "error.hpp"
#include "inittab.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    kdk::InitStyle style = kdk::check_inittab(text, "inittab");
    kdk::InittabEdit edit;
    edit.getty.push_back("ttyS0,115200");
    edit.remove.push_back("tty1");
    std::string once = kdk::edit_inittab(text, "inittab", edit);
    std::string twice = kdk::edit_inittab(once, "inittab", edit);
    if (once != twice) __builtin_trap();
    edit.style = style;
    kdk::check_inittab(once, "inittab", style);
  } catch (const kdk::Error&) {
  }
  return 0;
}
