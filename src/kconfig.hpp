// .config files and config fragments: merging them the way scripts/kconfig/merge_config.sh
// does, and checking afterwards that every option a fragment asked for is in the final .config.
// Works for the kernel's Kconfig and BusyBox's Config.in alike.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kdk {

struct KconfigSetting {
  std::string symbol;  // with the CONFIG_ prefix, as written
  std::string value;   // "y", "m", "n" (for "# CONFIG_X is not set"), a number or a "quoted string"
  std::string origin;  // "FILE:LINE"
  std::string text;    // the line as written
};

// Parses a fragment or a .config. Blank lines and comments other than "# CONFIG_X is not set"
// are skipped; any other line is an Error with FILE:LINE.
std::vector<KconfigSetting> parse_kconfig(std::string_view text, const std::string& filename);

struct NamedText {
  std::string name;
  std::string text;
};

struct MergeResult {
  std::string config;                 // the merged file
  std::vector<std::string> warnings;  // one per redefinition between fragments
};

// Starts from `base` (a generated .config) and applies each fragment in order: a later setting
// wins. A fragment that changes what an earlier fragment set is warned about, naming both places.
MergeResult merge_kconfig(const NamedText& base, const std::vector<NamedText>& fragments);

// Every `config SYMBOL` of a source tree with its `depends on` expressions, for explaining why a
// requested option did not stick.
class KconfigIndex {
 public:
  // Reads every Kconfig* / Config.in file below `root`; under arch/ only `srcarch` (if given).
  static KconfigIndex scan(const std::string& root, const std::string& srcarch = {});
  bool knows(const std::string& symbol) const { return depends_.count(symbol) > 0; }
  const std::vector<std::string>& depends_on(const std::string& symbol) const;
  std::vector<std::string> symbols() const;

  // Adds the entries of one Kconfig file (exposed for tests).
  void scan_file(const std::string& text);

 private:
  std::map<std::string, std::vector<std::string>> depends_;  // symbol without CONFIG_ -> expressions
};

struct KconfigProblem {
  KconfigSetting requested;
  std::string message;
};

// The requests (the last setting of each symbol across `fragments`) that the final .config does
// not satisfy, each explained: the value it got, and with an index, a misspelling or the
// `depends on` symbols that are off.
std::vector<KconfigProblem> verify_kconfig(std::string_view final_config, const std::vector<KconfigSetting>& fragments,
                                           const KconfigIndex* index = nullptr);

}  // namespace kdk
