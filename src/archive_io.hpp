// Reading and writing cpio archives through libarchive. archive_io.cpp is the only file that
// includes <archive.h>; everything else sees these types.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "initlist.hpp"
#include "pack_plan.hpp"

namespace kdk {

enum class Compression { None, Gzip, Zstd, Xz, Lz4 };

// "none", "gzip", ... or nullopt.
std::optional<Compression> parse_compression(std::string_view name);
std::string_view compression_name(Compression c);

struct WriteSettings {
  Compression compression = Compression::None;
  std::optional<int> level;  // the compressor's own scale; nullopt: its default
};

struct PackStats {
  std::uint64_t members = 0;
  std::uint64_t data_bytes = 0;    // file data read from the host
  std::uint64_t output_bytes = 0;  // bytes written, after compression
};

// Members as they come: the argument is called with each member in archive order
// (PackPlan::stream, bound to its plan).
using MemberStream = std::function<void(const std::function<void(const Member&)>&)>;

// Writes the members as a newc archive to `fd`. `progress`, if set, is called after each
// member. Streams members and file data (64 KiB pieces): memory does not grow with the archive.
PackStats write_newc(const MemberStream& members, int fd, const WriteSettings& settings,
                     const std::function<void(const PackStats&)>& progress = {});
PackStats write_newc(const std::vector<Member>& members, int fd, const WriteSettings& settings,
                     const std::function<void(const PackStats&)>& progress = {});

struct EntryInfo {
  std::string name;      // as stored
  mode_t mode = 0;
  std::uint32_t uid = 0, gid = 0, nlink = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
  std::uint32_t rdev_major = 0, rdev_minor = 0;
  std::string symlink;   // symlink target
  std::string filter;    // compression of the segment it came from: "none", "gzip", ...
};

// Where an archive comes from: a path ("-" for standard input) or bytes in memory (fuzzing).
struct ArchiveInput {
  std::string path;
  std::optional<std::string_view> memory;
  std::string shown = {};  // the name messages use, when it is not `path` (a spooled stream)
};

// Visits every entry of every cpio archive in the input, the way the kernel unpacks an
// initramfs: uncompressed archives one after another (zero padding between them is skipped),
// then at most one compressed stream, which may itself hold several archives. Auto-detects
// gzip, zstd, xz, lz4 (legacy and frame) and bzip2. Trailer entries are not visited.
void read_archive(const ArchiveInput& input, const std::function<void(const EntryInfo&)>& visit);

struct TarReport {
  std::uint64_t entries = 0;
  std::uint64_t data_bytes = 0;           // regular files' data, copied into the data directory
  std::vector<std::string> xattr_names;   // members whose extended attributes are not carried
};

// The members of a tar archive (ustar, pax or GNU; uncompressed or in any compression libarchive
// reads), for a PackPlan: names, modes, owners, device numbers, mtimes and symlink targets as the
// archive has them; each regular file's data copied into a new file of `data_dir` (named by
// number, never by the member's name) that Member::source names; hard links as members sharing
// a link key. The root entry ("./") is skipped. Refuses a name with a '..' component, a hard link
// to what is not a regular file earlier in the archive, and a truncated or malformed archive,
// naming the archive and the member. Extended attributes are not carried; `report` names the
// members that had some.
std::vector<Member> read_tar_members(const std::string& path, const std::string& data_dir, TarReport& report);

struct ExtractReport {
  std::uint64_t extracted = 0;
  // What the extracted tree does not hold as the archive has it: device nodes and sockets,
  // owners other than 0:0, set-id and sticky bits, and modes an ordinary user could not read
  // back (a file without owner read, a directory without owner read and search). As a
  // gen_init_cpio list they let `kdk cpio pack DIR --spec LIST` rebuild an equivalent image.
  std::vector<ListEntry> spec;
  bool stripped_absolute = false;
};

// Extracts into `dir` (created if missing), writing only inside it (see extract_tree.hpp).
// Refuses, before writing anything, an archive with a '..' component, a member that would be
// written through a symlink or non-directory the archive itself creates, or a hard link to what
// is not (any longer) a regular file of the archive. A leading '/' is stripped, as the kernel
// treats such names relative to the root. Hard links are matched as the kernel matches them.
// The path form reads standard input ("-"), a pipe or a FIFO through a temporary copy.
ExtractReport extract_archive(const std::string& archive_path, const std::string& dir);
ExtractReport extract_archive(const ArchiveInput& input, const std::string& dir);

}  // namespace kdk
