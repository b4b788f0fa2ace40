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
  std::string symbol;     // with the CONFIG_ prefix, as written
  std::string value;      // "y", "m", "n" (for "# CONFIG_X is not set"), a number or a "quoted string"
  std::string origin;     // "FILE:LINE"
  std::string text;       // the line as written
  std::string condition;  // from a "# kdk-if: CONDITION" line right above it; empty: always applies
};

// Parses a fragment or a .config. Blank lines and comments other than "# CONFIG_X is not set"
// and "# kdk-if: ..." are skipped; any other line is an Error with FILE:LINE. A "# kdk-if:"
// line guards the setting on the very next line (kdk's fragment extension; merge_config.sh
// reads it as a comment):
//   # kdk-if: defined            the kernel being configured defines the symbol
//   # kdk-if: linux >= 6.12      its version compares so (also <, <=, >, ==; busybox for BusyBox)
// Several conditions joined by && must all hold. A malformed condition is an Error here.
std::vector<KconfigSetting> parse_kconfig(std::string_view text, const std::string& filename);

struct NamedText {
  std::string name;
  std::string text;
};

struct MergeResult {
  std::string config;                 // the merged file
  std::vector<std::string> warnings;  // one per redefinition between fragments
};

class KconfigIndex;

// Which kernel versions define a Kconfig symbol, for the symbols that some of the catalogued
// kernels define and others do not (kernels/kconfig-catalogue.txt, which `kdk kconfig
// catalogue` writes from source trees). Lines: "SCOPE:SYMBOL VERSION...", SCOPE "*" for
// symbols outside arch/ and an arch/ directory name otherwise; '#' starts a comment.
class KconfigCatalogue {
 public:
  static KconfigCatalogue parse(std::string_view text, const std::string& filename);
  // Writes the catalogue of these trees ({version "6.1", root}), arch/ scopes for `srcarches`.
  static std::string make(const std::vector<std::pair<std::string, std::string>>& trees,
                          const std::vector<std::string>& srcarches);
  // The versions that define SYMBOL (without CONFIG_) outside arch/ or in arch/SRCARCH/; empty
  // when the catalogue does not list it.
  std::vector<std::string> versions(const std::string& symbol, const std::string& srcarch) const;

 private:
  std::map<std::string, std::vector<std::string>> entries_;  // "SCOPE:SYMBOL" -> versions
};

// What a `# kdk-if:` condition is evaluated against: the source tree being configured.
struct KconfigTarget {
  std::string package;            // "linux" or "busybox" (from the tree's top-level files)
  std::vector<int> version;       // {6, 12, 117}; empty when unknown
  const KconfigIndex* index = nullptr;
  std::string srcarch;                        // the arch/ directory the index reads
  const KconfigCatalogue* catalogue = nullptr;  // explains symbols this tree lacks

  // Reads the package and VERSION/PATCHLEVEL/SUBLEVEL from SRC/Makefile.
  static KconfigTarget of_tree(const std::string& root, const KconfigIndex* index);
  std::string describe() const;  // "Linux 6.12.117"
};

// "6.12.117" -> {6, 12, 117}; an Error for anything else.
std::vector<int> parse_version(std::string_view text);

// Whether a setting's `# kdk-if:` condition holds for `target` (true without a condition). A
// condition that needs what `target` lacks (an index for `defined`, a version) is an Error
// naming the setting.
bool setting_applies(const KconfigSetting& setting, const KconfigTarget& target);

// Starts from `base` (a generated .config) and applies each fragment in order: a later setting
// wins. A fragment that changes what an earlier fragment set is warned about, naming both places.
// Settings whose `# kdk-if:` condition does not hold for `target` are left out.
MergeResult merge_kconfig(const NamedText& base, const std::vector<NamedText>& fragments,
                          const KconfigTarget& target = {});

// Every `config SYMBOL` of a source tree with its `depends on` expressions, for explaining why a
// requested option did not stick.
class KconfigIndex {
 public:
  // Reads every Kconfig* / Config.in file below `root`; under arch/ only `srcarch` (if given).
  static KconfigIndex scan(const std::string& root, const std::string& srcarch = {});
  bool knows(const std::string& symbol) const { return depends_.count(symbol) > 0; }
  const std::vector<std::string>& depends_on(const std::string& symbol) const;
  // Whether any definition of the symbol has a prompt (a user can set it); false for def_bool
  // and promptless types, which only `select` and defaults set.
  bool has_prompt(const std::string& symbol) const { return prompted_.count(symbol) > 0; }
  // "A" or "A if EXPR" for each `select SYMBOL` in the tree, in the order found.
  const std::vector<std::string>& selected_by(const std::string& symbol) const;
  std::vector<std::string> symbols() const;

  // Adds the entries of one Kconfig file (exposed for tests).
  void scan_file(const std::string& text);

 private:
  std::map<std::string, std::vector<std::string>> depends_;  // symbol without CONFIG_ -> expressions
  std::map<std::string, std::vector<std::string>> selectors_;
  std::map<std::string, bool> prompted_;
};

struct KconfigProblem {
  KconfigSetting requested;
  std::string message;
};

// The requests (the last setting of each symbol across `fragments` whose `# kdk-if:` holds) that
// the final .config does not satisfy, each explained: the value it got, and with an index, a
// misspelling or renamed symbol, an option only `select` can set, or the `depends on` symbols
// that are off.
std::vector<KconfigProblem> verify_kconfig(std::string_view final_config, const std::vector<KconfigSetting>& fragments,
                                           const KconfigTarget& target = {});

}  // namespace kdk
