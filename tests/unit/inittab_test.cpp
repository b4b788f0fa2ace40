#include "inittab.hpp"

#include "test_util.hpp"

namespace kdk {
namespace {

using test::error_of;

const std::string kBusyBox =
    "# kdk rootfs inittab\n"
    "::sysinit:/etc/init.d/rcS\n"
    "\n"
    "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n"
    "::ctrlaltdel:/sbin/reboot\n"
    "::shutdown:/bin/umount -a -r";  // no final newline

const std::string kSysV =
    "id:2:initdefault:\n"
    "si::sysinit:/etc/init.d/rcS\n"
    "# gettys\n"
    "1:2345:respawn:/sbin/getty 38400 tty1\n";

InittabEdit set(std::string entry) {
  InittabEdit e;
  e.set.push_back(std::move(entry));
  return e;
}

TEST(Inittab, DetectsTheForm) {
  EXPECT_EQ(check_inittab(kBusyBox, "f"), InitStyle::BusyBox);
  EXPECT_EQ(check_inittab(kSysV, "f"), InitStyle::SysV);
  EXPECT_EQ(check_inittab("", "f"), InitStyle::BusyBox);
  EXPECT_EQ(check_inittab("", "f", InitStyle::SysV), InitStyle::SysV);
}

TEST(Inittab, ProcessMayContainColons) {
  auto e = parse_inittab_entry("::sysinit:/bin/sh -c 'echo a:b'");
  EXPECT_EQ(e.action, "sysinit");
  EXPECT_EQ(e.process, "/bin/sh -c 'echo a:b'");
}

TEST(Inittab, UnknownActionSuggestsOne) {
  EXPECT_EQ(error_of([] { check_inittab("::sysinit:/etc/init.d/rcS\nttyS0::respwn:/sbin/getty\n", "etc/inittab"); }),
            "kdk: etc/inittab:2: unknown action 'respwn' for BusyBox init (did you mean 'respawn'?); BusyBox accepts "
            "sysinit, wait, once, respawn, askfirst, shutdown, restart, ctrlaltdel\n"
            "    ttyS0::respwn:/sbin/getty\n");
}

TEST(Inittab, ActionOfTheOtherFormIsNamedAsSuch) {
  EXPECT_EQ(error_of([] { check_inittab("id:2:initdefault:\n1:2345:askfirst:/bin/sh\n", "f"); }),
            "kdk: f:2: unknown action 'askfirst' for sysvinit; it is a BusyBox action, and this inittab is in sysvinit "
            "form; sysvinit accepts respawn, wait, once, boot, bootwait, off, ondemand, initdefault, sysinit, "
            "powerwait, powerfail, powerokwait, powerfailnow, ctrlaltdel, kbrequest\n"
            "    1:2345:askfirst:/bin/sh\n");
}

TEST(Inittab, WrongFieldCount) {
  EXPECT_EQ(error_of([] { check_inittab("# c\nttyS0:respawn:/sbin/getty\n", "f"); }),
            "kdk: f:2: expected 4 ':'-separated fields <id>:<runlevels>:<action>:<process>, found 3\n"
            "    ttyS0:respawn:/sbin/getty\n");
}

TEST(Inittab, EmptyProcess) {
  EXPECT_EQ(error_of([] { check_inittab("::sysinit:\n", "f"); }),
            "kdk: f:1: the process field is empty: action 'sysinit' needs a command to run\n    ::sysinit:\n");
}

TEST(Inittab, SysVIdLength) {
  EXPECT_EQ(error_of([] { check_inittab("id:2:initdefault:\nabcde:2:respawn:/bin/sh\n", "f", InitStyle::SysV); }),
            "kdk: f:2: sysvinit needs an id of 1 to 4 characters, found 'abcde'\n    abcde:2:respawn:/bin/sh\n");
}

TEST(Inittab, SetReplacesByTtyAndKeepsEveryOtherByte) {
  std::string out = edit_inittab(kBusyBox, "f", set("ttyS0::respawn:/sbin/getty -L 9600 ttyS0 vt100"));
  EXPECT_EQ(out,
            "# kdk rootfs inittab\n"
            "::sysinit:/etc/init.d/rcS\n"
            "\n"
            "ttyS0::respawn:/sbin/getty -L 9600 ttyS0 vt100\n"
            "::ctrlaltdel:/sbin/reboot\n"
            "::shutdown:/bin/umount -a -r");
}

TEST(Inittab, SetAppendsANewEntryAndIsIdempotent) {
  InittabEdit edit = set("ttyAMA0::respawn:/sbin/getty -L 115200 ttyAMA0");
  std::string once = edit_inittab(kBusyBox, "f", edit);
  EXPECT_EQ(once, kBusyBox + "\nttyAMA0::respawn:/sbin/getty -L 115200 ttyAMA0\n");
  EXPECT_EQ(edit_inittab(once, "f", edit), once);
}

TEST(Inittab, SetWithoutTtyIsKeyedByAction) {
  std::string out = edit_inittab(kBusyBox, "f", set("::sysinit:/etc/init.d/rcS.kdk"));
  EXPECT_NE(out.find("::sysinit:/etc/init.d/rcS.kdk\n"), std::string::npos);
  EXPECT_EQ(out.find("::sysinit:/etc/init.d/rcS\n"), std::string::npos);
}

TEST(Inittab, AmbiguousSetIsRefused) {
  std::string two = "::sysinit:/a\n::sysinit:/b\n";
  EXPECT_EQ(error_of([&] { edit_inittab(two, "f", set("::sysinit:/c")); }),
            "kdk: --set: 2 entries have action 'sysinit' with no tty (lines 1, 2), so which to replace is ambiguous; "
            "use --add to add another, or --remove first\n"
            "    ::sysinit:/c\n");
}

TEST(Inittab, AddIsIdempotent) {
  InittabEdit edit;
  edit.add.push_back("::sysinit:/bin/mount -a");
  std::string once = edit_inittab(kBusyBox, "f", edit);
  EXPECT_EQ(edit_inittab(once, "f", edit), once);
  EXPECT_EQ(once, kBusyBox + "\n::sysinit:/bin/mount -a\n");
}

TEST(Inittab, RemoveByTtyAndByAction) {
  InittabEdit edit;
  edit.remove.push_back("/dev/ttyS0");  // BusyBox treats ttyS0 and /dev/ttyS0 alike
  edit.remove_actions.push_back("shutdown");
  EXPECT_EQ(edit_inittab(kBusyBox, "f", edit),
            "# kdk rootfs inittab\n"
            "::sysinit:/etc/init.d/rcS\n"
            "\n"
            "::ctrlaltdel:/sbin/reboot");
}

TEST(Inittab, GettyInBusyBoxForm) {
  InittabEdit edit;
  edit.getty.push_back("ttyAMA0,38400");
  std::string out = edit_inittab("::sysinit:/etc/init.d/rcS\n", "f", edit);
  EXPECT_EQ(out, "::sysinit:/etc/init.d/rcS\nttyAMA0::respawn:/sbin/getty -L 38400 ttyAMA0 vt100\n");
  EXPECT_EQ(edit_inittab(out, "f", edit), out);
}

TEST(Inittab, GettyInSysVForm) {
  InittabEdit edit;
  edit.getty.push_back("ttyS0");
  EXPECT_EQ(edit_inittab(kSysV, "f", edit), kSysV + "S0:2345:respawn:/sbin/getty -L 115200 ttyS0 vt100\n");
}

TEST(Inittab, BadGetty) {
  InittabEdit edit;
  edit.getty.push_back("ttyS0,fast");
  EXPECT_EQ(error_of([&] { edit_inittab("", "f", edit); }),
            "kdk: --getty: bad baud rate 'fast': expected a whole number from 50 to 4000000, such as 115200\n"
            "    ttyS0,fast\n");
  for (std::string baud : {"0", "4000001", "99999999999999999999", "-9600", "9600 "}) {
    InittabEdit e;
    e.getty.push_back("ttyS0," + baud);
    EXPECT_EQ(error_of([&] { edit_inittab("", "f", e); }),
              "kdk: --getty: bad baud rate '" + baud + "': expected a whole number from 50 to 4000000, such as 115200\n"
              "    ttyS0," + baud + "\n");
  }
}

TEST(Inittab, BadSetArgumentIsQuoted) {
  EXPECT_EQ(error_of([] { edit_inittab(kBusyBox, "f", set("ttyS0::respawm:/sbin/getty")); }),
            "kdk: --set: unknown action 'respawm' for BusyBox init (did you mean 'respawn'?); BusyBox accepts "
            "sysinit, wait, once, respawn, askfirst, shutdown, restart, ctrlaltdel\n"
            "    ttyS0::respawm:/sbin/getty\n");
}

TEST(Inittab, CrLfLinesStayByteForByte) {
  std::string crlf = "# c\r\n::sysinit:/etc/init.d/rcS\r\n";
  InittabEdit edit;
  edit.add.push_back("::shutdown:/bin/sync");
  EXPECT_EQ(edit_inittab(crlf, "f", edit), crlf + "::shutdown:/bin/sync\n");
}

// Every edit value is one line: a newline, carriage return, NUL or other control character in it
// would split the entry or corrupt the file for every later edit; an empty --remove would remove
// every BusyBox entry without a tty.
TEST(Inittab, EditValuesAreOneNonEmptyLine) {
  struct Case {
    std::string option, value, message;
  };
  const std::vector<Case> cases = {
      {"--add", std::string("ttyS1::respawn:/bin/sh\n::sysinit:/bin/evil"),
       "kdk: --add: the value has a newline in it; an entry is one line of text, so it is refused\n"
       "    ttyS1::respawn:/bin/sh\\n::sysinit:/bin/evil\n"},
      {"--set", std::string("ttyS1::respawn:/bin/sh\r"),
       "kdk: --set: the value has a carriage return in it; an entry is one line of text, so it is refused\n"
       "    ttyS1::respawn:/bin/sh\\r\n"},
      {"--set", std::string("ttyS1::respawn:/bin/sh\0x", 24),
       "kdk: --set: the value has a NUL in it; an entry is one line of text, so it is refused\n"
       "    ttyS1::respawn:/bin/sh\\x00x\n"},
      {"--remove", std::string("tty\x1b[2J"),
       "kdk: --remove: the value has the control character \\x1b in it; an entry is one line of text, so it is refused\n"
       "    tty\\x1b[2J\n"},
      {"--remove", "", "kdk: --remove: the value is empty; give an entry\n"},
      {"--remove-action", "", "kdk: --remove-action: the value is empty; give an entry\n"},
      {"--getty", "ttyS0\n", "kdk: --getty: the value has a newline in it; an entry is one line of text, so it is refused\n"
                             "    ttyS0\\n\n"},
  };
  for (const auto& c : cases) {
    InittabEdit edit;
    if (c.option == "--add") edit.add.push_back(c.value);
    if (c.option == "--set") edit.set.push_back(c.value);
    if (c.option == "--remove") edit.remove.push_back(c.value);
    if (c.option == "--remove-action") edit.remove_actions.push_back(c.value);
    if (c.option == "--getty") edit.getty.push_back(c.value);
    EXPECT_EQ(error_of([&] { edit_inittab(kBusyBox, "f", edit); }), c.message);
  }
  // A tab is white space, not a control character to refuse.
  EXPECT_EQ(edit_inittab("", "f", set("ttyS1::respawn:/bin/sh\t-l")), "ttyS1::respawn:/bin/sh\t-l\n");
}

}  // namespace
}  // namespace kdk
