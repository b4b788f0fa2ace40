#include "fstab.hpp"

#include "test_util.hpp"

namespace kdk {
namespace {

using test::error_of;

const std::string kFstab =
    "# <fs>\t<mount>\t<type>\t<options>\t<dump>\t<pass>\n"
    "proc\t/proc\tproc\tdefaults\t0\t0\n"
    "\n"
    "/dev/sda1\t/mnt/my\\040disk\text4\tro\t0\t2\n";

FstabEdit set(std::string entry) {
  FstabEdit e;
  e.set.push_back(std::move(entry));
  return e;
}

TEST(Fstab, AcceptsFourToSixFields) {
  EXPECT_NO_THROW(check_fstab("none /sys sysfs defaults\nnone /t tmpfs defaults 0\n" + kFstab, "f"));
}

TEST(Fstab, FieldCount) {
  EXPECT_EQ(error_of([] { check_fstab("proc /proc proc\n", "etc/fstab"); }),
            "kdk: etc/fstab:1: 3 fields; an fstab entry has 4 to 6: <spec> <mount point> <type> <options> "
            "[<freq> [<passno>]]\n"
            "    proc /proc proc\n");
  EXPECT_EQ(error_of([] { check_fstab("# x\nproc /proc proc defaults 0 0 0\n", "f"); }),
            "kdk: f:2: 7 fields; an fstab entry has 4 to 6: <spec> <mount point> <type> <options> "
            "[<freq> [<passno>]]\n"
            "    proc /proc proc defaults 0 0 0\n");
}

TEST(Fstab, NumericFreqAndPassno) {
  EXPECT_EQ(error_of([] { check_fstab("proc /proc proc defaults 0 x\n", "f"); }),
            "kdk: f:1: passno field 'x' is not a number\n    proc /proc proc defaults 0 x\n");
  EXPECT_EQ(error_of([] { check_fstab("proc /proc proc defaults no\n", "f"); }),
            "kdk: f:1: freq field 'no' is not a number\n    proc /proc proc defaults no\n");
}

TEST(Fstab, Escapes) {
  EXPECT_EQ(fstab_unescape("/mnt/my\\040disk\\134"), "/mnt/my disk\\");
  EXPECT_EQ(error_of([] { check_fstab("/dev/sdb /mnt/a\\ b ext4 defaults\n", "f"); }),
            "kdk: f:1: mount point field: bad escape in '/mnt/a\\': a backslash must start a 3-digit octal escape, "
            "such as \\040 for a space, \\011 for a tab or \\134 for a backslash\n"
            "    /dev/sdb /mnt/a\\ b ext4 defaults\n");
}

TEST(Fstab, MountPointMustBeAbsolute) {
  EXPECT_EQ(error_of([] { check_fstab("proc proc proc defaults\n", "f"); }),
            "kdk: f:1: mount point 'proc' is not an absolute path (only swap entries may use 'none')\n"
            "    proc proc proc defaults\n");
  EXPECT_NO_THROW(check_fstab("/dev/sda2 none swap sw 0 0\n", "f"));
}

TEST(Fstab, SetReplacesByMountPointInTheFilesStyle) {
  EXPECT_EQ(edit_fstab(kFstab, "f", set("proc /proc proc nosuid,noexec 0 0")),
            "# <fs>\t<mount>\t<type>\t<options>\t<dump>\t<pass>\n"
            "proc\t/proc\tproc\tnosuid,noexec\t0\t0\n"
            "\n"
            "/dev/sda1\t/mnt/my\\040disk\text4\tro\t0\t2\n");
}

TEST(Fstab, SetMatchesEscapedMountPoints) {
  std::string out = edit_fstab(kFstab, "f", set("/dev/sdb1 /mnt/my\\040disk ext4 rw 0 2"));
  EXPECT_NE(out.find("/dev/sdb1\t/mnt/my\\040disk\text4\trw\t0\t2\n"), std::string::npos);
  EXPECT_EQ(out.find("/dev/sda1"), std::string::npos);
}

TEST(Fstab, SetAppendsAndIsIdempotent) {
  FstabEdit edit = set("tmpfs /tmp tmpfs mode=1777 0 0");
  std::string once = edit_fstab(kFstab, "f", edit);
  EXPECT_EQ(once, kFstab + "tmpfs\t/tmp\ttmpfs\tmode=1777\t0\t0\n");
  EXPECT_EQ(edit_fstab(once, "f", edit), once);
}

TEST(Fstab, SpaceSeparatedFileGetsSpaces) {
  EXPECT_EQ(edit_fstab("proc /proc proc defaults 0 0", "f", set("sysfs /sys sysfs defaults 0 0")),
            "proc /proc proc defaults 0 0\nsysfs /sys sysfs defaults 0 0\n");
}

TEST(Fstab, RemoveIsIdempotent) {
  FstabEdit edit;
  edit.remove.push_back("/proc");
  std::string once = edit_fstab(kFstab, "f", edit);
  EXPECT_EQ(once,
            "# <fs>\t<mount>\t<type>\t<options>\t<dump>\t<pass>\n"
            "\n"
            "/dev/sda1\t/mnt/my\\040disk\text4\tro\t0\t2\n");
  EXPECT_EQ(edit_fstab(once, "f", edit), once);
}

TEST(Fstab, BadSetArgumentIsQuoted) {
  EXPECT_EQ(error_of([] { edit_fstab(kFstab, "f", set("tmpfs /tmp tmpfs")); }),
            "kdk: --set: 3 fields; an fstab entry has 4 to 6: <spec> <mount point> <type> <options> "
            "[<freq> [<passno>]]\n"
            "    tmpfs /tmp tmpfs\n");
}

// Every edit value is one line, and not empty (see Inittab.EditValuesAreOneNonEmptyLine).
TEST(Fstab, EditValuesAreOneNonEmptyLine) {
  FstabEdit add;
  add.set.push_back("tmpfs /tmp tmpfs defaults 0 0\nproc /evil proc defaults 0 0");
  EXPECT_EQ(error_of([&] { edit_fstab("", "f", add); }),
            "kdk: --set: the value has a newline in it; an entry is one line of text, so it is refused\n"
            "    tmpfs /tmp tmpfs defaults 0 0\\nproc /evil proc defaults 0 0\n");
  FstabEdit nul;
  nul.set.push_back(std::string("tmpfs /tmp\0 tmpfs defaults", 26));
  EXPECT_EQ(error_of([&] { edit_fstab("", "f", nul); }),
            "kdk: --set: the value has a NUL in it; an entry is one line of text, so it is refused\n"
            "    tmpfs /tmp\\x00 tmpfs defaults\n");
  FstabEdit empty;
  empty.remove.push_back("");
  EXPECT_EQ(error_of([&] { edit_fstab("proc /proc proc defaults 0 0\n", "f", empty); }),
            "kdk: --remove: the value is empty; give an entry\n");
}

}  // namespace
}  // namespace kdk
