#include "kbuild_inputs.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_set>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "error.hpp"

extern char** environ;

namespace kdk {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kHeader = "kdk kbuild inputs 1";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Calls `line` for each line of `text`, without its newline.
template <typename F>
void for_each_line(std::string_view text, F line) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    line(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// One line of a make list continued with backslashes ("a \\", "  $(wildcard b) \\", "c"): hands
// its entry to `out`. Returns false at the line that ends the list.
template <typename F>
bool list_entry(std::string_view line, F&& out) {
  line = trim(line);
  bool more = !line.empty() && line.back() == '\\';
  if (more) line = trim(line.substr(0, line.size() - 1));
  if (line.empty()) return more;
  constexpr std::string_view kWildcard = "$(wildcard ";
  if (line.substr(0, kWildcard.size()) == kWildcard && line.back() == ')') {
    line = trim(line.substr(kWildcard.size(), line.size() - kWildcard.size() - 1));
  }
  if (!line.empty()) out(line);
  return more;
}

// Hands each path a kbuild .cmd file names (source_ and deps_ lists) to `out`.
template <typename F>
void for_each_cmd_dep(std::string_view text, F&& out) {
  bool in_list = false;
  for_each_line(text, [&](std::string_view line) {
    if (in_list) {
      in_list = list_entry(line, out);
      return;
    }
    auto assign = line.find(" := ");
    if (assign == std::string_view::npos) return;
    std::string_view name = line.substr(0, assign);
    std::string_view value = line.substr(assign + 4);
    if (name.substr(0, 7) == "source_") {
      value = trim(value);
      if (!value.empty()) out(value);
    } else if (name.substr(0, 5) == "deps_") {
      in_list = list_entry(value, out);
    }
  });
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      out += s[i] == 'n' ? '\n' : s[i];
    } else {
      out += s[i];
    }
  }
  return out;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool is_under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

// The environment variables kbuild reads, as a sorted map.
std::map<std::string, std::string> kbuild_env(const std::vector<std::string>& env) {
  std::map<std::string, std::string> out;
  for (const auto& e : env) {
    auto eq = e.find('=');
    if (eq == std::string::npos) continue;
    std::string name = e.substr(0, eq);
    if (kbuild_reads_env(name)) out[name] = e.substr(eq + 1);
  }
  return out;
}

// Collects inputs keyed by path, so that each is recorded once.
class Collector {
 public:
  Collector(std::string objtree, std::int64_t since_ns) : objtree_(std::move(objtree)), since_ns_(since_ns) {}

  // Records `path` as it is now: a file or directory with its mtime and size, or absent.
  void add(const std::string& path) {
    if (path.empty() || inputs_.count(path)) return;
    RecordedInput in;
    in.path = path;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      in.kind = RecordedInput::Kind::Absent;
    } else {
      in.mtime_ns = mtime_of(st);
      in.size = S_ISDIR(st.st_mode) ? -1 : static_cast<std::int64_t>(st.st_size);
      if (in.mtime_ns >= since_ns_ && !is_under(path, objtree_) && path != objtree_) {
        // Written while kbuild ran: it may have read the old content. Never matches.
        changed_.push_back(path);
        in.mtime_ns = -1;
      }
    }
    inputs_.emplace(path, std::move(in));
  }
  // `p` as written in a kbuild file: relative to `base`, or absolute.
  void add_relative(const std::string& base, std::string_view p) {
    fs::path path(p);
    if (path.is_relative()) path = fs::path(base) / path;
    add(path.lexically_normal().string());
  }
  void incomplete(const std::string& why) {
    RecordedInput in;
    in.kind = RecordedInput::Kind::Incomplete;
    in.path = why;
    incomplete_.push_back(std::move(in));
  }

  std::map<std::string, RecordedInput> inputs_;
  std::vector<RecordedInput> incomplete_;
  std::vector<std::string> changed_;

 private:

  std::string objtree_;
  std::int64_t since_ns_;
};

std::string normal(const std::string& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return (ec ? fs::path(p) : abs).lexically_normal().string();
}

// Every regular file of `dir` that is not hidden, and `dir` itself.
void add_directory(Collector& c, const std::string& dir) {
  c.add(dir);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, fs::directory_options::skip_permission_denied, ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code type_ec;
    if (e.is_regular_file(type_ec)) c.add(e.path().string());
  }
}

