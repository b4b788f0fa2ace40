// What goes into an archive, in which order, with which inode numbers: everything about a pack
// except the bytes. Keeping this free of I/O on the archive lets the ordering rules be tested in
// memory and lets `--list-only` share them with the real pack. Host trees are walked, not held:
// the members stream out in archive order, so memory grows with the largest directory and the
// lists, never with the tree.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "initlist.hpp"

namespace kdk {

struct Member {
  std::string name;              // archive path, normalized (see normalize_member_name)
  mode_t mode = 0;               // file type and permission bits
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime = 0;
  std::uint64_t size = 0;        // regular files: bytes of data on disk
  std::string source;            // regular files: host path the data is read from
  bool source_is_link_ok = false;  // a list's source may be a symlink (gen_init_cpio follows it);
                                   // a scanned tree's file must still be the file scanned
  std::string target;            // symlinks: link target
  std::uint32_t rdev_major = 0;  // devices
  std::uint32_t rdev_minor = 0;
  std::string origin;            // where it came from, for errors: "DIR/path" or "LIST:LINE"
  std::string link_key;          // members with the same non-empty key are hard links

  // Filled in by PackPlan::finish().
  std::uint32_t ino = 0;
  std::uint32_t nlink = 1;
  bool carries_data = true;      // false for every hard link but the last: newc stores data once
};

struct PackOptions {
  bool keep_owner = false;             // tree members keep their uid/gid instead of 0:0
  std::optional<std::int64_t> clamp;   // SOURCE_DATE_EPOCH or --mtime: no mtime exceeds it
};

// The largest file newc can hold: its size field is 32 bits.
constexpr std::uint64_t kNewcMaxFileSize = 0xffffffffull;

class PackPlan {
 public:
  explicit PackPlan(PackOptions options) : options_(options) {}

  // Adds a host directory tree (see scan_tree); a later tree overlays earlier ones, and members
  // added with add() or add_list() overlay every tree.
  void add_tree(const std::string& root) { trees_.push_back(root); }
  // Adds gen_init_cpio list entries; they overlay everything added before.
  void add_list(const std::vector<ListEntry>& entries);
  // Adds one member; a member of the same name added earlier is replaced (overlaid).
  void add(Member member);

  // Hands every member to `visit` in archive order: missing parent directories added, parents
  // before children, inodes numbered in order, each hard-linked file's data on its last link.
  // The trees are walked twice: the first walk checks everything and counts hard links, so an
  // error comes before the first member.
  void stream(const std::function<void(const Member&)>& visit) const;
  // stream() into a vector.
  std::vector<Member> finish() const;

 private:
  struct PathLess {
    bool operator()(const std::string& a, const std::string& b) const;
  };
  std::int64_t clamp_mtime(std::int64_t mtime) const;

  class Walk;
  PackOptions options_;
  std::vector<std::string> trees_;
  std::map<std::string, Member, PathLess> members_;  // the overlay: add() and add_list()
  unsigned list_links_ = 0;
};

// Archive order: component by component, so "a/b" sorts right after "a" and before "a-b".
bool path_less(const std::string& a, const std::string& b);

// The gen_init_cpio list equivalent to an archive plan (--list-only). Hard links become one
// `file` line with the extra names; sources are the host paths.
std::string plan_to_list(const std::vector<Member>& members);

}  // namespace kdk
