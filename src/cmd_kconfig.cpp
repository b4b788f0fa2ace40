// kdk kconfig merge | verify
#include <cstdio>

#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "kconfig.hpp"

namespace kdk {
namespace {

// The source tree named by --kconfig-root (its Kconfig index and version), for explaining
// failures and for `# kdk-if:` conditions; empty without it.
struct Tree {
  std::optional<KconfigIndex> index;
  std::optional<KconfigCatalogue> catalogue;
  KconfigTarget target;
};

Tree tree_of(const Args& args) {
  Tree t;
  if (auto root = args.value("kconfig-root")) {
    t.index = KconfigIndex::scan(*root, args.value("arch").value_or(""));
    t.target = KconfigTarget::of_tree(*root, &*t.index);
    t.target.srcarch = args.value("arch").value_or("");
  } else if (args.value("arch")) {
    throw UsageError("--arch goes with --kconfig-root");
  }
  if (auto file = args.value("catalogue")) {
    t.catalogue = KconfigCatalogue::parse(read_file(*file), *file);
    t.target.catalogue = &*t.catalogue;
  }
  return t;
}

}  // namespace

int cmd_kconfig_merge(const Args& args) {
  auto out = args.value("output");
  if (!out) throw UsageError("missing -o OUT");
  if (args.positional.empty()) throw UsageError("give the BASE config, then the FRAGMENTs");
  NamedText base{args.positional[0], read_file(args.positional[0])};
  std::vector<NamedText> fragments;
  for (std::size_t i = 1; i < args.positional.size(); ++i) {
    fragments.push_back({args.positional[i], read_file(args.positional[i])});
  }
  Tree tree = tree_of(args);
  MergeResult merged = merge_kconfig(base, fragments, tree.target);
  for (const auto& w : merged.warnings) std::fprintf(stderr, "kdk: warning: %s\n", w.c_str());
  write_file_atomically(*out, merged.config);
  return 0;
}

int cmd_kconfig_verify(const Args& args) {
  if (args.positional.size() < 2) throw UsageError("give the CONFIG, then the FRAGMENTs it was made from");
  const std::string& config = args.positional[0];
  std::vector<KconfigSetting> requested;
  for (std::size_t i = 1; i < args.positional.size(); ++i) {
    auto settings = parse_kconfig(read_file(args.positional[i]), args.positional[i]);
    requested.insert(requested.end(), settings.begin(), settings.end());
  }
  Tree tree = tree_of(args);
  auto problems = verify_kconfig(read_file(config), requested, tree.target);
  for (const auto& p : problems) std::fputs(Error(p.message, p.requested.origin, p.requested.text).render().c_str(), stderr);
  if (!problems.empty()) {
    throw Error(std::to_string(problems.size()) + " requested option(s) did not stick; fix the fragments above, or the "
                    "options they depend on",
                config);
  }
  std::size_t guarded = 0, skipped = 0;
  for (const auto& s : requested) {
    if (s.condition.empty()) continue;
    ++guarded;
    if (!setting_applies(s, tree.target)) ++skipped;
  }
  std::printf("kdk: %s has every option its fragments ask for", config.c_str());
  if (guarded) std::printf(" (%zu of %zu '# kdk-if:' settings do not apply to %s)", skipped, guarded, tree.target.describe().c_str());
  std::printf("\n");
  return 0;
}

int cmd_kconfig_catalogue(const Args& args) {
  auto out = args.value("output");
  if (!out) throw UsageError("missing -o OUT");
  if (args.positional.empty()) throw UsageError("give VERSION=SRC for each kernel source tree");
  std::vector<std::pair<std::string, std::string>> trees;
  for (const auto& arg : args.positional) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError("'" + arg + "' is not VERSION=SRC (for example 6.12=/usr/src/linux)");
    trees.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
  }
  std::vector<std::string> arches;
  std::string list = args.value("arches").value_or("x86,arm,arm64,riscv");
  for (std::size_t pos = 0; pos <= list.size();) {
    auto comma = list.find(',', pos);
    arches.push_back(list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  write_file_atomically(*out, KconfigCatalogue::make(trees, arches));
  return 0;
}

}  // namespace kdk
