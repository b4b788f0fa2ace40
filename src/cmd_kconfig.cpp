// kdk kconfig merge | verify
#include <cstdio>

#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "kconfig.hpp"

namespace kdk {

int cmd_kconfig_merge(const Args& args) {
  auto out = args.value("output");
  if (!out) throw UsageError("missing -o OUT");
  if (args.positional.empty()) throw UsageError("give the BASE config, then the FRAGMENTs");
  NamedText base{args.positional[0], read_file(args.positional[0])};
  std::vector<NamedText> fragments;
  for (std::size_t i = 1; i < args.positional.size(); ++i) {
    fragments.push_back({args.positional[i], read_file(args.positional[i])});
  }
  MergeResult merged = merge_kconfig(base, fragments);
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
  std::optional<KconfigIndex> index;
  if (auto root = args.value("kconfig-root")) index = KconfigIndex::scan(*root, args.value("arch").value_or(""));
  auto problems = verify_kconfig(read_file(config), requested, index ? &*index : nullptr);
  for (const auto& p : problems) std::fputs(Error(p.message, p.requested.origin, p.requested.text).render().c_str(), stderr);
  if (!problems.empty()) {
    throw Error(std::to_string(problems.size()) + " requested option(s) did not stick; fix the fragments above, or the "
                    "options they depend on",
                config);
  }
  return 0;
}

}  // namespace kdk
