// The only file that includes <archive.h>. libarchive does every cpio encode and decode and
// every compression filter; this file adapts it to kdk's model and to how the kernel reads an
// initramfs (several archives one after another, the last of them possibly compressed).
#include "archive_io.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zstd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <deque>
#include <fcntl.h>
#include <map>
#include <memory>
#include <unordered_map>
#include <sys/stat.h>
#include <unistd.h>

#include "error.hpp"
#include "decompress.hpp"
#include "extract_tree.hpp"

namespace kdk {
namespace {

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ReadHandle = std::unique_ptr<archive, ReadFree>;
using WriteHandle = std::unique_ptr<archive, WriteFree>;
using EntryHandle = std::unique_ptr<archive_entry, EntryFree>;

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd > 2) close(fd);
  }
};

std::string archive_message(archive* a) {
  const char* s = archive_error_string(a);
  return s ? s : "malformed archive";
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// ---- Writing ----

void add_filter(archive* a, const WriteSettings& s) {
  auto level_option = [&](const char* filter) {
    if (!s.level) return;
    std::string value = std::to_string(*s.level);
    if (archive_write_set_filter_option(a, filter, "compression-level", value.c_str()) != ARCHIVE_OK) {
      throw Error("level " + value + " is out of range for " + filter + ": " + archive_message(a), "--level");
    }
  };
  // The kernel's decompressors are narrower than the tools': xz must use CRC32 checks and lz4 the
  // legacy frame. libarchive's own xz and lz4 writers produce neither, so those two run the same
  // commands kbuild uses, through libarchive's program filter.
  auto program = [&](const std::string& tool, const std::string& package, const std::string& command) {
    if (!on_path(tool)) {
      throw Error("'" + tool + "' is not on PATH; it writes the " + tool +
                      " format the kernel can unpack (Debian/Ubuntu and Fedora: " + package + ")",
                  "--compress");
    }
    if (archive_write_add_filter_program(a, command.c_str()) != ARCHIVE_OK) throw Error(archive_message(a), "--compress");
  };
  switch (s.compression) {
    case Compression::None: break;
    case Compression::Gzip:
      archive_write_add_filter_gzip(a);
      archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);  // reproducible header
      level_option("gzip");
      break;
    case Compression::Zstd: break;  // ZstdSink: written by kdk through libzstd, not a filter
    case Compression::Xz:
      program("xz", "xz-utils / xz",
              "xz --check=crc32 --lzma2=preset=" + std::to_string(s.level.value_or(6)) + ",dict=1MiB -c");
      break;
    case Compression::Lz4:
      program("lz4", "lz4 / lz4", "lz4 -l -" + std::to_string(s.level.value_or(9)) + " -c");
      break;
  }
}

void fill_entry(archive_entry* e, const Member& m) {
  archive_entry_clear(e);
  archive_entry_set_pathname(e, m.name.c_str());
  archive_entry_set_mode(e, m.mode);
  archive_entry_set_uid(e, m.uid);
  archive_entry_set_gid(e, m.gid);
  archive_entry_set_mtime(e, m.mtime, 0);
  archive_entry_set_ino64(e, m.ino);
  archive_entry_set_nlink(e, m.nlink);
  archive_entry_set_dev(e, 0);
  archive_entry_set_rdevmajor(e, m.rdev_major);
  archive_entry_set_rdevminor(e, m.rdev_minor);
  archive_entry_set_size(e, S_ISREG(m.mode) && m.carries_data ? static_cast<la_int64_t>(m.size) : 0);
  if (S_ISLNK(m.mode)) archive_entry_set_symlink(e, m.target.c_str());
}

