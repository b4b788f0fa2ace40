// An ext4 image of a pack plan's members, without root, loop devices or mke2fs -d: mke2fs makes
// an empty file system, and debugfs (both e2fsprogs) creates every member with the mode, owner,
// device numbers and mtime the plan gives, device nodes included. The same members as a `kdk cpio
// pack` of the same inputs, so the initramfs and the disk image of a build hold the same tree.
// Reproducible: a fixed UUID and directory hash seed, and E2FSPROGS_FAKE_TIME for every time
// e2fsprogs would take from the clock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pack_plan.hpp"

namespace kdk {

struct Ext4Options {
  std::uint64_t size_bytes = 0;  // 0: ext4_auto_size
  std::string uuid = "6b646b00-0000-4000-8000-726f6f746673";  // also the hash seed
  std::string label = "kdk-rootfs";
  std::int64_t time = 0;         // the file system's times (superblock, new inodes, the root)
};

// The debugfs commands that create `members` (in plan order: parents first) in an empty ext4 file
// system and set their metadata. Throws Error, naming the member's origin, for what a debugfs
// script cannot say (a newline in a name) or create (a socket, an empty symlink target).
std::string debugfs_script(const std::vector<Member>& members, std::int64_t root_mtime);

// An image size with room to spare: the members' blocks, a quarter more, and 32 MiB for what the
// guest writes, at least 64 MiB, in whole MiB.
std::uint64_t ext4_auto_size(const std::vector<Member>& members);

// Writes the image into `path`, an existing empty regular file (see AtomicFile). Throws Error
// with the tool's own words when mke2fs, debugfs or the final e2fsck -fn check fails.
void write_ext4_image(const std::string& path, const std::vector<Member>& members, const Ext4Options& options);

}  // namespace kdk
