// Extraction writes only inside its directory, whatever the archive and whatever the directory
// already holds. The property test crafts thousands of member sequences from hostile pieces
// (symlinks out, hard links out, a symlink and a file sharing an inode, repeated names, set-id
// modes, mode 000) and checks after each that nothing outside the directory changed.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "archive_io.hpp"
#include "atomic_file.hpp"
#include "newc_bytes.hpp"
#include "test_util.hpp"

namespace kdk {
namespace {

namespace fs = std::filesystem;
using test::NewcMember;
using test::newc_archive;

// Everything observable about a tree but link counts and change times (removing a hard link
// that was inside the directory changes those of the file it shared, outside).
std::map<std::string, std::string> snapshot(const std::string& top, const std::string& skip) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(top); it != fs::recursive_directory_iterator(); ++it) {
    std::string path = it->path().string();
    if (path == skip) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) continue;
    std::string facts = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) +
                        " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + " " +
                        std::to_string(st.st_ino);
    if (S_ISREG(st.st_mode)) facts += " " + read_file(path);
    if (S_ISLNK(st.st_mode)) facts += " -> " + fs::read_symlink(path).string();
    out[path] = facts;
  }
  return out;
}

// Directories may end up without owner write permission; removal needs it.
void remove_tree(const std::string& dir) {
  std::error_code ignored;
  if (!fs::exists(fs::symlink_status(dir))) return;
  for (auto it = fs::recursive_directory_iterator(dir, ignored); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) chmod(it->path().c_str(), 0700);
  }
  chmod(dir.c_str(), 0700);
  fs::remove_all(dir);
}

class ExtractTree : public ::testing::Test {
 protected:
  void SetUp() override {
    outside = tmp / "outside";
    dest = tmp / "dest";
    test::write(outside + "/f", "outside file\n");
    ASSERT_EQ(chmod((outside + "/f").c_str(), 0644), 0);
    ASSERT_EQ(mkdir((outside + "/d").c_str(), 0755), 0);
    ASSERT_EQ(symlink("f", (outside + "/l").c_str()), 0);
  }

  // What a user may already have in DIR: links that lead out of it.
  void populate_dest() {
    ASSERT_EQ(mkdir(dest.c_str(), 0755), 0);
    ASSERT_EQ(symlink(outside.c_str(), (dest + "/p").c_str()), 0);
    ASSERT_EQ(symlink("../outside/f", (dest + "/q").c_str()), 0);
    ASSERT_EQ(link((outside + "/f").c_str(), (dest + "/h").c_str()), 0);
    ASSERT_EQ(mkdir((dest + "/d").c_str(), 0755), 0);
    ASSERT_EQ(symlink((outside + "/d").c_str(), (dest + "/d/e").c_str()), 0);
  }

  std::string extract(const std::string& bytes) {
    return test::error_of([&] { extract_archive(ArchiveInput{"", bytes}, dest); });
  }