// zstd as kdk writes it: level 3 with long-distance matching over a 16 MiB window, two worker
// threads with 4 MiB jobs. On bench/cpio-pack's tree (20,000 files, 300 MB) this is 1.7x as fast
// as bsdtar's single-threaded zstd (level 3, 2 MiB window), 5% smaller, and smaller than
// `gzip -9`, at ~40 MB of memory. The kernel's unzstd reads windows up to 1 GiB (32-bit) or
// 2 GiB; it allocates this one (16 MiB) while unpacking. Two workers whatever the host has:
// zstd's output depends on the job layout, never on timing, so the image is byte-identical on
// every machine.
class ZstdSink {
 public:
  ZstdSink(int fd, std::optional<int> level) : fd_(fd), c_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
    if (!c_) throw Error("libzstd: out of memory");
    ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, level.value_or(3));
    ZSTD_CCtx_setParameter(c_, ZSTD_c_windowLog, 24);
    ZSTD_CCtx_setParameter(c_, ZSTD_c_enableLongDistanceMatching, 1);
    ZSTD_CCtx_setParameter(c_, ZSTD_c_checksumFlag, 1);
    // A libzstd built without threads refuses workers; its single-threaded output is as valid.
    if (!ZSTD_isError(ZSTD_CCtx_setParameter(c_, ZSTD_c_nbWorkers, 2))) ZSTD_CCtx_setParameter(c_, ZSTD_c_jobSize, 4 << 20);
  }
  ~ZstdSink() { ZSTD_freeCCtx(c_); }

  static la_ssize_t write(archive* a, void* self, const void* data, size_t size) {
    auto* sink = static_cast<ZstdSink*>(self);
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) {
      if (!sink->step(a, in, ZSTD_e_continue)) return -1;
    }
    return static_cast<la_ssize_t>(size);
  }
  static int close(archive* a, void* self) {
    auto* sink = static_cast<ZstdSink*>(self);
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      std::size_t left = sink->step(a, in, ZSTD_e_end);
      if (left == kFailed) return ARCHIVE_FATAL;
      if (left == 0) return ARCHIVE_OK;
    }
  }
  std::uint64_t written() const { return written_; }

 private:
  static constexpr std::size_t kFailed = static_cast<std::size_t>(-1);
  // One compression call and a write of what it produced; returns zstd's "bytes left to
  // flush" (0: done), or kFailed after setting libarchive's error.
  std::size_t step(archive* a, ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    std::size_t r = ZSTD_compressStream2(c_, &out, &in, mode);
    if (ZSTD_isError(r)) {
      archive_set_error(a, EINVAL, "zstd: %s", ZSTD_getErrorName(r));
      return kFailed;
    }
    for (std::size_t done = 0; done < out.pos;) {
      ssize_t n = ::write(fd_, out_.data() + done, out.pos - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        archive_set_error(a, errno, "write failed: %s", errno_text(errno).c_str());
        return kFailed;
      }
      done += static_cast<std::size_t>(n);
    }
    written_ += out.pos;
    return r == 0 ? 0 : r;  // ZSTD_e_continue returns a hint, not "left"; callers loop on input
  }

  int fd_;
  ZSTD_CCtx* c_;
  std::vector<char> out_;
  std::uint64_t written_ = 0;
};

// ---- Reading ----

class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // Appends the next piece of input to `chunk` (which is empty on entry); false at the end.
  virtual bool next(std::string& chunk) = 0;
};

class FdSource : public ChunkSource {
 public:
  FdSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  bool next(std::string& chunk) override {
    chunk.resize(1 << 16);
    ssize_t n;
    do n = read(fd_, chunk.data(), chunk.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) throw Error("read failed: " + errno_text(errno), name_);
    chunk.resize(static_cast<std::size_t>(n));
    return n > 0;
  }

 private:
  int fd_;
  std::string name_;
};

class MemorySource : public ChunkSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  bool next(std::string& chunk) override {
    if (data_.empty()) return false;
    chunk.assign(data_);
    data_ = {};
    return true;
  }

 private:
  std::string_view data_;
};

// The input as absolute offsets, holding only the chunks a reader may still need.
class Window {
 public:
  explicit Window(ChunkSource& source) : source_(source) {}

  // The bytes from `offset` to the end of the chunk holding it; empty at the end of input.
  std::string_view at(std::uint64_t offset) {
    while (offset >= end_ && !eof_) pull();
    for (const auto& [start, bytes] : chunks_) {
      if (offset >= start && offset < start + bytes.size()) {
        return std::string_view(bytes).substr(static_cast<std::size_t>(offset - start));
      }
    }
    return {};
  }

  // Up to `n` bytes from `offset`, across chunk boundaries; fewer at the end of input.
  std::string peek(std::uint64_t offset, std::size_t n) {
    std::string out;
    while (out.size() < n) {
      std::string_view view = at(offset + out.size());
      if (view.empty()) break;
      out.append(view.substr(0, n - out.size()));
    }
    return out;
  }

  void release_before(std::uint64_t offset) {
    while (!chunks_.empty() && chunks_.front().first + chunks_.front().second.size() <= offset) chunks_.pop_front();
  }

 private:
  void pull() {
    std::string chunk;
    if (!source_.next(chunk)) {
      eof_ = true;
      return;
    }
    std::uint64_t size = chunk.size();
    chunks_.emplace_back(end_, std::move(chunk));
    end_ += size;
  }

  ChunkSource& source_;
  std::deque<std::pair<std::uint64_t, std::string>> chunks_;
  std::uint64_t end_ = 0;
  bool eof_ = false;
};

// A libarchive reader's view of a Window from `start` on.
struct Cursor {
  Window* window;
  std::uint64_t start;
  std::uint64_t next;
  archive* reader;
};

la_ssize_t window_read(archive*, void* client, const void** buffer) {
  auto* c = static_cast<Cursor*>(client);
  // Whatever libarchive has consumed it will not ask for again; the bottom filter's position
  // counts consumed input bytes.
  la_int64_t consumed = archive_filter_bytes(c->reader, -1);
  if (consumed > 0) c->window->release_before(c->start + static_cast<std::uint64_t>(consumed));
  std::string_view view = c->window->at(c->next);
  c->next += view.size();
  *buffer = view.data();
  return static_cast<la_ssize_t>(view.size());
}

