// kdk kbuild run | check: let ninja skip a kbuild step whose inputs did not change.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "process.hpp"
#include "kbuild_inputs.hpp"

namespace kdk {
namespace {

std::optional<std::string> read_if_present(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
  return read_file(path);
}

// The label in a record's first line, for messages.
std::string label_of(const std::optional<std::string>& text, const std::string& fallback) {
  constexpr std::string_view header = "kdk kbuild inputs 1 ";
  if (!text || text->compare(0, header.size(), header) != 0) return fallback;
  auto nl = text->find('\n');
  std::string label = text->substr(header.size(), nl == std::string::npos ? std::string::npos : nl - header.size());
  return label.empty() ? fallback : label;
}

}  // namespace

int cmd_kbuild_run(const Args& args) {
  auto objtree = args.value("objtree");
  if (!objtree) throw UsageError("missing --objtree DIR (kbuild's O=, or the module's M= directory)");
  auto records = args.values("record");
  if (records.empty()) throw UsageError("missing --record FILE");
  if (args.positional.empty()) throw UsageError("give the command to run after --");
  if (!args.values("artifact").empty() && !args.value("stamp")) throw UsageError("--artifact goes with --stamp");
  KbuildInputsOptions options;
  options.label = args.value("label").value_or(*objtree);
  options.objtree = *objtree;
  options.srctree = args.value("srctree").value_or("");
  options.tools = args.values("tool");
  options.files = args.values("file");
  options.ignore = args.values("ignore");

  // Without a record, the next check asks kbuild whatever happens to this run.
  for (const auto& r : records) {
    if (unlink(r.c_str()) != 0 && errno != ENOENT) throw Error("cannot remove the old record: " + errno_text(errno), r);
  }
  std::int64_t since = now_ns();
  int status = run_command(args.positional);
  if (status != 0) return status;

  KbuildInputs inputs = collect_kbuild_inputs(options, since, current_environment());
  for (const auto& path : inputs.changed_during_build) {
    std::fprintf(stderr, "kdk: %s: %s changed while kbuild ran; the next build asks kbuild again\n",
                 options.label.c_str(), path.c_str());
  }
  std::string record = render_record(inputs);
  for (const auto& r : records) write_file_atomically(r, record);
  if (auto stamp = args.value("stamp")) {
    auto artifacts = args.values("artifact");
    if (auto order = args.value("modules-order")) {
      // kbuild's modules.order: one module per line, relative to O=, as .o (6.2 on) or .ko.
      if (auto text = read_if_present(*order)) {
        artifacts.push_back(*order);
        std::size_t start = 0;
        while (start < text->size()) {
          auto nl = text->find('\n', start);
          std::string line = text->substr(start, nl == std::string::npos ? std::string::npos : nl - start);
          start = nl == std::string::npos ? text->size() : nl + 1;
          if (line.empty()) continue;
          if (line.size() > 2 && line.compare(line.size() - 2, 2, ".o") == 0) line = line.substr(0, line.size() - 2) + ".ko";
          artifacts.push_back(*objtree + "/" + line);
        }
      }
    }
    std::string fingerprint = artifact_fingerprint(artifacts);
    if (read_if_present(*stamp) != fingerprint) write_file_atomically(*stamp, fingerprint);
  }
  return 0;
}

int cmd_kbuild_check(const Args& args) {
  const auto& p = args.positional;
  if (p.empty() || p.size() % 2 != 0) throw UsageError("give pairs of RECORD INPUTS");
  auto env = current_environment();
  for (std::size_t i = 0; i < p.size(); i += 2) {
    const std::string& record = p[i];
    const std::string& inputs = p[i + 1];
    std::optional<std::string> text;
    try {
      text = read_if_present(record);
    } catch (const Error& e) {
      text = std::string();  // unreadable: damaged
    }
    RecordCheck check = check_record(text, record, env);
    if (!check.up_to_date) {
      std::string fallback = record.substr(record.rfind('/') + 1);
      if (fallback.size() > 7 && fallback.compare(fallback.size() - 7, 7, ".record") == 0) fallback.resize(fallback.size() - 7);
      std::printf("kdk: %s: %s; kbuild decides what to rebuild\n", label_of(text, fallback).c_str(), check.reason.c_str());
      write_file_atomically(inputs, check.reason + "\n");
    } else if (!read_if_present(inputs)) {
      write_file_atomically(inputs, "up to date\n");
    }
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace kdk