// The file HEAD names, the index and packed-refs of the git directory of `srctree`, when it
// has one: scripts/setlocalversion puts the commit (and -dirty) into the kernel release.
void add_git_state(Collector& c, const std::string& srctree) {
  std::string git = srctree + "/.git";
  struct stat st {};
  if (lstat(git.c_str(), &st) != 0) return;
  std::string gitdir = git;
  if (S_ISREG(st.st_mode)) {  // a worktree: "gitdir: PATH"
    c.add(git);
    std::string text;
    try {
      text = read_file(git);
    } catch (const Error&) {
      return;
    }
    auto line = trim(text.substr(0, text.find('\n')));
    if (line.substr(0, 8) != "gitdir: ") return;
    fs::path p(std::string(trim(line.substr(8))));
    gitdir = (p.is_relative() ? fs::path(srctree) / p : p).lexically_normal().string();
  }
  c.add(gitdir + "/HEAD");
  c.add(gitdir + "/index");
  c.add(gitdir + "/packed-refs");
  try {
    std::string head = read_file(gitdir + "/HEAD");
    auto line = trim(head.substr(0, head.find('\n')));
    if (line.substr(0, 5) == "ref: ") c.add(gitdir + "/" + std::string(trim(line.substr(5))));
  } catch (const Error&) {
  }
}