  void expect_no_set_id_or_foreign_owner() {
    for (auto it = fs::recursive_directory_iterator(dest); it != fs::recursive_directory_iterator(); ++it) {
      struct stat st {};
      ASSERT_EQ(lstat(it->path().c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 07000, 0u) << it->path();
      EXPECT_EQ(st.st_uid, geteuid()) << it->path();
      if (S_ISREG(st.st_mode)) {
        EXPECT_TRUE(st.st_mode & S_IRUSR) << it->path();
      }
      if (S_ISDIR(st.st_mode)) {
        EXPECT_EQ(st.st_mode & 0700, 0700u) << it->path();
      }
    }
  }

  test::TempDir tmp;
  std::string outside, dest;
};

TEST_F(ExtractTree, AHardLinkToASymlinkTheArchiveMadeIsRefusedBeforeAnythingIsWritten) {
  // The reported attack: "l" -> a file outside, then a set-id file with l's inode, whose mode
  // libarchive's extraction applied through the symlink.
  std::string bytes = newc_archive({{"l", 0120777, 7, 2, outside + "/f"}, {"x", 0106777, 7, 2, "owned"}});
  std::string error = extract(bytes);
  struct stat st {};
  ASSERT_EQ(stat((outside + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(read_file(outside + "/f"), "outside file\n");
  // The kernel links only regular files to regular files: x is a file of its own.
  EXPECT_EQ(error, "no error");
  EXPECT_EQ(read_file(dest + "/x"), "owned");
  ASSERT_EQ(lstat((dest + "/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u) << "set-id bits are never applied";
}

TEST_F(ExtractTree, AHardLinkToANameTheArchiveTurnedIntoASymlinkIsRefused) {
  std::string bytes = newc_archive({{"a", 0100644, 7, 2, ""}, {"a", 0120777, 8, 1, outside + "/f"}, {"b", 0104777, 7, 2, "x"}});
  EXPECT_EQ(extract(bytes), "kdk: <memory>: member 'b' is a hard link to 'a', which is no longer a regular file this "
                            "archive creates; refusing to extract anything\n");
  EXPECT_FALSE(fs::exists(dest)) << "nothing is written";
  EXPECT_EQ(read_file(outside + "/f"), "outside file\n");
}

TEST_F(ExtractTree, SymlinksAlreadyInTheDirectoryAreNeverFollowed) {
  populate_dest();
  auto before = snapshot(tmp.path(), dest);
  EXPECT_EQ(extract(newc_archive({{"p/x", 0100644, 1, 1, "escaped"}})),
            "kdk: <memory>: member 'p/x': 'p' in " + fs::canonical(dest).string() + " is a symlink; refusing to write through it\n");
  EXPECT_EQ(extract(newc_archive({{"d/e/x", 0100644, 1, 1, "escaped"}})),
            "kdk: <memory>: member 'd/e/x': 'd/e' in " + fs::canonical(dest).string() +
                " is a symlink; refusing to write through it\n");
  // A member that replaces a link replaces the link, not what it leads to.
  EXPECT_EQ(extract(newc_archive({{"q", 0106755, 1, 1, "mine"}, {"h", 0100600, 2, 1, "mine too"}})), "no error");
  EXPECT_EQ(read_file(dest + "/q"), "mine");
  EXPECT_EQ(read_file(dest + "/h"), "mine too");
  EXPECT_EQ(snapshot(tmp.path(), dest), before);
}

TEST_F(ExtractTree, ModesAnOrdinaryUserCannotReadBackAreKeptInTheSpec) {
  std::string bytes = newc_archive({{"locked", 040000, 1, 2, ""},
                                    {"locked/secret", 0100000, 2, 1, "s"},
                                    {"su", 0104755, 3, 1, "x", 0, 0},
                                    {"home", 040750, 4, 2, "", 1000, 1000},
                                    {"tmp", 041777, 5, 2, ""}});
  ExtractReport report = extract_archive(ArchiveInput{"", bytes}, dest);
  std::string spec;
  for (const auto& e : report.spec) spec += format_list_line(e) + "\n";
  std::string root = fs::canonical(dest).string();
  EXPECT_EQ(spec, "dir /locked 0000 0 0\n"
                  "file /locked/secret " + root + "/locked/secret 0000 0 0\n"
                  "file /su " + root + "/su 4755 0 0\n"
                  "dir /home 0750 1000 1000\n"
                  "dir /tmp 1777 0 0\n");
  struct stat st {};
  ASSERT_EQ(stat((dest + "/locked").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(stat((dest + "/locked/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0400u);
  ASSERT_EQ(stat((dest + "/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u);
  expect_no_set_id_or_foreign_owner();
}

// The invariant over many crafted archives: nothing outside DIR changes, whatever the member
// order, the link chains, and what DIR already holds; nothing in DIR is set-id or foreign-owned.
TEST_F(ExtractTree, NothingOutsideTheDirectoryChangesWhateverTheArchive) {
  const std::vector<std::string> names = {"a", "b", "a/b", "a/b/c", "p", "p/x", "q", "q/x", "h", "h/x", "d", "d/e", "d/e/x", "a/h"};
  const std::vector<std::string> targets = {outside, outside + "/f", "../outside/f", "a", "/", "..", "b/../../outside"};
  std::mt19937 random(20261123);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  auto before = snapshot(tmp.path(), dest);
  int extracted = 0, refused = 0;
  for (int round = 0; round < 1500; ++round) {
    remove_tree(dest);
    if (round % 2) populate_dest();
    std::vector<NewcMember> members;
    std::size_t count = 1 + pick(8);
    for (std::size_t i = 0; i < count; ++i) {
      NewcMember m;
      m.name = (pick(8) == 0 ? "/" : "") + names[pick(names.size())];
      m.ino = static_cast<std::uint32_t>(1 + pick(5));  // small: inodes collide, making links
      m.nlink = pick(2) ? 2 : 1;
      m.uid = pick(3) == 0 ? 1000 : 0;
      m.mtime = 1000;
      std::uint32_t perm = pick(3) == 0 ? 06777 : pick(2) ? 0 : 0755;
      switch (pick(6)) {
        case 0: m.mode = 040000 | perm; break;
        case 1: case 2: m.mode = 0120777; m.data = targets[pick(targets.size())]; break;
        case 3: m.mode = 010000 | perm; break;
        case 4: m.mode = 020000 | perm; m.rdev_major = 1; m.rdev_minor = 3; break;
        default: m.mode = 0100000 | perm; m.data = pick(2) ? "data" : ""; break;
      }
      members.push_back(m);
    }
    std::string error = extract(newc_archive(members));
    (error == "no error" ? extracted : refused)++;
    ASSERT_EQ(snapshot(tmp.path(), dest), before) << "round " << round << ": " << error;
    if (fs::exists(dest)) expect_no_set_id_or_foreign_owner();
    if (HasFailure()) return;
  }
  // Both outcomes must be exercised, or the generator tests nothing.
  EXPECT_GT(extracted, 300);
  EXPECT_GT(refused, 100);
  std::printf("%d archives extracted, %d refused\n", extracted, refused);
  remove_tree(dest);
}

}  // namespace
}  // namespace kdk
