#include "decompress.hpp"

#include <bzlib.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "error.hpp"

namespace kdk {
namespace {

constexpr std::size_t kOutPiece = 256 * 1024;

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

// Appends room for kOutPiece bytes to `out`; returns where it starts.
char* grow(std::string& out, std::size_t& before) {
  before = out.size();
  out.resize(before + kOutPiece);
  return out.data() + before;
}

class Gzip : public Decoder {
 public:
  Gzip() {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw Error("zlib: out of memory");  // 16: gzip only
  }
  ~Gzip() override { inflateEnd(&z_); }
  const char* name() const override { return "gzip"; }
  bool step(std::string_view in, bool, std::size_t& used, std::string& out) override {
    std::size_t before;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT_MAX));
    z_.next_out = reinterpret_cast<Bytef*>(grow(out, before));
    z_.avail_out = kOutPiece;
    int r = inflate(&z_, Z_NO_FLUSH);
    used = static_cast<std::size_t>(z_.next_in - reinterpret_cast<const Bytef*>(in.data()));
    out.resize(before + kOutPiece - z_.avail_out);
    if (r == Z_STREAM_END) return true;
    if (r == Z_OK || r == Z_BUF_ERROR) return false;
    throw Error(z_.msg ? z_.msg : "damaged data");
  }

 private:
  z_stream z_{};
};

class Bzip2 : public Decoder {
 public:
  Bzip2() {
    if (BZ2_bzDecompressInit(&b_, 0, 0) != BZ_OK) throw Error("libbz2: out of memory");
  }
  ~Bzip2() override { BZ2_bzDecompressEnd(&b_); }
  const char* name() const override { return "bzip2"; }
  bool step(std::string_view in, bool, std::size_t& used, std::string& out) override {
    std::size_t before;
    b_.next_in = const_cast<char*>(in.data());
    b_.avail_in = static_cast<unsigned>(std::min<std::size_t>(in.size(), UINT_MAX));
    b_.next_out = grow(out, before);
    b_.avail_out = kOutPiece;
    int r = BZ2_bzDecompress(&b_);
    used = static_cast<std::size_t>(b_.next_in - in.data());
    out.resize(before + kOutPiece - b_.avail_out);
    if (r == BZ_STREAM_END) return true;
    if (r == BZ_OK) return false;
    throw Error(r == BZ_DATA_ERROR_MAGIC ? "not bzip2 data" : r == BZ_MEM_ERROR ? "out of memory" : "damaged data");
  }

 private:
  bz_stream b_{};
};

// xz (one stream, as the kernel's unxz reads) and the legacy .lzma format.
class Lzma : public Decoder {
 public:
  explicit Lzma(bool xz) : xz_(xz) {
    lzma_ret r = xz ? lzma_stream_decoder(&s_, kDecoderMemoryLimit, 0) : lzma_alone_decoder(&s_, kDecoderMemoryLimit);
    if (r != LZMA_OK) throw Error("liblzma: out of memory");
  }
  ~Lzma() override { lzma_end(&s_); }
  const char* name() const override { return xz_ ? "xz" : "lzma"; }
  bool step(std::string_view in, bool input_ends, std::size_t& used, std::string& out) override {
    std::size_t before;
    s_.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    s_.avail_in = in.size();
    s_.next_out = reinterpret_cast<std::uint8_t*>(grow(out, before));
    s_.avail_out = kOutPiece;
    lzma_ret r = lzma_code(&s_, input_ends ? LZMA_FINISH : LZMA_RUN);
    used = static_cast<std::size_t>(s_.next_in - reinterpret_cast<const std::uint8_t*>(in.data()));
    out.resize(before + kOutPiece - s_.avail_out);
    switch (r) {
      case LZMA_STREAM_END: return true;
      case LZMA_OK:
      case LZMA_BUF_ERROR: return false;
      case LZMA_MEMLIMIT_ERROR:
        throw Error("its dictionary needs " + mib(lzma_memusage(&s_)) + " to decompress; kdk's limit is " +
                    mib(kDecoderMemoryLimit));
      case LZMA_MEM_ERROR: throw Error("out of memory");
      case LZMA_FORMAT_ERROR: throw Error(std::string("not ") + name() + " data");
      case LZMA_OPTIONS_ERROR: throw Error("unsupported options");
      default: throw Error("damaged data");
    }
  }

