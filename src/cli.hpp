// The command line: one table of subcommands, from which dispatch and every --help come.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

struct OptionSpec {
  std::string_view name;        // long name without "--"
  char short_name = 0;          // 0: none
  std::string_view value_name;  // empty: a flag
  std::string_view help;
};

// Parsed options of one subcommand.
class Args {
 public:
  bool flag(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::optional<std::string> value(std::string_view name) const;  // the last one given
  std::vector<std::string> values(std::string_view name) const;   // every one, in order
  std::vector<std::string> positional;

  void add(std::string_view name, std::string value) { values_[std::string(name)].push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

struct Command {
  std::string_view name;      // "cpio pack", "inittab"
  std::string_view summary;   // one line for `kdk --help`
  std::string_view synopsis;  // what follows the name in "usage:"
  std::vector<OptionSpec> options;
  std::string_view details;   // paragraphs after the options
  int (*run)(const Args&);
};

const std::vector<Command>& command_table();

// Parses `args` against `command`'s options. Throws UsageError.
Args parse_args(const Command& command, const std::vector<std::string>& args);

// A numeric option's value, parsed strictly: decimal digits only (no sign, blank, trailing text,
// hex, exponent, nan or inf), within [min, max]. Throws UsageError naming the option, the text
// and the range, so every numeric option fails with exit status 2.
std::uint64_t parse_integer_option(std::string_view option, const std::string& text, std::uint64_t min,
                                   std::uint64_t max);
// Seconds as DIGITS or DIGITS.DIGITS, more than 0 and at most max.
double parse_seconds_option(std::string_view option, const std::string& text, double max);

std::string command_help(const Command& command);
std::string main_help();

// The whole program: dispatch, --help, errors to stderr, and the exit status
// (0 success, 1 error, 2 usage error).
int run_cli(const std::vector<std::string>& argv);

// The subcommands, in cmd_*.cpp.
int cmd_cpio_pack(const Args&);
int cmd_cpio_list(const Args&);
int cmd_cpio_extract(const Args&);
int cmd_image_ext4(const Args&);
int cmd_inittab(const Args&);
int cmd_fstab(const Args&);
int cmd_kconfig_merge(const Args&);
int cmd_kconfig_verify(const Args&);
int cmd_kconfig_catalogue(const Args&);
int cmd_boot(const Args&);
int cmd_report(const Args&);
int cmd_ktap_check(const Args&);
int cmd_ktap_suites(const Args&);
int cmd_port(const Args&);
int cmd_console(const Args&);
int cmd_kbuild_run(const Args&);
int cmd_kbuild_check(const Args&);

}  // namespace kdk