// A compressed stream inside the outer input, decoded by the kernel's decompressor for its
// format (decompress.hpp), which says exactly where the stream ends.
class DecompressSource : public ChunkSource {
 public:
  DecompressSource(Window& outer, std::uint64_t start, std::unique_ptr<Decoder> decoder, const std::string& input_name)
      : outer_(outer), start_(start), pos_(start), decoder_(std::move(decoder)), name_(input_name) {}

  bool next(std::string& chunk) override {
    while (!ended_) {
      std::string joined;
      std::string_view view = outer_.at(pos_);
      if (want_ > view.size()) {  // the decoder needs more contiguous input than one chunk holds
        joined = outer_.peek(pos_, want_);
        view = joined;
      }
      bool input_ends = outer_.at(pos_ + view.size()).empty();
      std::size_t used = 0;
      try {
        ended_ = decoder_->step(view, input_ends, used, chunk);
      } catch (const Error& e) {
        fail(e.what());
      }
      pos_ += used;
      outer_.release_before(pos_);
      if (ended_ || !chunk.empty()) {
        want_ = 0;
        return !chunk.empty();
      }
      if (used == 0) {
        if (input_ends) fail("truncated: the input ends before the stream does");
        want_ = std::max<std::size_t>(view.size() * 2, 1 << 16);
      } else {
        want_ = 0;
      }
    }
    return false;
  }

  std::string filter() const { return decoder_->name(); }
  // Where the stream ended in the outer input; valid once next() returned false.
  std::uint64_t end() const { return pos_; }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error("offset " + std::to_string(start_) + ": " + decoder_->name() + " stream: " + what, name_);
  }

  Window& outer_;
  std::uint64_t start_, pos_;
  std::unique_ptr<Decoder> decoder_;
  std::string name_;
  bool ended_ = false;
  std::size_t want_ = 0;
};

struct Segment {
  std::string filter;
  std::uint64_t offset;
};

using MemberVisitor = std::function<void(archive*, archive_entry*, const Segment&)>;

// libarchive trusts a newc header's 32-bit name size (and a symlink's data size) and allocates
// that much before it finds the input short: a 2 KB archive can ask for 4 GB. The kernel rejects
// names longer than PATH_MAX, so kdk checks those two fields before libarchive parses a header.
// The header must start exactly where the previous member ended, as the kernel requires.
// `family` is the magic's last digit of the archive's first header ('1'/'2' newc, '7' odc); every
// later header must be of the same family, or libarchive would reject it and scan ahead.
void check_newc_header(Window& window, std::uint64_t offset, const std::string& where, const std::string& name,
                       char& family) {
  constexpr std::size_t kHeader = 110, kPathMax = 4096;
  std::string h = window.peek(offset, kHeader);
  if (h.size() < 6 || h.compare(0, 5, "07070") != 0) {
    throw Error(where + ": no cpio header at offset " + std::to_string(offset) + " (the archive is damaged or truncated)", name);
  }
  char this_family = h[5] == '2' ? '1' : h[5];
  if (!family) family = this_family;
  if (this_family != family) {
    throw Error(where + ": the header at offset " + std::to_string(offset) + " is of another cpio format than the "
                    "archive's first header",
                name);
  }
  if (h[5] != '1' && h[5] != '2') return;  // odc: 6-digit octal fields, too narrow to matter
  if (h.size() < kHeader) throw Error(where + ": truncated cpio header at offset " + std::to_string(offset), name);
  auto field = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = at; i < at + 8; ++i) {
      char c = h[i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) throw Error(where + ": malformed cpio header at offset " + std::to_string(offset), name);
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    return v;
  };
  // Every field must be hex, which is libarchive's own test: a header it rejects makes it scan
  // ahead for the next "070701", and whatever it found there would escape this check.
  for (std::size_t at = 6; at < kHeader; at += 8) field(at);
  std::uint64_t mode = field(14), filesize = field(54), namesize = field(94);
  if (namesize > kPathMax) {
    throw Error(where + ": the member at offset " + std::to_string(offset) + " has a " + std::to_string(namesize) +
                    "-byte name; the kernel accepts at most " + std::to_string(kPathMax),
                name);
  }
  if ((mode & S_IFMT) == S_IFLNK && filesize >= kPathMax) {
    throw Error(where + ": the symlink at offset " + std::to_string(offset) + " has a " + std::to_string(filesize) +
                    "-byte target; the kernel accepts at most " + std::to_string(kPathMax - 1),
                name);
  }
}

