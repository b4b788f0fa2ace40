#include "cli.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "error.hpp"
#include "suggest.hpp"

namespace kdk {

std::optional<std::string> Args::value(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(std::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

namespace {

// The pack inputs that cpio pack and image ext4 share (pack_args.hpp reads them).
const OptionSpec kMtimeOption{"mtime", 0, "EPOCH",
                              "no mtime exceeds EPOCH seconds, 0 to 4294967295 (newc's limit; default: $SOURCE_DATE_EPOCH when set)"};
const OptionSpec kKeepOwnerOption{"keep-owner", 0, "", "keep the uid and gid of files from DIRs (default: 0:0)"};

}  // namespace

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {"cpio pack",
       "write a newc cpio archive (an initramfs) from directories and gen_init_cpio lists",
       "-o OUT [options] [DIR]...",
       {{"output", 'o', "OUT", "write the archive to OUT ('-' for standard output); written atomically, keeping an existing OUT's mode and owner; a device or FIFO is refused"},
        {"compress", 0, "METHOD", "none (default), gzip, zstd, xz or lz4; xz and lz4 in the forms the kernel unpacks"},
        {"level", 0, "N", "compression level: gzip 0-9, zstd 1-22, xz 0-9, lz4 1-12 (defaults: 6, 3, 6, 9)"},
        {"spec", 0, "LIST", "add the entries of a gen_init_cpio list (repeatable); they come after every DIR"},
        {"list-only", 0, "", "write a gen_init_cpio list instead of an archive (CONFIG_INITRAMFS_SOURCE accepts it)"},
        kMtimeOption,
        kKeepOwnerOption},
       "Each DIR's contents become the archive root; a later DIR overlays earlier ones, and --spec\n"
       "entries overlay all DIRs. Missing parent directories are added as 0755 root:root.\n"
       "The output is reproducible: members are sorted by path with parents first, inodes are\n"
       "numbered in that order, hard links store their data once, on the last link.\n"
       "List lines: file NAME SOURCE MODE UID GID [LINK...] | dir NAME MODE UID GID |\n"
       "nod NAME MODE UID GID b|c MAJOR MINOR | slink NAME TARGET MODE UID GID |\n"
       "pipe NAME MODE UID GID | sock NAME MODE UID GID. ${VAR} in SOURCE is taken from the environment.",
       cmd_cpio_pack},
      {"cpio list",
       "list the members of a cpio archive, like cpio -t (-v: cpio -tv)",
       "[-v] ARCHIVE",
       {{"verbose", 'v', "", "long listing, as cpio -tv prints it"}},
       "ARCHIVE may be '-' for standard input. The kernel's compressions (gzip, zstd, xz, lzma,\n"
       "legacy lz4, bzip2) are detected; a decoder may use at most 128 MiB for its window.\n"
       "The image is read exactly as the kernel unpacks an initramfs: any sequence of\n"
       "uncompressed archives, compressed streams and zero padding, for example an uncompressed\n"
       "early-microcode archive followed by a compressed main archive. Anything else is an\n"
       "error that names its offset.",
       cmd_cpio_list},
      {"cpio extract",
       "extract a cpio archive without root, recording what a plain directory cannot hold",
       "-C DIR [--spec-out LIST] ARCHIVE",
       {{"directory", 'C', "DIR", "extract into DIR (created if missing)"},
        {"spec-out", 0, "LIST", "write what DIR cannot hold (devices, owners, set-id bits, modes) as a gen_init_cpio list"}},
       "Nothing outside DIR is ever opened, changed or linked: every file is created relative to\n"
       "DIR without following a symlink, and a symlink or a non-directory where a parent must be\n"
       "is an error, never followed. An archive with a '..' component, a member that would be\n"
       "written through a symlink it creates, or a hard link to what is not a regular file it\n"
       "creates, is refused before anything is extracted. A leading '/' is stripped.\n"
       "Owners, set-id and sticky bits are never applied, and device nodes never created (root or\n"
       "not); files stay readable and directories writable by whoever extracted them. With\n"
       "--spec-out all of that is recorded, so that 'kdk cpio pack DIR --spec LIST' rebuilds an\n"
       "equivalent image.\n"
       "ARCHIVE may be '-' for standard input, or a FIFO: a stream is first held in an unlinked\n"
       "temporary file in $TMPDIR, because the archive is read twice (checked, then written).",
       cmd_cpio_extract},
      {"image ext4",
       "write an ext4 image of a root filesystem from the same inputs as cpio pack, without root",
       "-o OUT [options] [DIR... | --tar ARCHIVE...]",
       {{"output", 'o', "OUT", "write the image to OUT; written atomically, keeping an existing OUT's mode and owner"},
        {"spec", 0, "LIST", "add the entries of a gen_init_cpio list (repeatable), as for cpio pack: device nodes too"},
        {"tar", 0, "ARCHIVE", "take the tree from a tar archive (repeatable, later ones overlay; any compression), owners and devices as it has them"},
        {"size", 0, "SIZE", "the image's size, N with K, M or G (default: the tree's blocks, a quarter more and 32 MiB, at least 64 MiB)"},
        {"uuid", 0, "UUID", "the file system UUID, also its directory hash seed (default: a fixed one)"},
        {"label", 0, "LABEL", "the volume label, at most 16 bytes (default kdk-rootfs)"},
        kMtimeOption,
        kKeepOwnerOption},
       "The members are those 'kdk cpio pack' would write from the same DIRs and lists, with their\n"
       "modes, owners, device numbers, hard links and mtimes. mke2fs makes an empty ext4 file system\n"
       "and debugfs creates every member in it (e2fsprogs; no root, no loop device, no mke2fs -d),\n"
       "then e2fsck -fn checks the result; any failure leaves OUT as it was. Reproducible: the UUID\n"
       "and hash seed are fixed, and every time e2fsprogs takes from the clock is the EPOCH of\n"
       "--mtime or SOURCE_DATE_EPOCH, or else the newest member's mtime, so the same inputs give the\n"
       "same bytes. A name with a newline, a socket, or a symlink with an empty target is refused.\n"
       "With --tar (such as mmdebstrap's output), members keep the archive's owners, modes and device\n"
       "numbers; file data is staged in a hidden directory beside OUT and removed afterwards. A '..'\n"
       "component or a hard link to what is not an earlier regular file is refused; extended\n"
       "attributes are not carried (the members that had some are named).",
       cmd_image_ext4},
      {"inittab",
       "check or edit an inittab, BusyBox or sysvinit form",
       "FILE [--check] [edits]",
       {{"check", 0, "", "only validate FILE"},
        {"set", 0, "ENTRY", "add ENTRY, or replace the entry with the same id/tty (BusyBox: same action when no tty)"},
        {"add", 0, "ENTRY", "append ENTRY unless an identical entry exists"},
        {"remove", 0, "ID", "remove the entries with this id (BusyBox: this tty)"},
        {"remove-action", 0, "ACTION", "remove the entries with this action"},
        {"getty", 0, "TTY[,BAUD]", "run a serial getty on TTY (default 115200 baud), in the file's own form"},
        {"style", 0, "FORM", "busybox or sysvinit, instead of detecting it (an empty file is busybox)"}},
       "ENTRY is <id>:<runlevels>:<action>:<process>. Edits are applied in the order: removals,\n"
       "--set, --getty, --add. Running the same edit twice changes nothing the second time, and\n"
       "lines the edit does not touch are kept byte for byte. A missing FILE is created.\n"
       "Each value is one line, without control characters. FILE is replaced atomically, keeping its\n"
       "mode, owner and group; a symlink's target is edited; a device or FIFO is refused; concurrent\n"
       "edits take turns (a lock on FILE's directory).",
       cmd_inittab},
      {"fstab",
       "check or edit an fstab",
       "FILE [--check] [edits]",
       {{"check", 0, "", "only validate FILE"},
        {"set", 0, "ENTRY", "add ENTRY, or replace the entry with the same mount point"},
        {"remove", 0, "MOUNTPOINT", "remove the entries for this mount point"}},
       "ENTRY is '<spec> <mount point> <type> <options> [<freq> [<passno>]]'; write a space inside\n"
       "a field as \\040. Running the same edit twice changes nothing the second time, and lines the\n"
       "edit does not touch are kept byte for byte. A missing FILE is created.\n"
       "Each value is one line, without control characters. FILE is replaced atomically, keeping its\n"
       "mode, owner and group; a symlink's target is edited; a device or FIFO is refused; concurrent\n"
       "edits take turns (a lock on FILE's directory).",
       cmd_fstab},
      {"kconfig merge",
       "merge config fragments into a .config, the way merge_config.sh does",
       "-o OUT [--kconfig-root SRC [--arch SRCARCH]] BASE [FRAGMENT]...",
       {{"output", 'o', "OUT", "write the merged config to OUT (may be BASE itself)"},
        {"kconfig-root", 0, "SRC", "the source tree being configured, for '# kdk-if:' conditions"},
        {"arch", 0, "SRCARCH", "with --kconfig-root: read only this arch/ directory (x86, arm, arm64, riscv)"}},
       "BASE is a generated .config (tinyconfig, defconfig, or your own). Each FRAGMENT's settings\n"
       "replace BASE's, and a later fragment wins over an earlier one; when it changes what an\n"
       "earlier fragment set, a warning names both lines. Run 'make olddefconfig' afterwards.\n"
       "A line '# kdk-if: CONDITION' guards the setting right below it, which applies only when\n"
       "CONDITION holds for SRC: 'defined' (SRC's Kconfig files define the symbol), or\n"
       "'linux OP VERSION' with OP one of >= > <= < == (SRC's Makefile version); join with &&.",
       cmd_kconfig_merge},
      {"kconfig verify",
       "check that every option the fragments ask for is in the final .config",
       "[--kconfig-root SRC [--arch SRCARCH] [--catalogue FILE]] CONFIG FRAGMENT...",
       {{"kconfig-root", 0, "SRC", "the source tree: its Kconfig files explain failures, its version decides '# kdk-if:'"},
        {"arch", 0, "SRCARCH", "with --kconfig-root: read only this arch/ directory (x86, arm, arm64, riscv)"},
        {"catalogue", 0, "FILE", "which kernel versions have which symbols (kernels/kconfig-catalogue.txt)"}},
       "Each failure is reported as FRAGMENT:LINE with the value the option actually got, and with\n"
       "--kconfig-root, why: a misspelt or renamed symbol (and with --catalogue, whether it exists\n"
       "only in older or newer kernels), an option without a prompt (only 'select' sets it; its\n"
       "selectors are named), a 'select' that forces it higher, or the dependencies that are off.\n"
       "Settings whose '# kdk-if:' condition does not hold for SRC are not checked (see kconfig\n"
       "merge). The exit status is 1 if any option did not stick.",
       cmd_kconfig_verify},
      {"kconfig catalogue",
       "list the Kconfig symbols that some of several kernel trees define and others do not",
       "-o OUT [--arches SRCARCH,...] VERSION=SRC...",
       {{"output", 'o', "OUT", "write the catalogue to OUT"},
        {"arches", 0, "LIST", "the arch/ directories to catalogue (default x86,arm,arm64,riscv)"}},
       "Each SRC is a kernel source tree and VERSION its version as 6.12. OUT lists, per scope ('*'\n"
       "outside arch/, or an arch/ directory), every symbol that not all the trees define, with the\n"
       "versions that do. kdk kconfig verify --catalogue reads it to say that a symbol a fragment\n"
       "asks for exists only in older or newer kernels. kdk ships kernels/kconfig-catalogue.txt.",
       cmd_kconfig_catalogue},
      {"boot",
       "run QEMU as a test: keep the serial log, match expected lines, fail on a kernel problem",
       "[--log FILE] [--timeout SECONDS] [--expect REGEX]... [--quiet] [--keep-going]\n"
       "          [--metrics FILE [--size NAME=PATH]... [--ctest-measurements]] -- COMMAND [ARG]...",
       {{"log", 0, "FILE", "write everything the command prints (the guest's serial console) to FILE"},
        {"timeout", 0, "SECONDS", "give up after SECONDS, at most 86400 (default 120; fractions allowed)"},
        {"expect", 0, "REGEX", "a line matching REGEX (POSIX extended, searched) must appear, after the previous --expect's line (repeatable)"},
        {"quiet", 'q', "", "do not echo the output; on failure, show its last lines"},
        {"keep-going", 0, "", "a kernel problem still fails the run, but does not end it: the guest runs on (test suites that survive a caught fault, as KUnit's do); a 'Kernel panic - not syncing' still ends it"},
        {"metrics", 0, "FILE", "write the run's figures to FILE as JSON (see below) and print them on one line"},
        {"size", 0, "NAME=PATH", "with --metrics: record PATH's size in bytes as NAME_bytes (repeatable)"},
        {"ctest-measurements", 0, "", "with --metrics: also print the figures as CTest measurements"}},
       "Fails, and ends the run early (unless --keep-going), when a line shows a kernel problem: 'Kernel panic', 'Oops',\n"
       "'BUG:', 'WARNING:', 'Call Trace', 'Unable to handle kernel' or 'general protection fault'. Fails when the guest's /init reports 'kdk-exit-status: N' with N other than 0.\n"
       "When the kernel prints 'reboot: Restarting system', 'reboot: System halted' or 'reboot: Power\n"
       "down' and COMMAND has not exited 3 s later (a machine model without a working reset, such as\n"
       "QEMU 7.2's cubieboard), the run ends there as if it had, and says so.\n"
       "Lines are matched up to their first 4096 bytes (the log keeps every byte); REGEX may not use\n"
       "back-references. COMMAND runs in its own process group under a guardian process, which ends\n"
       "the group and every process it left behind when COMMAND exits, when the run ends or times out,\n"
       "and when kdk itself is interrupted or dies, SIGKILL included. --metrics writes, passed or not:\n"
       "passed, guest_uptime_s (from the guest's first 'kdk: booted in S s' line, or null),\n"
       "host_booted_s (seconds from the start to that line, or null), wall_s (the whole run) and\n"
       "each --size's NAME_bytes; bench/compare-metrics compares two sets of such files.\n"
       "Exit status: 0 passed, 1 failed.",
       cmd_boot},
      {"report",
       "print the kernel's oops or panic report from a serial log, for decode_stacktrace.sh",
       "LOG",
       {},
       "Prints LOG from its first line that shows a kernel problem (the markers 'kdk boot' fails on)\n"
       "to the end, carriage returns removed, and nothing when there is none. Exit status: 0, or 1\n"
       "when LOG cannot be read. `ninja decode` pipes this into the kernel's decode_stacktrace.sh.",
       cmd_report},
      {"ktap check",
       "the verdict on KTAP or TAP test output (KUnit, kselftest) in a serial log, suite by suite",
       "[--suite GLOB]... [--whole-document] [--junit FILE [--junit-name NAME]] LOG",
       {{"suite", 0, "GLOB", "check the top-level tests (KUnit suites) whose names match GLOB, as kunit.filter_glob: 'SUITE[.CASE]', only SUITE is used (repeatable; default: all)"},
        {"junit", 0, "FILE", "also write the checked suites as JUnit XML, one testcase per case, written atomically"},
        {"whole-document", 0, "", "with --suite: also fail when a document holding a checked test planned more tests than it has (kselftest: a test cut off before its result)"},
        {"junit-name", 0, "NAME", "the <testsuites> name in FILE (default: LOG)"}},
       "LOG is a serial log: printk timestamps, kernel messages and any other lines between the test\n"
       "lines are allowed; they become the output of the case that was running. Reads KTAP 1 and TAP\n"
       "13/14: version lines, plans, '# Subtest:', nesting by four spaces, 'ok'/'not ok' with '# SKIP'\n"
       "('not ok # TODO' counts as skipped), and several documents in one log (KUnit prints one for\n"
       "the built-in suites and one per module with suites). A suite passes when its result is 'ok'\n"
       "and every case below passed, every plan was met and every number was in sequence. A suite\n"
       "that began but has no result line (the kernel crashed, hung, or the log was cut off) is\n"
       "INCOMPLETE, with the kernel's crash line when the log has one; with no --suite, a document\n"
       "that planned more suites than it has fails too. A GLOB that matches no suite is an error that\n"
       "names the suites present and the closest one. For each suite that does not pass, the failing\n"
       "cases are printed with the lines printed while they ran (KUnit's expectation messages, an\n"
       "oops). Exit status: 0 passed, 1 failed, 77 every checked suite was skipped.",
       cmd_ktap_check},
      {"ktap suites",
       "list the KUnit suites built into a vmlinux, without booting it",
       "[--match GLOB]... [-o FILE] VMLINUX",
       {{"match", 0, "GLOB", "list only the suites that match GLOB ('SUITE[.CASE]', as --suite); a GLOB that matches none is an error (repeatable)"},
        {"output", 'o', "FILE", "write the list to FILE (atomically) instead of standard output"}},
       "Reads the table of suite pointers between __kunit_suites_start and __kunit_suites_end (and\n"
       "__kunit_init_suites_start/_end) from VMLINUX's symbol table and sections, each suite's name\n"
       "from its struct kunit_suite; a relocatable arm64 vmlinux's pointers come from .rela.dyn.\n"
       "Suites in modules are not listed. One name per line, in the order the kernel runs them.\n"
       "A GLOB that matches no suite names the suites the kernel has and the closest one.",
       cmd_ktap_suites},
      {"kbuild run",
       "run a kbuild step and record what it read, for `kdk kbuild check`",
       "--objtree DIR --record FILE [--srctree DIR] [--tool NAME]... [--file PATH]... [--ignore PATH]... [--stamp FILE --artifact PATH... [--modules-order FILE]] -- COMMAND [ARG]...",
       {{"objtree", 0, "DIR", "kbuild's O= directory (or an M= module's directory): its .cmd files list what each object was built from"},
        {"srctree", 0, "DIR", "the source tree: every file of each directory kbuild descended into, the Kconfig files, git's HEAD and index"},
        {"record", 0, "FILE", "where to write the record (repeatable); removed before COMMAND runs"},
        {"label", 0, "NAME", "the step's name in messages"},
        {"tool", 0, "NAME", "a compiler or binutils program, found in PATH as make finds it (repeatable)"},
        {"file", 0, "PATH", "another input, such as O=/.config (repeatable)"},
        {"stamp", 0, "FILE", "rewritten only when an --artifact's mtime or size changed, for ninja's restat"},
        {"artifact", 0, "PATH", "a file the step produces (repeatable)"},
        {"modules-order", 0, "FILE", "kbuild's modules.order: each module it lists is an artifact too"},
        {"ignore", 0, "PATH", "not an input of this step: another step answers for it (repeatable)"}},
       "Runs COMMAND. When it succeeds, records every input with its mtime and size: the source and\n"
       "headers of every object (the deps lists of the .cmd files), the .cmd files and the objects, every\n"
       "file and the directory itself of each source directory kbuild descended into, the Kconfig\n"
       "files, the tools and PATH's directories, and the environment variables kbuild reads. A source\n"
       "file written while COMMAND ran is recorded as changed. Exit status: COMMAND's.",
       cmd_kbuild_run},
      {"kbuild check",
       "tell ninja which kbuild steps must run: touch INPUTS when anything in RECORD changed",
       "RECORD INPUTS [RECORD INPUTS]...",
       {},
       "For each pair, compares RECORD (from `kdk kbuild run`) with the file system and the\n"
       "environment, and rewrites INPUTS, naming the first difference, when a file changed, appeared\n"
       "or is gone, an environment variable kbuild reads changed, or RECORD is missing, damaged or\n"
       "incomplete. INPUTS is left alone otherwise, so that ninja (restat) skips the step. Exit\n"
       "status: 0, or 1 when INPUTS cannot be written.",
       cmd_kbuild_check},
      {"port",
       "print a free TCP port on 127.0.0.1, or check that one is free",
       "[--check PORT]",
       {{"check", 0, "PORT", "exit 1, naming the port, if PORT on 127.0.0.1 is taken"}},
       "",
       cmd_port},
      {"console",
       "attach the terminal to a guest's serial console or QEMU monitor on a unix socket (ninja console-<arch>, monitor-<arch>)",
       "[--check] SOCKET",
       {{"check", 0, "", "only connect and disconnect: exit 0 when something serves SOCKET, 1 when nothing does"}},
       "Copies the terminal to the console and the console to the terminal. On a terminal, input is\n"
       "raw (Ctrl-C goes to the guest) and Ctrl-] disconnects, leaving the guest running. When standard\n"
       "input is not a terminal (a script), its end is not the session's: what the guest prints is\n"
       "copied until QEMU closes the console. ninja debug-<arch> serves the console on\n"
       "<build>/<arch>/console.sock while gdb holds its terminal (in a tree too deep for a socket's\n"
       "107 bytes, in $XDG_RUNTIME_DIR or /tmp; <build>/<arch>/console.path names it); every boot mode\n"
       "serves the QEMU monitor on <build>/<arch>/monitor.sock (monitor.path) the same way. SOCKET may be\n"
       "longer than 107 bytes: it is reached through its directory. Exit status: 0, or 1 when the\n"
       "console cannot be reached or closes while input is written.",
       cmd_console},
  };
  return table;
}

namespace {

const OptionSpec kHelpOption{"help", 'h', "", "show this help"};

const OptionSpec* find_option(const Command& c, std::string_view name, char short_name) {
  if (name == kHelpOption.name || (short_name && short_name == kHelpOption.short_name)) return &kHelpOption;
  for (const auto& o : c.options) {
    if ((!name.empty() && o.name == name) || (short_name && o.short_name == short_name)) return &o;
  }
  return nullptr;
}

std::string usage_line(const Command& c) { return "usage: kdk " + std::string(c.name) + " " + std::string(c.synopsis); }

}  // namespace

Args parse_args(const Command& command, const std::vector<std::string>& args) {
  Args out;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name;
    char short_name = 0;
    std::optional<std::string> inline_value;
    if (arg[1] == '-') {
      auto eq = arg.find('=');
      name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
    } else {
      short_name = arg[1];
      if (arg.size() > 2) inline_value = arg.substr(2);
    }
    const OptionSpec* spec = find_option(command, name, short_name);
    if (!spec) {
      std::vector<std::string> names{"--help"};
      for (const auto& o : command.options) names.push_back("--" + std::string(o.name));
      std::string shown = short_name ? std::string("-") + short_name : "--" + name;
      throw UsageError("unknown option '" + shown + "'" + did_you_mean(shown, names));
    }
    if (spec->value_name.empty()) {
      if (inline_value && !short_name) throw UsageError("option '--" + name + "' takes no value");
      if (inline_value) {
        // Bundled short flags, as in -vq: only flags may be bundled.
        for (char c : *inline_value) {
          const OptionSpec* bundled = find_option(command, "", c);
          if (!bundled || !bundled->value_name.empty()) {
            throw UsageError("unknown option '-" + std::string(1, c) + "' in '" + arg + "'");
          }
          out.add(bundled->name, "");
        }
      }
      out.add(spec->name, "");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        throw UsageError("option '--" + std::string(spec->name) + "' needs a value: " + std::string(spec->value_name));
      }
      inline_value = args[++i];
    }
    out.add(spec->name, *inline_value);
  }
  return out;
}

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::uint64_t parse_integer_option(std::string_view option, const std::string& text, std::uint64_t min,
                                   std::uint64_t max) {
  std::string range = std::to_string(min) + " to " + std::to_string(max);
  std::uint64_t value = 0;
  if (!all_digits(text)) {
    throw UsageError("--" + std::string(option) + " '" + text + "' is not a whole number (" + range + ")");
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw UsageError("--" + std::string(option) + " " + text + " is out of range: " + range);
  }
  return value;
}

