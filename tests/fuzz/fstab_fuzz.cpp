// libFuzzer target: the fstab parser and editor, with the same invariants as the inittab target.
#include <cstddef>
#include <cstdint>
#include <string>

#include "error.hpp"
#include "fstab.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    kdk::check_fstab(text, "fstab");
    kdk::FstabEdit edit;
    edit.set.push_back("tmpfs /tmp tmpfs mode=1777 0 0");
    edit.remove.push_back("/mnt/my\\040disk");
    std::string once = kdk::edit_fstab(text, "fstab", edit);
    if (kdk::edit_fstab(once, "fstab", edit) != once) __builtin_trap();
    kdk::check_fstab(once, "fstab");
  } catch (const kdk::Error&) {
  }
  return 0;
}
