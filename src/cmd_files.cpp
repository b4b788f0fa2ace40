// kdk inittab | fstab: check or edit in place, atomically.
#include <cerrno>
#include <optional>
#include <sys/stat.h>

#include "atomic_file.hpp"
#include "cli.hpp"
#include "error.hpp"
#include "fstab.hpp"
#include "inittab.hpp"

namespace kdk {
namespace {

// The file's content, or "" for a file an edit is about to create.
std::string read_for_edit(const std::string& path, bool must_exist) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT && !must_exist) return {};
  return read_file(path);
}

const std::string& single_file(const Args& args) {
  if (args.positional.size() != 1) throw UsageError("give exactly one FILE");
  return args.positional[0];
}

void require_edit_or_check(const Args& args, bool has_edit) {
  if (args.flag("check") && has_edit) throw UsageError("--check only validates; give it without edits");
  if (!args.flag("check") && !has_edit) throw UsageError("nothing to do: give --check or an edit");
}

void write_if_changed(const std::string& path, const std::string& before, const std::string& after) {
  if (after != before) write_file_atomically(path, after, 0644);
}

}  // namespace

int cmd_inittab(const Args& args) {
  const std::string& path = single_file(args);
  InittabEdit edit;
  edit.set = args.values("set");
  edit.add = args.values("add");
  edit.remove = args.values("remove");
  edit.remove_actions = args.values("remove-action");
  edit.getty = args.values("getty");
  if (auto style = args.value("style")) {
    if (*style == "busybox") edit.style = InitStyle::BusyBox;
    else if (*style == "sysvinit") edit.style = InitStyle::SysV;
    else throw UsageError("unknown --style '" + *style + "': use busybox or sysvinit");
  }
  bool has_edit = !edit.set.empty() || !edit.add.empty() || !edit.remove.empty() || !edit.remove_actions.empty() ||
                  !edit.getty.empty();
  require_edit_or_check(args, has_edit);
  std::optional<EditLock> lock;
  if (!args.flag("check")) lock.emplace(path);  // concurrent edits of the file serialize
  std::string content = read_for_edit(path, args.flag("check"));
  if (args.flag("check")) {
    check_inittab(content, path, edit.style);
    return 0;
  }
  write_if_changed(path, content, edit_inittab(content, path, edit));
  return 0;
}

int cmd_fstab(const Args& args) {
  const std::string& path = single_file(args);
  FstabEdit edit;
  edit.set = args.values("set");
  edit.remove = args.values("remove");
  require_edit_or_check(args, !edit.set.empty() || !edit.remove.empty());
  std::optional<EditLock> lock;
  if (!args.flag("check")) lock.emplace(path);
  std::string content = read_for_edit(path, args.flag("check"));
  if (args.flag("check")) {
    check_fstab(content, path);
    return 0;
  }
  write_if_changed(path, content, edit_fstab(content, path, edit));
  return 0;
}

}  // namespace kdk