// `name` as a shell finds it in PATH, or "" when it is not there.
std::string find_in_path(const std::string& name, const std::vector<std::string>& path_dirs) {
  if (name.find('/') != std::string::npos) return normal(name);
  for (const auto& dir : path_dirs) {
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return normal(candidate);
  }
  return {};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto colon = path.find(':', start);
    out.push_back(path.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> parse_cmd_file_deps(std::string_view text) {
  std::vector<std::string> out;
  for_each_cmd_dep(text, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

std::vector<std::string> parse_kconfig_deps(std::string_view text) {
  std::vector<std::string> out;
  bool in_list = false;
  for_each_line(text, [&](std::string_view line) {
    auto add = [&](std::string_view p) { out.emplace_back(p); };
    if (in_list) {
      in_list = list_entry(line, add);
    } else if (trim(line.substr(0, line.find(":="))) == "deps_config") {
      in_list = list_entry(line.substr(line.find(":=") + 2), add);
    }
  });
  return out;
}

bool kbuild_reads_env(std::string_view name) {
  static const std::set<std::string_view> exact = {
      // kbuild (Documentation/kbuild/kbuild.rst)
      "ARCH", "CROSS_COMPILE", "CF", "CHECK", "LOCALVERSION", "MODLIB", "INSTALLKERNEL", "SOURCE_DATE_EPOCH",
      "ALLSOURCE_ARCHS", "LDFLAGS_vmlinux", "PAHOLE", "PYTHON3", "HOSTPKG_CONFIG", "RUSTC", "BINDGEN",
      "O", "M", "KERNELRELEASE", "KERNELVERSION",
      // the tools, through PATH; the shell kbuild runs its scripts with
      "PATH", "CONFIG_SHELL",
      // BusyBox's build
      "CFLAGS", "CPPFLAGS", "LDFLAGS", "LDLIBS", "EXTRA_CFLAGS", "EXTRA_LDFLAGS", "SKIP_STRIP"};
  if (exact.count(name)) return true;
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view s) { return name.size() >= s.size() && name.substr(name.size() - s.size()) == s; };
  if (starts("KBUILD_") || starts("KCONFIG_") || starts("LLVM") || starts("INSTALL_")) return true;
  // KCFLAGS, KCPPFLAGS, KAFLAGS, KRUSTFLAGS; CFLAGS_MODULE, AFLAGS_KERNEL, LDFLAGS_MODULE ...;
  // HOSTCFLAGS, HOSTCXXFLAGS, HOSTLDFLAGS, HOSTLDLIBS; USERCFLAGS, USERLDFLAGS.
  if (starts("K") && ends("FLAGS")) return true;
  if (ends("FLAGS_MODULE") || ends("FLAGS_KERNEL")) return true;
  if (starts("HOST") && (ends("FLAGS") || ends("LIBS"))) return true;
  if (starts("USER") && ends("FLAGS")) return true;
  return false;
}

KbuildInputs collect_kbuild_inputs(const KbuildInputsOptions& options, std::int64_t since_ns,
                                   const std::vector<std::string>& env) {
  const std::string objtree = normal(options.objtree);
  const std::string srctree = options.srctree.empty() ? std::string() : normal(options.srctree);
  Collector c(objtree, since_ns);
  std::size_t cmd_files = 0;
  std::unordered_set<std::string, StringHash, std::equal_to<>> seen;

  std::error_code ec;
  fs::recursive_directory_iterator it(objtree, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw Error("cannot read the kbuild output directory: " + ec.message(), objtree);
  auto visit_dir = [&](const std::string& dir) {
    if (srctree.empty()) return;
    std::string rel = fs::path(dir).lexically_relative(objtree).string();
    std::string src = rel == "." ? srctree : srctree + "/" + rel;
    struct stat st {};
    if (stat(src.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) add_directory(c, src);
  };
  visit_dir(objtree);
  for (; it != end; it.increment(ec)) {
    if (ec) {
      c.incomplete("cannot read " + it->path().string() + ": " + ec.message());
      ec.clear();
      continue;
    }
    std::error_code type_ec;
    if (it->is_symlink(type_ec)) {
      if (it->is_directory(type_ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory(type_ec)) {
      visit_dir(it->path().string());
      continue;
    }
    std::string name = it->path().filename().string();
    if (name.size() > 5 && name[0] == '.' && name.compare(name.size() - 4, 4, ".cmd") == 0) {
      std::string path = it->path().string();
      c.add(path);
      // The file the .cmd file describes (".main.o.cmd": main.o): kbuild rebuilds a deleted one.
      c.add((it->path().parent_path() / name.substr(1, name.size() - 5)).string());
      ++cmd_files;
      std::string text;
      try {
        text = read_file(path);
      } catch (const Error& e) {
        c.incomplete("cannot read " + path + ": " + e.what());
        continue;
      }
      // Thousands of .cmd files name the same headers: each spelling is looked at once.
      for_each_cmd_dep(text, [&](std::string_view dep) {
        if (seen.find(dep) != seen.end()) return;
        seen.emplace(dep);
        c.add_relative(objtree, dep);
      });
    }
  }

  // Kconfig: the files syncconfig read, named relative to the source tree (BusyBox generates
  // some of its Config.in files into O=).
  for (const char* list : {"include/config/auto.conf.cmd", ".kconfig.d"}) {
    std::string path = objtree + "/" + list;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) continue;
    c.add(path);
    for (const auto& dep : parse_kconfig_deps(read_file(path))) {
      if (!srctree.empty()) c.add_relative(srctree, dep);
      std::string in_obj = (fs::path(objtree) / dep).lexically_normal().string();
      struct stat ost {};
      if (stat(in_obj.c_str(), &ost) == 0) c.add(in_obj);
    }
  }
  if (!srctree.empty()) add_git_state(c, srctree);

  std::string path_var;
  for (const auto& e : env) {
    if (e.compare(0, 5, "PATH=") == 0) path_var = e.substr(5);
  }
  auto path_dirs = split_path(path_var);
  for (const auto& tool : options.tools) {
    std::string found = find_in_path(tool, path_dirs);
    if (!found.empty()) c.add(found);
  }
  for (const auto& dir : path_dirs) {
    if (!dir.empty()) c.add(normal(dir));
  }
  for (const auto& f : options.files) c.add(normal(f));

  for (const auto& ignored : options.ignore) c.inputs_.erase(normal(ignored));

  KbuildInputs out;
  out.label = options.label;
  out.changed_during_build = c.changed_;
  for (auto& [_, in] : c.inputs_) out.inputs.push_back(std::move(in));
  for (const auto& [name, value] : kbuild_env(env)) {
    RecordedInput in;
    in.kind = RecordedInput::Kind::Env;
    in.path = name + "=" + value;
    out.inputs.push_back(std::move(in));
  }
  for (auto& in : c.incomplete_) out.inputs.push_back(std::move(in));
  if (cmd_files == 0) {
    RecordedInput in;
    in.kind = RecordedInput::Kind::Incomplete;
    in.path = "kbuild left no .cmd files in " + objtree;
    out.inputs.push_back(std::move(in));
  }
  return out;
}

std::string render_record(const KbuildInputs& inputs) {
  std::string out;
  out += kHeader;
  out += ' ';
  out += escape(inputs.label);
  out += '\n';
  for (const auto& in : inputs.inputs) {
    switch (in.kind) {
      case RecordedInput::Kind::File:
        out += "F " + std::to_string(in.mtime_ns) + " " + std::to_string(in.size) + " " + escape(in.path) + "\n";
        break;
      case RecordedInput::Kind::Absent:
        out += "A " + escape(in.path) + "\n";
        break;
      case RecordedInput::Kind::Env:
        out += "E " + escape(in.path) + "\n";
        break;
      case RecordedInput::Kind::Incomplete:
        out += "I " + escape(in.path) + "\n";
        break;
    }
  }
  out += "end " + std::to_string(inputs.inputs.size()) + " " + hex(fnv1a(out)) + "\n";
  return out;
}

RecordCheck check_record(const std::optional<std::string>& text, const std::string& record_path,
                         const std::vector<std::string>& env) {
  if (!text) return {false, "no record of its inputs (" + record_path + "): first build, or the record was removed"};
  std::string_view t(*text);
  auto damaged = [&](const std::string& why) {
    return RecordCheck{false, "the record of its inputs " + record_path + " is damaged (" + why + ")"};
  };
  if (t.substr(0, kHeader.size()) != kHeader) return damaged("no '" + std::string(kHeader) + "' header");
  if (t.empty() || t.back() != '\n') return damaged("it does not end with a complete line");
  auto last = t.rfind('\n', t.size() - 2);
  if (last == std::string_view::npos) return damaged("no end line");
  std::string_view body = t.substr(0, last + 1);
  std::string_view end_line = t.substr(last + 1, t.size() - last - 2);
  std::size_t count = 0;
  {
    if (end_line.substr(0, 4) != "end ") return damaged("no end line: truncated?");
    auto rest = end_line.substr(4);
    auto space = rest.find(' ');
    if (space == std::string_view::npos) return damaged("a malformed end line");
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + space, count);
    if (ec != std::errc() || p != rest.data() + space || rest.substr(space + 1) != hex(fnv1a(body))) {
      return damaged("its checksum does not match its content");
    }
  }
  std::map<std::string, std::string> recorded_env;
  std::string directory_reason;
  std::size_t seen = 0;
  RecordCheck result{true, {}};
  bool header = true;
  for_each_line(body, [&](std::string_view line) {
    if (header) {
      header = false;
      return;
    }
    if (line.empty()) return;
    ++seen;
    if (!result.up_to_date) return;  // a file's change, or damage: no need to look further
    char kind = line[0];
    std::string_view rest = line.size() > 2 ? line.substr(2) : std::string_view();
    if (kind == 'F') {
      auto s1 = rest.find(' ');
      auto s2 = s1 == std::string_view::npos ? s1 : rest.find(' ', s1 + 1);
      if (s2 == std::string_view::npos) {
        result = damaged("a malformed line");
        return;
      }
      std::int64_t mtime = 0, size = 0;
      std::from_chars(rest.data(), rest.data() + s1, mtime);
      std::from_chars(rest.data() + s1 + 1, rest.data() + s2, size);
      std::string path = unescape(rest.substr(s2 + 1));
      struct stat st {};
      if (stat(path.c_str(), &st) != 0) {
        result = {false, path + " is gone"};
      } else if (mtime_of(st) != mtime || (S_ISDIR(st.st_mode) ? -1 : static_cast<std::int64_t>(st.st_size)) != size) {
        std::string why = path + (mtime < 0 ? " changed while kbuild ran" : " changed");
        // A directory changes with any file in it: keep looking for the file that did.
        if (S_ISDIR(st.st_mode)) {
          if (directory_reason.empty()) directory_reason = why;
        } else {
          result = {false, why};
        }
      }
    } else if (kind == 'A') {
      std::string path = unescape(rest);
      struct stat st {};
      if (stat(path.c_str(), &st) == 0) result = {false, path + " appeared"};
    } else if (kind == 'E') {
      std::string e = unescape(rest);
      auto eq = e.find('=');
      recorded_env[e.substr(0, eq)] = eq == std::string::npos ? std::string() : e.substr(eq + 1);
    } else if (kind == 'I') {
      result = {false, "its last record is incomplete (" + unescape(rest) + ")"};
    } else {
      result = damaged("an unknown line");
    }
  });
  if (!result.up_to_date) return result;
  if (seen != count) return damaged("it has " + std::to_string(seen) + " entries, not " + std::to_string(count));
  if (!directory_reason.empty()) return {false, directory_reason};
  auto now = kbuild_env(env);
  for (const auto& [name, value] : now) {
    auto it = recorded_env.find(name);
    if (it == recorded_env.end()) return {false, "the environment variable " + name + " is now set"};
    if (it->second != value) return {false, "the environment variable " + name + " changed"};
  }
  for (const auto& [name, _] : recorded_env) {
    if (!now.count(name)) return {false, "the environment variable " + name + " is no longer set"};
  }
  return result;
}

std::string artifact_fingerprint(const std::vector<std::string>& paths) {
  std::string out;
  for (const auto& p : paths) {
    struct stat st {};
    if (stat(p.c_str(), &st) != 0) {
      out += escape(p) + " absent\n";
    } else {
      out += escape(p) + " " + std::to_string(mtime_of(st)) + " " + std::to_string(st.st_size) + "\n";
    }
  }
  return out;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

std::int64_t now_ns() {
  // The coarse clock is the one file times come from: a file written after this moment never
  // gets an earlier mtime.
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace kdk
