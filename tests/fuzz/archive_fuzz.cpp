// libFuzzer target: the archive reader on arbitrary bytes: concatenated segments, every
// compression filter, and the -tv formatter on whatever entries come out.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "archive_io.hpp"
#include "error.hpp"
#include "listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    kdk::read_archive({"", bytes}, [](const kdk::EntryInfo& e) { (void)kdk::long_listing(e, 0); });
  } catch (const kdk::Error&) {
  }
  return 0;
}