 private:
  bool xz_;
  lzma_stream s_ = LZMA_STREAM_INIT;
};

class Zstd : public Decoder {
 public:
  Zstd() : d_(ZSTD_createDCtx()) {
    if (!d_) throw Error("libzstd: out of memory");
    ZSTD_DCtx_setParameter(d_, ZSTD_d_windowLogMax, 27);  // 128 MiB: kDecoderMemoryLimit
  }
  ~Zstd() override { ZSTD_freeDCtx(d_); }
  const char* name() const override { return "zstd"; }
  bool step(std::string_view in, bool, std::size_t& used, std::string& out) override {
    std::size_t before;
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{grow(out, before), kOutPiece, 0};
    std::size_t r = ZSTD_decompressStream(d_, &ob, &ib);
    used = ib.pos;
    out.resize(before + ob.pos);
    if (ZSTD_isError(r)) {
      if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge) {
        throw Error("its window is larger than kdk's limit of " + mib(kDecoderMemoryLimit));
      }
      throw Error(ZSTD_getErrorName(r));
    }
    return r == 0;  // one frame, as the kernel's unzstd reads
  }

 private:
  ZSTD_DCtx* d_;
};

// lz4's legacy frame, as the kernel's unlz4 reads a buffer: a magic, then chunks of a 32-bit
// little-endian size and that many compressed bytes, each at most 8 MiB decompressed. A repeated
// magic is skipped. The stream ends at the end of the input, where fewer than 4 bytes are left,
// or at a zero size word (padding), which stays unread.
class Lz4Legacy : public Decoder {
 public:
  const char* name() const override { return "lz4"; }
  bool step(std::string_view in, bool input_ends, std::size_t& used, std::string& out) override {
    constexpr std::uint32_t kMagic = 0x184C2102;
    constexpr std::size_t kChunk = 8 << 20;
    used = 0;
    auto word = [&](std::size_t at) {
      std::uint32_t v = 0;
      for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
      return v;
    };
    if (!started_) {
      if (in.size() < 4) {
        if (input_ends) throw Error("truncated");
        return false;
      }
      if (word(0) != kMagic) throw Error("not the legacy lz4 format (the kernel reads only that one; write it with lz4 -l)");
      used = 4;
      started_ = true;
    }
    for (;;) {
      std::size_t rest = in.size() - used;
      if (rest < 4) return input_ends;
      std::uint32_t size = word(used);
      if (size == kMagic) {
        used += 4;
        continue;
      }
      if (size == 0) return true;
      if (size > static_cast<std::uint32_t>(LZ4_compressBound(kChunk))) throw Error("damaged data (a chunk is too long)");
      if (rest < 4 + std::size_t{size}) {
        if (input_ends) throw Error("damaged data (a chunk runs past the end of the input)");
        return false;  // the caller joins more input
      }
      std::size_t before = out.size();
      out.resize(before + kChunk);
      int n = LZ4_decompress_safe(in.data() + used + 4, out.data() + before, static_cast<int>(size), static_cast<int>(kChunk));
      if (n < 0) throw Error("damaged data");
      out.resize(before + static_cast<std::size_t>(n));
      used += 4 + size;
      return used == in.size() && input_ends;
    }
  }

 private:
  bool started_ = false;
};

}  // namespace

std::unique_ptr<Decoder> detect_decoder(std::string_view head, std::string& unsupported) {
  auto magic = [&](unsigned char a, unsigned char b) {
    return head.size() >= 2 && static_cast<unsigned char>(head[0]) == a && static_cast<unsigned char>(head[1]) == b;
  };
  if (magic(0x1f, 0x8b) || magic(0x1f, 0x9e)) return std::make_unique<Gzip>();
  if (magic(0x42, 0x5a)) return std::make_unique<Bzip2>();
  if (magic(0x5d, 0x00)) return std::make_unique<Lzma>(false);
  if (magic(0xfd, 0x37)) return std::make_unique<Lzma>(true);
  if (magic(0x02, 0x21)) return std::make_unique<Lz4Legacy>();
  if (magic(0x28, 0xb5)) return std::make_unique<Zstd>();
  if (magic(0x89, 0x4c)) unsupported = "lzo";
  return nullptr;
}

}  // namespace kdk
