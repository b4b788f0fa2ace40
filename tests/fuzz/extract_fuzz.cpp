// libFuzzer target: extraction end to end. Bytes in (a raw archive, or, when the first byte is
// "~", a member sequence decoded from the bytes so that links, repeated names and hostile
// orders are common), a tree out in a scratch directory, and then the invariant: nothing beside
// the directory changed (a sentinel file, directory and symlink next to it, and a symlink and a
// hard link inside it that lead to them), and nothing in it is set-id. A violation aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "../unit/newc_bytes.hpp"
#include "archive_io.hpp"
#include "error.hpp"

namespace fs = std::filesystem;

namespace {

struct Sandbox {
  std::string top, outside, dest;
  Sandbox() {
    std::string pattern = (fs::temp_directory_path() / "kdk-extract-fuzz-XXXXXX").string();
    top = mkdtemp(pattern.data());
    outside = top + "/outside";
    dest = top + "/dest";
    fs::create_directories(outside + "/d");
    std::ofstream(outside + "/f") << "sentinel";
    chmod((outside + "/f").c_str(), 0644);
    fs::create_symlink("f", outside + "/l");
    reset_dest();
  }
  ~Sandbox() { fs::remove_all(top); }

  std::string facts() const {
    std::string out;
    for (const auto& e : fs::recursive_directory_iterator(outside)) {
      struct stat st {};
      lstat(e.path().c_str(), &st);
      out += e.path().string() + " " + std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
             std::to_string(st.st_mtim.tv_sec) + " " + std::to_string(st.st_uid) + "\n";
    }
    std::ifstream in(outside + "/f");
    out += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& e : fs::directory_iterator(top)) out += e.path().filename().string() + "\n";
    return out;
  }

  void reset_dest() {
    std::error_code ignored;
    if (fs::exists(fs::symlink_status(dest))) {
      for (auto it = fs::recursive_directory_iterator(dest, ignored); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_symlink(ignored) && it->is_directory(ignored)) chmod(it->path().c_str(), 0700);
      }
      fs::remove_all(dest);
    }
    fs::create_directories(dest);
    fs::create_symlink(outside, dest + "/p");
    fs::create_hard_link(outside + "/f", dest + "/h");
  }
};

// Decodes bytes into members: each takes 3 bytes (kind and mode, name, target or data).
std::string structured(std::string_view in, const std::string& outside) {
  static const char* names[] = {"a", "b", "a/b", "a/b/c", "p", "p/x", "h", "h/x", "/a", "c/d", "a/h", "."};
  const std::string targets[] = {outside, outside + "/f", "../outside/f", "a", "/", "..", "p/x", "h"};
  std::vector<kdk::test::NewcMember> members;
  for (std::size_t i = 0; i + 3 <= in.size() && members.size() < 32; i += 3) {
    auto kind = static_cast<unsigned char>(in[i]), name = static_cast<unsigned char>(in[i + 1]),
         extra = static_cast<unsigned char>(in[i + 2]);
    kdk::test::NewcMember m;
    m.name = names[name % std::size(names)];
    m.ino = 1 + (name >> 4) % 4;
    m.nlink = 1 + (extra >> 7);
    m.uid = (kind & 0x80) ? 1000 : 0;
    std::uint32_t perm = (kind & 0x40) ? 06777 : (kind & 0x20) ? 0 : 0755;
    switch (kind % 5) {
      case 0: m.mode = 040000 | perm; break;
      case 1: m.mode = 0120777; m.data = targets[extra % std::size(targets)]; break;
      case 2: m.mode = 010000 | perm; break;
      case 3: m.mode = 060000 | perm; m.rdev_major = 8; break;
      default: m.mode = 0100000 | perm; m.data = std::string(extra % 5, 'x'); break;
    }
    members.push_back(m);
  }
  return kdk::test::newc_archive(members);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Sandbox sandbox;
  static const std::string expected = sandbox.facts();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string archive = size > 0 && data[0] == '~' ? structured(bytes.substr(1), sandbox.outside) : std::string(bytes);
  sandbox.reset_dest();
  try {
    kdk::extract_archive(kdk::ArchiveInput{"", archive}, sandbox.dest);
  } catch (const kdk::Error&) {
  }
  if (sandbox.facts() != expected) {
    std::fprintf(stderr, "extraction changed something outside its directory:\n%s", sandbox.facts().c_str());
    std::abort();
  }
  std::error_code ignored;
  for (auto it = fs::recursive_directory_iterator(sandbox.dest, ignored); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st {};
    if (lstat(it->path().c_str(), &st) == 0 && (st.st_mode & 07000)) {
      std::fprintf(stderr, "set-id or sticky bit on disk: %s\n", it->path().c_str());
      std::abort();
    }
  }
  return 0;
}
