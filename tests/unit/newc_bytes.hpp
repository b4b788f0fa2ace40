// Hand-made newc archives for tests and fuzzers: any member sequence, however hostile (a
// symlink and a file sharing an inode, a name repeated, no parent directory), which kdk's own
// writer would never produce.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace kdk::test {

struct NewcMember {
  NewcMember() = default;
  NewcMember(std::string name_, std::uint32_t mode_, std::uint32_t ino_, std::uint32_t nlink_, std::string data_,
             std::uint32_t uid_ = 0, std::uint32_t gid_ = 0)
      : name(std::move(name_)), mode(mode_), ino(ino_), nlink(nlink_), data(std::move(data_)), uid(uid_), gid(gid_) {}
  std::string name;
  std::uint32_t mode = 0100644;
  std::uint32_t ino = 0;
  std::uint32_t nlink = 1;
  std::string data;  // a symlink's target, a file's bytes
  std::uint32_t uid = 0, gid = 0;
  std::uint32_t mtime = 0;
  std::uint32_t rdev_major = 0, rdev_minor = 0;
};

inline void pad4(std::string& out) {
  while (out.size() % 4) out += '\0';
}

// One member's header, name and data, padded as newc requires (starting at a 4-byte boundary).
inline std::string newc_member(const NewcMember& m) {
  char header[111];
  std::snprintf(header, sizeof header, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", m.ino, m.mode,
                m.uid, m.gid, m.nlink, m.mtime, static_cast<std::uint32_t>(m.data.size()), 0u, 0u, m.rdev_major,
                m.rdev_minor, static_cast<std::uint32_t>(m.name.size() + 1), 0u);
  std::string out(header, 110);
  out += m.name;
  out += '\0';
  pad4(out);
  out += m.data;
  pad4(out);
  return out;
}

inline std::string newc_archive(const std::vector<NewcMember>& members) {
  std::string out;
  for (const auto& m : members) out += newc_member(m);
  out += newc_member({"TRAILER!!!", 0, 0, 1, ""});
  return out;
}

}  // namespace kdk::test
