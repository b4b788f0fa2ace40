// The kernel's initramfs decompressors, as kdk reads them: one compressed stream, fed in pieces,
// that says exactly where it ends, so that whatever follows it (zero padding, another archive,
// another compressed stream) is read next, as init/initramfs.c does. Detection uses the kernel's
// own two-byte magics (lib/decompress.c). Each format goes through its reference library (zlib,
// libbz2, liblzma, libzstd, liblz4), with a memory limit on the decoder's window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace kdk {

// The most memory a decoder may need for its window or dictionary: xz -9 and zstd -19 need
// 64 MiB and 8 MiB. A stream that asks for more is refused, with the amount it needs.
constexpr std::uint64_t kDecoderMemoryLimit = 128ull << 20;

class Decoder {
 public:
  virtual ~Decoder() = default;
  // "gzip", "bzip2", "lzma", "xz", "lz4", "zstd".
  virtual const char* name() const = 0;
  // Decodes from `in`, appending at most about 256 KiB to `out`, and sets `used` to the input
  // bytes consumed. `input_ends`: `in` holds the last bytes there are. Returns true once the
  // stream has ended (then `used` stops exactly at its end). Throws Error (no location) with
  // the library's diagnosis on damaged data.
  virtual bool step(std::string_view in, bool input_ends, std::size_t& used, std::string& out) = 0;
};

// The decoder for the format whose magic starts `head` (at least 2 bytes when available), or
// null when no kernel format starts there. `unsupported` is set to the name of a format the
// kernel knows but kdk does not read (lzo).
std::unique_ptr<Decoder> detect_decoder(std::string_view head, std::string& unsupported);

}  // namespace kdk