// Reads one cpio archive at `start`; returns the offset just past its trailer.
std::uint64_t read_one_archive(Window& window, std::uint64_t start, const Segment& segment, const std::string& name,
                               const MemberVisitor& visit) {
  ReadHandle reader(archive_read_new());
  archive_read_support_format_cpio(reader.get());
  Cursor cursor{&window, start, start, reader.get()};
  std::string where = segment.filter == "none" ? "offset " + std::to_string(start)
                                               : segment.filter + " stream at offset " + std::to_string(segment.offset) +
                                                     ", decompressed offset " + std::to_string(start);
  if (archive_read_open(reader.get(), &cursor, nullptr, window_read, nullptr) != ARCHIVE_OK) {
    throw Error(where + ": not a cpio archive: " + archive_message(reader.get()), name);
  }
  archive_entry* entry = nullptr;
  int r;
  char family = 0;
  auto next_header = [&] {
    la_int64_t consumed = archive_filter_bytes(reader.get(), -1);
    std::uint64_t at = start + ((static_cast<std::uint64_t>(std::max<la_int64_t>(consumed, 0)) + 3) & ~std::uint64_t{3});
    check_newc_header(window, at, where, name, family);
    return archive_read_next_header(reader.get(), &entry);
  };
  // A warning here means libarchive skipped junk to find a header; the kernel does not, and the
  // header it found would escape check_newc_header. Treat it as the error it is.
  while ((r = next_header()) == ARCHIVE_OK) {
    visit(reader.get(), entry, segment);
    archive_read_data_skip(reader.get());  // so the next header's offset is known
  }
  if (r != ARCHIVE_EOF) {
    throw Error(where + ": " + archive_message(reader.get()) + " (is the archive truncated?)", name);
  }
  return start + static_cast<std::uint64_t>(archive_filter_bytes(reader.get(), -1));
}

// Skips the zero padding the kernel allows between archives; returns the first other offset.
std::uint64_t skip_zeros(Window& window, std::uint64_t offset) {
  for (;;) {
    std::string_view view = window.at(offset);
    if (view.empty()) return offset;
    std::size_t i = view.find_first_not_of('\0');
    if (i != std::string_view::npos) return offset + i;
    offset += view.size();
    window.release_before(offset);
  }
}

// The kernel's unpack_to_rootfs loop. In the outer input: zero padding is skipped, a '0' at a
// 4-byte boundary starts an uncompressed archive, and anything else must be a compressed stream
// of a format the kernel knows; after that stream, the loop goes on where it ended (more
// padding, archives or streams). Inside a compressed stream (flush_buffer): archives and zero
// padding only; padding must end at a 4-byte boundary; another compressed stream is junk.
void read_segments(Window& window, const std::string& filter, std::uint64_t stream_offset, const std::string& name,
                   const MemberVisitor& visit) {
  bool inner = filter != "none";
  std::string where_stream = inner ? filter + " stream at offset " + std::to_string(stream_offset) + ": " : "";
  std::uint64_t offset = 0;
  for (;;) {
    std::uint64_t zeros_from = offset;
    offset = skip_zeros(window, offset);
    std::string_view view = window.at(offset);
    if (view.empty()) return;
    if (inner && offset != zeros_from && offset % 4) {
      throw Error(where_stream + "zero padding ends at decompressed offset " + std::to_string(offset) +
                      ", not at a multiple of 4 (the kernel stops with 'broken padding')",
                  name);
    }
    if (view[0] == '0' && (inner || offset % 4 == 0)) {
      Segment segment{filter, inner ? stream_offset : offset};
      offset = read_one_archive(window, offset, segment, name, visit);
      window.release_before(offset);
      continue;
    }
    if (inner) {
      throw Error(where_stream + "junk at decompressed offset " + std::to_string(offset) +
                      " where a cpio archive or zero padding should be (the kernel stops with 'junk within "
                      "compressed archive')",
                  name);
    }
    std::string unsupported;
    std::unique_ptr<Decoder> decoder = detect_decoder(window.peek(offset, 2), unsupported);
    if (!decoder) {
      std::string why = view[0] == '0' ? "a cpio archive starts here, but not at a multiple of 4 bytes"
                        : !unsupported.empty()
                            ? "a " + unsupported + " stream starts here; the kernel can read it, kdk cannot"
                            : "neither a cpio archive, nor zero padding, nor a compressed stream the kernel reads "
                              "(gzip, zstd, xz, lzma, lz4, bzip2) starts here";
      throw Error("offset " + std::to_string(offset) + ": " + why, name);
    }
    DecompressSource decompressed(window, offset, std::move(decoder), name);
    Window decoded(decompressed);
    read_segments(decoded, decompressed.filter(), offset, name, visit);
    offset = decompressed.end();
  }
}