double parse_seconds_option(std::string_view option, const std::string& text, double max) {
  auto dot = text.find('.');
  bool form = all_digits(std::string_view(text).substr(0, dot)) &&
              (dot == std::string::npos || all_digits(std::string_view(text).substr(dot + 1)));
  char limit[32];
  std::snprintf(limit, sizeof limit, "%g", max);
  if (!form) {
    throw UsageError("--" + std::string(option) + " '" + text + "' is not a number of seconds (such as 30 or 2.5)");
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value > 0) || value > max) {
    throw UsageError("--" + std::string(option) + " " + text + " is out of range: more than 0, at most " + limit);
  }
  return value;
}

std::string command_help(const Command& c) {
  std::string out = usage_line(c) + "\n\n" + std::string(1, static_cast<char>(std::toupper(c.summary[0]))) +
                    std::string(c.summary.substr(1)) + ".\n\noptions:\n";
  auto options = c.options;
  options.push_back(kHelpOption);
  for (const auto& o : options) {
    std::string left = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
    left += "--" + std::string(o.name);
    if (!o.value_name.empty()) left += " " + std::string(o.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    else left += "  ";
    out += "  " + left + std::string(o.help) + "\n";
  }
  if (!c.details.empty()) out += "\n" + std::string(c.details) + "\n";
  return out;
}

std::string main_help() {
  std::string out =
      "usage: kdk COMMAND [options]\n\n"
      "The kdk helper: initramfs cpio archives and inittab/fstab editing, without root.\n\n"
      "commands:\n";
  for (const auto& c : command_table()) {
    std::string name(c.name);
    name.resize(16, ' ');
    out += "  " + name + std::string(c.summary) + "\n";
  }
  out += "\nRun 'kdk COMMAND --help' for a command's options. Exit status: 0 success, 1 error, 2 usage error.\n";
  return out;
}

int run_cli(const std::vector<std::string>& argv) {
  std::vector<std::string> args(argv.begin() + (argv.empty() ? 0 : 1), argv.end());
  if (args.empty()) {
    std::fputs(main_help().c_str(), stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(main_help().c_str(), stdout);
    return 0;
  }
  if (args[0] == "--version") {
    std::printf("kdk %s\n", KDK_VERSION);
    return 0;
  }
  const Command* command = nullptr;
  std::size_t words = 0;
  for (const auto& c : command_table()) {
    std::string two = args.size() > 1 ? args[0] + " " + args[1] : "";
    if (c.name == args[0]) command = &c, words = 1;
    if (c.name == two) command = &c, words = 2;
  }
  if (!command) {
    std::vector<std::string> names;
    for (const auto& c : command_table()) names.emplace_back(c.name);
    // A group: cpio, kconfig, kbuild.
    std::vector<std::string> members;
    for (const auto& n : names) {
      if (n.size() > args[0].size() && n.compare(0, args[0].size() + 1, args[0] + " ") == 0) {
        members.push_back(n.substr(args[0].size() + 1));
      }
    }
    bool group = !members.empty();
    std::string typed = group && args.size() > 1 ? args[0] + " " + args[1] : args[0];
    if (group && args.size() == 1) {
      std::string list;
      for (std::size_t i = 0; i < members.size(); ++i) {
        list += (i == 0 ? "" : i + 1 == members.size() ? " or " : ", ") + members[i];
      }
      std::fprintf(stderr, "kdk: '%s' needs a command: %s\nRun 'kdk --help' for the list.\n", args[0].c_str(), list.c_str());
      return 2;
    }
    std::string hint = did_you_mean(typed, names);
    if (hint.empty() && !group && args.size() > 1) hint = did_you_mean(args[0] + " " + args[1], names);
    std::fprintf(stderr, "kdk: unknown command '%s'%s\nRun 'kdk --help' for the list.\n", typed.c_str(), hint.c_str());
    return 2;
  }
  std::vector<std::string> rest(args.begin() + static_cast<long>(words), args.end());
  try {
    Args parsed = parse_args(*command, rest);
    if (parsed.flag("help")) {
      std::fputs(command_help(*command).c_str(), stdout);
      return 0;
    }
    return command->run(parsed);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "kdk %s: %s\n%s\nRun 'kdk %s --help' for details.\n", std::string(command->name).c_str(),
                 e.what(), usage_line(*command).c_str(), std::string(command->name).c_str());
    return 2;
  } catch (const Error& e) {
    std::fputs(e.render().c_str(), stderr);
    return 1;
  }
}

}  // namespace kdk
