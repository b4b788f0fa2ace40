// kdk cpio pack | list | extract
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include "archive_io.hpp"
#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "listing.hpp"
#include "pack_args.hpp"
#include "tree_scan.hpp"

namespace kdk {
namespace {

// newc stores an mtime in 8 hex digits.
constexpr std::uint64_t kMaxMtime = 0xffffffffu;

std::int64_t source_date_epoch(const std::string& text) {
  try {
    return static_cast<std::int64_t>(parse_integer_option("mtime", text, 0, kMaxMtime));
  } catch (const UsageError&) {
    throw Error("'" + text + "' is not a number of seconds since the epoch from 0 to " + std::to_string(kMaxMtime) +
                    " (newc's limit); fix or unset it",
                "SOURCE_DATE_EPOCH");
  }
}

struct LevelRange {
  Compression compression;
  std::uint64_t min, max;
};
constexpr LevelRange kLevels[] = {{Compression::Gzip, 0, 9}, {Compression::Zstd, 1, 22}, {Compression::Xz, 0, 9},
                                  {Compression::Lz4, 1, 12}};

std::string mib(std::uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// Progress on a terminal only: scripts and ninja logs get silence, people get a live count.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void update(const PackStats& s) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    std::fprintf(stderr, "\rkdk: packed %llu members, %s", static_cast<unsigned long long>(s.members), mib(s.data_bytes).c_str());
  }
  void done(const PackStats& s, const std::string& out, Compression c) {
    if (!enabled_) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\rkdk: packed %llu members, %s of data, into %s (%s, %s) in %.2f s\n",
                 static_cast<unsigned long long>(s.members), mib(s.data_bytes).c_str(), out.c_str(),
                 mib(s.output_bytes).c_str(), std::string(compression_name(c)).c_str(), seconds);
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

PackOptions pack_options(const Args& args) {
  PackOptions options;
  options.keep_owner = args.flag("keep-owner");
  if (auto mtime = args.value("mtime")) {
    options.clamp = static_cast<std::int64_t>(parse_integer_option("mtime", *mtime, 0, kMaxMtime));
  } else if (auto env = process_env("SOURCE_DATE_EPOCH"); env && !env->empty()) {  // empty means unset
    options.clamp = source_date_epoch(*env);
  }
  return options;
}

PackPlan pack_plan(const Args& args, const PackOptions& options, const std::function<void(PackPlan&)>& base) {
  PackPlan plan(options);
  if (base) base(plan);
  for (const auto& dir : args.positional) scan_tree(dir, options, plan);
  for (const auto& spec : args.values("spec")) plan.add_list(parse_init_list(read_file(spec), spec));
  return plan;
}

int cmd_cpio_pack(const Args& args) {
  auto out = args.value("output");
  if (!out) throw UsageError("missing -o OUT");
  auto specs = args.values("spec");
  if (args.positional.empty() && specs.empty()) throw UsageError("nothing to pack: give a DIR or --spec LIST");
  WriteSettings settings;
  if (auto c = args.value("compress")) {
    auto parsed = parse_compression(*c);
    if (!parsed) throw UsageError("unknown compression '" + *c + "': use none, gzip, zstd, xz or lz4");
    settings.compression = *parsed;
  }
  if (auto level = args.value("level")) {
    if (settings.compression == Compression::None) throw UsageError("--level needs --compress");
    for (const auto& r : kLevels) {
      if (r.compression == settings.compression) settings.level = static_cast<int>(parse_integer_option("level", *level, r.min, r.max));
    }
  }
  if (args.flag("list-only") && (args.value("compress") || args.value("level"))) {
    throw UsageError("--list-only writes a list, which is not compressed");
  }
  PackOptions options = pack_options(args);
  PackPlan plan = pack_plan(args, options);
  MemberStream members = [&](const std::function<void(const Member&)>& each) { plan.stream(each); };

  if (args.flag("list-only")) {
    std::string list = plan_to_list(plan.finish());
    if (*out == "-") {
      std::fwrite(list.data(), 1, list.size(), stdout);
    } else {
      write_file_atomically(*out, list);
    }
    return 0;
  }
  // A compressor that exits early makes writes to it fail with EPIPE, which kdk reports after
  // removing its temporary file, instead of SIGPIPE killing kdk before it can.
  std::signal(SIGPIPE, SIG_IGN);
  Progress progress(isatty(2) && *out != "-");
  auto report = [&](const PackStats& s) { progress.update(s); };
  PackStats stats;
  if (*out == "-") {
    if (isatty(1)) throw Error("refusing to write an archive to a terminal; redirect standard output or use -o FILE", "-o -");
    stats = write_newc(members, 1, settings, report);
  } else {
    AtomicFile file(*out, 0644);
    try {
      stats = write_newc(members, file.fd(), settings, report);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + "; " + *out + " was not written (an existing one is unchanged)", e.where());
    }
    file.commit();
  }
  progress.done(stats, *out, settings.compression);
  return 0;
}

int cmd_cpio_list(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give exactly one ARCHIVE");
  bool verbose = args.flag("verbose");
  std::time_t now = std::time(nullptr);
  read_archive({args.positional[0], std::nullopt}, [&](const EntryInfo& e) {
    std::string line = verbose ? long_listing(e, now) : e.name;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  });
  return std::fflush(stdout) == 0 ? 0 : 1;
}

int cmd_cpio_extract(const Args& args) {
  auto dir = args.value("directory");
  if (!dir) throw UsageError("missing -C DIR");
  if (args.positional.size() != 1) throw UsageError("give exactly one ARCHIVE");
  const std::string& archive = args.positional[0];
  ExtractReport report = extract_archive(archive, *dir);
  if (report.stripped_absolute) {
    std::fprintf(stderr, "kdk: warning: %s: removed the leading '/' from member names\n", archive.c_str());
  }
  if (auto spec_out = args.value("spec-out")) {
    std::string list = "# Written by kdk cpio extract from " + archive +
                       ": what the extracted tree cannot hold.\n# Repack with: kdk cpio pack -o OUT " + *dir +
                       " --spec " + *spec_out + "\n";
    for (const auto& e : report.spec) list += format_list_line(e) + '\n';
    write_file_atomically(*spec_out, list);
  } else {
    std::size_t devices = 0;
    std::string example;
    for (const auto& e : report.spec) {
      if (e.type == ListType::Nod || e.type == ListType::Sock) {
        if (!devices++) example = "/" + e.name;
      }
    }
    if (devices) {
      std::fprintf(stderr,
                   "kdk: warning: %s: %zu device node(s) or socket(s) not created (%s, ...); "
                   "use --spec-out LIST to keep them for repacking\n",
                   archive.c_str(), devices, example.c_str());
    }
  }
  return 0;
}

}  // namespace kdk