void for_each_member(const ArchiveInput& input, const MemberVisitor& visit) {
  std::unique_ptr<ChunkSource> source;
  int fd = -1;
  if (input.memory) {
    source = std::make_unique<MemorySource>(*input.memory);
  } else if (input.path == "-") {
    source = std::make_unique<FdSource>(0, "<stdin>");
  } else {
    std::string shown = input.shown.empty() ? input.path : input.shown;
    fd = open(input.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open: " + errno_text(errno), shown);
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      close(fd);
      throw Error("is a directory, not an archive", shown);
    }
    source = std::make_unique<FdSource>(fd, shown);
  }
  FdCloser closer{fd};
  Window window(*source);
  std::string name = input.memory            ? "<memory>"
                     : !input.shown.empty() ? input.shown
                     : input.path == "-"    ? "<stdin>"
                                            : input.path;
  read_segments(window, "none", 0, name, visit);
}

EntryInfo to_info(archive_entry* e, const Segment& segment) {
  EntryInfo info;
  const char* name = archive_entry_pathname(e);
  info.name = name ? name : "";
  info.mode = archive_entry_mode(e);
  info.uid = static_cast<std::uint32_t>(archive_entry_uid(e));
  info.gid = static_cast<std::uint32_t>(archive_entry_gid(e));
  info.nlink = archive_entry_nlink(e);
  info.ino = static_cast<std::uint64_t>(archive_entry_ino64(e));
  info.size = static_cast<std::uint64_t>(archive_entry_size(e));
  info.mtime = archive_entry_mtime(e);
  info.rdev_major = archive_entry_rdevmajor(e);
  info.rdev_minor = archive_entry_rdevminor(e);
  if (const char* target = archive_entry_symlink(e)) {
    info.symlink = target;
    info.size = info.symlink.size();  // newc stores the target as the member's data
  }
  info.filter = segment.filter;
  return info;
}

// The member's name inside the extraction directory, or nullopt for the root itself.
std::optional<std::string> extraction_name(const char* raw, const std::string& archive_path, bool& stripped) {
  std::string name = raw ? raw : "";
  if (!name.empty() && name[0] == '/') stripped = true;
  try {
    return normalize_member_name(name);
  } catch (const Error& e) {
    if (name.find("..") != std::string::npos) {
      throw Error("member '" + name + "' has a '..' component; refusing to extract anything", archive_path);
    }
    return std::nullopt;  // "." or "/": the extraction directory itself
  }
}

}  // namespace

std::optional<Compression> parse_compression(std::string_view name) {
  for (auto c : {Compression::None, Compression::Gzip, Compression::Zstd, Compression::Xz, Compression::Lz4}) {
    if (compression_name(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::None: return "none";
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
    case Compression::Xz: return "xz";
    case Compression::Lz4: return "lz4";
  }
  return "?";
}

PackStats write_newc(const std::vector<Member>& members, int fd, const WriteSettings& settings,
                     const std::function<void(const PackStats&)>& progress) {
  return write_newc([&](const std::function<void(const Member&)>& each) { for (const auto& m : members) each(m); }, fd,
                    settings, progress);
}

PackStats write_newc(const MemberStream& members, int fd, const WriteSettings& settings,
                     const std::function<void(const PackStats&)>& progress) {
  std::unique_ptr<ZstdSink> zstd;  // outlives the writer, whose free may still call it
  WriteHandle writer(archive_write_new());
  archive* a = writer.get();
  archive_write_set_format_cpio_newc(a);
  archive_write_set_bytes_in_last_block(a, 1);  // no padding past the trailer; the kernel needs none
  add_filter(a, settings);
  if (settings.compression == Compression::Zstd) {
    zstd = std::make_unique<ZstdSink>(fd, settings.level);
    if (archive_write_open(a, zstd.get(), nullptr, ZstdSink::write, ZstdSink::close) != ARCHIVE_OK) {
      throw Error("cannot start the archive: " + archive_message(a));
    }
  } else if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
    throw Error("cannot start the archive: " + archive_message(a));
  }
  EntryHandle entry(archive_entry_new());
  std::vector<char> buffer(1 << 16);
  PackStats stats;
  members([&](const Member& m) {
    fill_entry(entry.get(), m);
    if (archive_write_header(a, entry.get()) < ARCHIVE_WARN) throw Error(archive_message(a), m.origin);
    if (S_ISREG(m.mode) && m.carries_data && m.size > 0) {
      // Never block on, or read through, what replaced a scanned file since the scan: a FIFO
      // (O_NONBLOCK: open returns at once), a device, or a symlink out of the tree (O_NOFOLLOW).
      int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (m.source_is_link_ok ? 0 : O_NOFOLLOW);
      int in = open(m.source.c_str(), flags);
      if (in < 0 && errno == ELOOP) throw Error("became a symlink while being packed; not following it", m.source);
      if (in < 0) throw Error("cannot open: " + errno_text(errno), m.source);
      FdCloser closer{in};
      struct stat st {};
      if (fstat(in, &st) != 0) throw Error("cannot stat: " + errno_text(errno), m.source);
      if (!S_ISREG(st.st_mode)) throw Error("is no longer a regular file (it was replaced while being packed)", m.source);
      std::uint64_t total = 0;
      for (;;) {
        ssize_t n = read(in, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("read failed: " + errno_text(errno), m.source);
        if (n == 0) break;
        std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(n), m.size - total));
        if (keep && archive_write_data(a, buffer.data(), keep) < 0) throw Error(archive_message(a), m.source);
        total += static_cast<std::uint64_t>(n);
        if (total > m.size) break;
      }
      if (total != m.size) {
        throw Error("changed while being packed: expected " + std::to_string(m.size) + " bytes, found " +
                        (total > m.size ? "more" : std::to_string(total)),
                    m.source);
      }
      stats.data_bytes += total;
    }
    if (archive_write_finish_entry(a) < ARCHIVE_WARN) throw Error(archive_message(a), m.origin);
    ++stats.members;
    if (progress) progress(stats);
  });
  if (archive_write_close(a) != ARCHIVE_OK) throw Error("cannot finish the archive: " + archive_message(a));
  stats.output_bytes = zstd ? zstd->written() : static_cast<std::uint64_t>(archive_filter_bytes(a, -1));
  return stats;
}

