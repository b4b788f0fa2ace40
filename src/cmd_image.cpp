// kdk image ext4
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "archive_io.hpp"
#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "ext4_image.hpp"
#include "pack_args.hpp"

namespace kdk {

namespace {

// SIZE: N with K, M or G (powers of 1024), at least 8 MiB, at most 16 TiB.
std::uint64_t parse_size(const std::string& text) {
  std::uint64_t unit = 0;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': case 'k': unit = 1ull << 10; break;
      case 'M': case 'm': unit = 1ull << 20; break;
      case 'G': case 'g': unit = 1ull << 30; break;
      default: break;
    }
  }
  if (unit == 0) throw UsageError("--size '" + text + "': give N with K, M or G, such as 512M");
  std::uint64_t n = parse_integer_option("size", text.substr(0, text.size() - 1), 1, (16ull << 40) / unit);
  if (n * unit < (8ull << 20)) throw UsageError("--size " + text + " is too small: at least 8M");
  return n * unit;
}

void check_uuid(const std::string& uuid) {
  bool ok = uuid.size() == 36;
  for (std::size_t i = 0; ok && i < uuid.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    ok = dash ? uuid[i] == '-' : std::isxdigit(static_cast<unsigned char>(uuid[i])) != 0;
  }
  if (!ok) throw UsageError("--uuid '" + uuid + "' is not a UUID (8-4-4-4-12 hexadecimal digits)");
}

// A directory beside OUT for the file data of --tar archives (debugfs writes a member from a
// host file), removed with everything in it when the image is written or not.
class DataDir {
 public:
  explicit DataDir(const std::string& out) {
    std::filesystem::path p(out);
    std::string dir = p.parent_path().empty() ? "." : p.parent_path().string();
    std::string tmpl = dir + "/." + p.filename().string() + ".kdk-tar-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw Error("cannot create a directory for the archive's data: " + errno_text(errno), dir);
    path_ = tmpl;
  }
  ~DataDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  DataDir(const DataDir&) = delete;
  DataDir& operator=(const DataDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

int cmd_image_ext4(const Args& args) {
  auto out = args.value("output");
  if (!out) throw UsageError("missing -o OUT");
  if (*out == "-") throw UsageError("an ext4 image cannot go to standard output: give -o FILE");
  auto tars = args.values("tar");
  if (args.positional.empty() && args.values("spec").empty() && tars.empty()) {
    throw UsageError("nothing to put in the image: give a DIR, --tar ARCHIVE or --spec LIST");
  }
  if (!tars.empty() && !args.positional.empty()) {
    throw UsageError("give the tree as DIRs or as --tar archives, not both (a --spec LIST can go on top of either)");
  }
  Ext4Options ext4;
  if (auto size = args.value("size")) ext4.size_bytes = parse_size(*size);
  if (auto uuid = args.value("uuid")) check_uuid(*uuid), ext4.uuid = *uuid;
  if (auto label = args.value("label")) {
    if (label->size() > 16 || label->find_first_of("\n\"") != std::string::npos) {
      throw UsageError("--label '" + *label + "': at most 16 bytes, without quotes or newlines");
    }
    ext4.label = *label;
  }
  PackOptions options = pack_options(args);
  std::optional<DataDir> data_dir;
  if (!tars.empty()) data_dir.emplace(*out);
  std::vector<Member> members = pack_plan(args, options, [&](PackPlan& plan) {
    for (const auto& tar : tars) {
      TarReport report;
      for (auto& m : read_tar_members(tar, data_dir->path(), report)) plan.add(std::move(m));
      std::fprintf(stderr, "kdk: %s: %llu entries, %.1f MiB of file data\n", tar.c_str(),
                   static_cast<unsigned long long>(report.entries), static_cast<double>(report.data_bytes) / (1 << 20));
      if (!report.xattr_names.empty()) {
        std::string names;
        for (std::size_t i = 0; i < report.xattr_names.size() && i < 5; ++i) names += (i ? ", " : "") + report.xattr_names[i];
        if (report.xattr_names.size() > 5) names += ", ...";
        std::fprintf(stderr, "kdk: %s: the extended attributes (ACLs, capabilities) of %zu members are not carried: %s\n",
                     tar.c_str(), report.xattr_names.size(), names.c_str());
      }
    }
  }).finish();
  std::uint64_t data = 0;
  std::int64_t newest = 0;
  for (const auto& m : members) {
    if (m.carries_data) data += m.size;
    newest = std::max(newest, m.mtime);
  }
  ext4.time = options.clamp ? *options.clamp : newest;

  auto start = std::chrono::steady_clock::now();
  AtomicFile file(*out, 0644);
  std::uint64_t size = ext4.size_bytes ? ext4.size_bytes : ext4_auto_size(members);
  std::fprintf(stderr, "kdk: writing %zu members (%.1f MiB of data) into %s (ext4, %llu MiB)...\n", members.size(),
               static_cast<double>(data) / (1 << 20), out->c_str(), static_cast<unsigned long long>(size >> 20));
  ext4.size_bytes = size;
  try {
    write_ext4_image(file.temp_path(), members, ext4);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + "\n" + *out + " was not written (an existing one is unchanged)", e.where(), e.quote());
  }
  file.commit();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "kdk: wrote %s in %.2f s, checked with e2fsck -fn\n", out->c_str(), seconds);
  return 0;
}

}  // namespace kdk