void read_archive(const ArchiveInput& input, const std::function<void(const EntryInfo&)>& visit) {
  for_each_member(input, [&](archive*, archive_entry* e, const Segment& segment) { visit(to_info(e, segment)); });
}

namespace {

// Hard links as the kernel makes them (init/initramfs.c, maybe_link): only regular files with
// two or more links, matched by device, inode and type; the first name seen is the one linked
// to. libarchive's own matching (any type) is not used.
class HardLinks {
 public:
  // The name `name` is a link to, or "" when it is a file of its own.
  std::string resolve(archive_entry* e, const std::string& name) {
    if (!S_ISREG(archive_entry_mode(e)) || archive_entry_nlink(e) < 2) return "";
    std::string key = std::to_string(archive_entry_devmajor(e)) + ":" + std::to_string(archive_entry_devminor(e)) + ":" +
                      std::to_string(archive_entry_ino64(e));
    auto [it, added] = first_.emplace(std::move(key), name);
    return added ? "" : it->second;
  }

 private:
  std::unordered_map<std::string, std::string> first_;
};

// Extraction reads its input twice (check, then write). Standard input, a pipe, a FIFO or a
// character device can be read once, so they are first copied to an unlinked temporary file
// (O_TMPFILE in $TMPDIR), whose /proc/self/fd path each pass opens anew. A regular file is
// read where it is. Returns the fd to close, or -1.
int spool_if_not_seekable(const std::string& archive_path, std::string& read_path) {
  int in = archive_path == "-" ? 0 : open(archive_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw Error("cannot open: " + errno_text(errno), archive_path);
  FdCloser close_in{archive_path == "-" ? -1 : in};
  struct stat st {};
  if (fstat(in, &st) != 0) throw Error("cannot stat: " + errno_text(errno), archive_path);
  if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode)) {
    if (archive_path == "-") read_path = "/proc/self/fd/0";  // each pass opens it anew, at its start
    return -1;
  }
  const char* tmpdir = std::getenv("TMPDIR");
  std::string where = tmpdir && *tmpdir ? tmpdir : "/tmp";
  int spool = open(where.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (spool < 0) throw Error("cannot create a temporary file in " + where + " to hold the stream: " + errno_text(errno), archive_path);
  std::vector<char> buffer(1 << 16);
  for (;;) {
    ssize_t n = read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(spool);
      throw Error("read failed: " + errno_text(errno), archive_path);
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(spool, buffer.data() + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int err = errno;
        close(spool);
        throw Error("cannot hold the stream in " + where + ": " + errno_text(err), archive_path);
      }
      done += w;
    }
  }
  read_path = "/proc/self/fd/" + std::to_string(spool);
  return spool;
}

}  // namespace

ExtractReport extract_archive(const std::string& archive_path, const std::string& dir) {
  std::string read_path = archive_path;
  FdCloser spool{spool_if_not_seekable(archive_path, read_path)};
  return extract_archive(ArchiveInput{read_path, std::nullopt, archive_path == "-" ? "<stdin>" : archive_path}, dir);
}

ExtractReport extract_archive(const ArchiveInput& input, const std::string& dir) {
  ExtractReport report;
  const std::string shown = input.memory ? "<memory>" : !input.shown.empty() ? input.shown : input.path;

  // Pass 1: refuse a hostile archive before anything is written. What each name holds after
  // each member is tracked, so that no member goes through a symlink or a non-directory the
  // archive made, and a hard link leads only to a regular file the archive made.
  std::unordered_map<std::string, char> kinds;  // 'd' directory, 'f' regular file, 'l' symlink, 'o' other
  HardLinks links;
  for_each_member(input, [&](archive*, archive_entry* e, const Segment&) {
    auto name = extraction_name(archive_entry_pathname(e), shown, report.stripped_absolute);
    if (!name) return;
    for (auto slash = name->find('/'); slash != std::string::npos; slash = name->find('/', slash + 1)) {
      auto made = kinds.find(name->substr(0, slash));
      if (made != kinds.end() && made->second != 'd') {
        throw Error("member '" + *name + "' would be written through '" + made->first + "', a " +
                        (made->second == 'l' ? "symlink" : "non-directory") +
                        " this archive creates; refusing to extract anything",
                    shown);
      }
    }
    mode_t mode = archive_entry_mode(e);
    std::string link_to = links.resolve(e, *name);
    if (!link_to.empty()) {
      auto made = kinds.find(link_to);
      if (made == kinds.end() || made->second != 'f') {
        throw Error("member '" + *name + "' is a hard link to '" + link_to +
                        "', which is no longer a regular file this archive creates; refusing to extract anything",
                    shown);
      }
    }
    kinds[*name] = S_ISDIR(mode) ? 'd' : S_ISREG(mode) ? 'f' : S_ISLNK(mode) ? 'l' : 'o';
  });
  kinds.clear();
  links = {};

  // Pass 2: write, through TreeWriter (see extract_tree.hpp). Device nodes and sockets are never
  // created, and no owner, set-id or sticky bit is ever applied (the tree is the same whoever
  // runs kdk); what the tree cannot hold goes to the spec.
  TreeWriter tree(dir, shown);
  const std::string& root = tree.root();
  std::map<std::string, std::size_t> spec_links;  // "dev:ino" -> index in report.spec
  bool stripped = false;
  for_each_member(input, [&](archive* reader, archive_entry* e, const Segment&) {
    auto name = extraction_name(archive_entry_pathname(e), shown, stripped);
    if (!name) return;
    mode_t mode = archive_entry_mode(e);
    auto uid = static_cast<std::uint32_t>(archive_entry_uid(e));
    auto gid = static_cast<std::uint32_t>(archive_entry_gid(e));
    bool device = S_ISCHR(mode) || S_ISBLK(mode) || S_ISSOCK(mode);
    bool lost_bits = !S_ISLNK(mode) && (TreeWriter::disk_mode(mode) & 07777) != (mode & 07777);
    if (device || uid != 0 || gid != 0 || lost_bits) {
      ListEntry spec;
      spec.name = *name;
      spec.mode = mode & 07777;
      spec.uid = uid;
      spec.gid = gid;
      switch (mode & S_IFMT) {
        case S_IFCHR:
        case S_IFBLK:
          spec.type = ListType::Nod;
          spec.dev_type = S_ISBLK(mode) ? 'b' : 'c';
          spec.major = archive_entry_rdevmajor(e);
          spec.minor = archive_entry_rdevminor(e);
          break;
        case S_IFSOCK: spec.type = ListType::Sock; break;
        case S_IFDIR: spec.type = ListType::Dir; break;
        case S_IFIFO: spec.type = ListType::Pipe; break;
        case S_IFLNK:
          spec.type = ListType::Slink;
          spec.location = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
          break;
        default: spec.type = ListType::File; spec.location = root + "/" + *name;
      }
      std::string key = std::to_string(archive_entry_dev(e)) + ":" + std::to_string(archive_entry_ino64(e));
      auto linked = spec.type == ListType::File && archive_entry_nlink(e) > 1 ? spec_links.find(key) : spec_links.end();
      if (linked != spec_links.end()) {
        report.spec[linked->second].hardlinks.push_back(*name);
      } else {
        if (spec.type == ListType::File && archive_entry_nlink(e) > 1) spec_links.emplace(key, report.spec.size());
        report.spec.push_back(std::move(spec));
      }
    }
    std::int64_t mtime = archive_entry_mtime(e);
    switch (mode & S_IFMT) {
      case S_IFDIR: tree.directory(*name, mode, mtime); break;
      case S_IFLNK: tree.symlink(*name, archive_entry_symlink(e) ? archive_entry_symlink(e) : "", mtime); break;
      case S_IFIFO: tree.fifo(*name, mode, mtime); break;
      case S_IFREG: {
        std::string link_to = links.resolve(e, *name);
        auto size = static_cast<std::uint64_t>(std::max<la_int64_t>(archive_entry_size(e), 0));
        int fd = tree.file(*name, link_to, size);
        FdCloser closer{fd};
        const void* data = nullptr;
        std::size_t length = 0;
        la_int64_t offset = 0;
        int r;
        while ((r = archive_read_data_block(reader, &data, &length, &offset)) == ARCHIVE_OK) {
          for (std::size_t done = 0; done < length;) {
            ssize_t w = pwrite(fd, static_cast<const char*>(data) + done, length - done, static_cast<off_t>(offset) + static_cast<off_t>(done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw Error("member '" + *name + "': cannot write: " + errno_text(errno), shown);
            done += static_cast<std::size_t>(w);
          }
        }
        if (r != ARCHIVE_EOF) throw Error("member '" + *name + "': " + archive_message(reader), shown);
        closer.fd = -1;
        tree.finish_file(fd, mode, mtime);
        break;
      }
      default: return;  // devices and sockets: only in the spec
    }
    ++report.extracted;
  });
  tree.finish();
  return report;
}

std::vector<Member> read_tar_members(const std::string& path, const std::string& data_dir, TarReport& report) {
  ReadHandle reader(archive_read_new());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  archive_read_support_filter_all(reader.get());
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open: " + errno_text(errno), path);
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    throw Error("is a directory, not a tar archive", path);
  }
  if (archive_read_open_fd(reader.get(), fd, 1 << 16) != ARCHIVE_OK) {
    std::string why = archive_message(reader.get());
    close(fd);
    throw Error("not a tar archive: " + why, path);
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { close(fd); }
  } closer{fd};
  std::vector<Member> members;
  std::unordered_map<std::string, std::size_t> index;  // name -> its last member
  std::vector<char> buffer(1 << 16);
  archive_entry* entry = nullptr;
  int r;
  while ((r = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
    if (r == ARCHIVE_WARN) throw Error(archive_message(reader.get()), path);
    if (archive_format(reader.get()) == ARCHIVE_FORMAT_EMPTY) break;
    ++report.entries;
    const char* raw = archive_entry_pathname(entry);
    std::string raw_name = raw ? raw : "";
    std::string origin = path + ": '" + raw_name + "'";
    if (raw_name.find_first_not_of("./") == std::string::npos && raw_name.find("..") == std::string::npos) {
      continue;  // the root, "./": the file system's own
    }
    Member m;
    try {
      m.name = normalize_member_name(raw_name);
    } catch (const Error& e) {
      throw Error(e.what(), path);
    }
    m.origin = origin;
    m.mode = archive_entry_mode(entry);
    m.uid = static_cast<std::uint32_t>(archive_entry_uid(entry));
    m.gid = static_cast<std::uint32_t>(archive_entry_gid(entry));
    m.mtime = archive_entry_mtime(entry);
    if (archive_entry_xattr_count(entry) > 0) report.xattr_names.push_back(m.name);
    if (const char* hardlink = archive_entry_hardlink(entry)) {
      std::string target;
      try {
        target = normalize_member_name(hardlink);
      } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (the target of hard link '" + m.name + "')", path);
      }
      auto it = index.find(target);
      if (it == index.end() || !S_ISREG(members[it->second].mode)) {
        throw Error("'" + m.name + "' is a hard link to '" + target +
                        "', which is not a regular file earlier in the archive",
                    path);
      }
      Member& first = members[it->second];
      if (first.link_key.empty()) first.link_key = "tar:" + first.name;
      Member link = first;
      link.name = m.name;
      link.origin = origin;
      members.push_back(std::move(link));
      index[m.name] = members.size() - 1;
      continue;
    }
    switch (m.mode & S_IFMT) {
      case S_IFREG: {
        m.source = data_dir + "/" + std::to_string(members.size());
        int out = open(m.source.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out < 0) throw Error("cannot create: " + errno_text(errno), m.source);
        std::uint64_t size = 0;
        la_ssize_t n;
        while ((n = archive_read_data(reader.get(), buffer.data(), buffer.size())) > 0) {
          for (la_ssize_t done = 0; done < n;) {
            ssize_t w = write(out, buffer.data() + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
              int err = errno;
              close(out);
              throw Error("cannot write: " + errno_text(err), m.source);
            }
            done += w;
          }
          size += static_cast<std::uint64_t>(n);
        }
        if (close(out) != 0) throw Error("cannot write: " + errno_text(errno), m.source);
        if (n < 0) throw Error("'" + m.name + "': " + archive_message(reader.get()) + " (is the archive truncated?)", path);
        m.size = size;
        report.data_bytes += size;
        break;
      }
      case S_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        m.target = target ? target : "";
        break;
      }
      case S_IFCHR:
      case S_IFBLK:
        m.rdev_major = static_cast<std::uint32_t>(archive_entry_rdevmajor(entry));
        m.rdev_minor = static_cast<std::uint32_t>(archive_entry_rdevminor(entry));
        break;
      case S_IFDIR:
      case S_IFIFO:
      case S_IFSOCK:
        break;
      default:
        throw Error("'" + m.name + "' has a file type tar archives do not have (mode " + std::to_string(m.mode) + ")", path);
    }
    members.push_back(std::move(m));
    index[members.back().name] = members.size() - 1;
  }
  if (r != ARCHIVE_EOF && report.entries == 0) throw Error("not a tar archive: " + archive_message(reader.get()), path);
  if (r != ARCHIVE_EOF) throw Error(archive_message(reader.get()) + " (is the archive truncated?)", path);
  if (report.entries == 0) throw Error("not a tar archive, or one without members", path);
  return members;
}

}  // namespace kdk
