#include "tree_scan.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <memory>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.hpp"

namespace kdk {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

}  // namespace

std::vector<std::string> read_dir_names(const std::string& path) {
  std::unique_ptr<DIR, DirCloser> dir(opendir(path.c_str()));
  if (!dir) throw Error("cannot read directory: " + errno_text(errno), path);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* d = readdir(dir.get())) {
    std::string name = d->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  if (errno != 0) throw Error("cannot read directory: " + errno_text(errno), path);
  std::sort(names.begin(), names.end());
  return names;
}

Member host_member(const std::string& host, const std::string& name, const struct stat& st, const PackOptions& options) {
  Member m;
  m.name = name;
  m.mode = st.st_mode;
  m.uid = options.keep_owner ? st.st_uid : 0;
  m.gid = options.keep_owner ? st.st_gid : 0;
  m.mtime = st.st_mtime;
  m.origin = host;
  if (S_ISREG(st.st_mode)) {
    m.size = static_cast<std::uint64_t>(st.st_size);
    m.source = host;
    if (st.st_nlink > 1) m.link_key = "tree:" + std::to_string(st.st_dev) + ':' + std::to_string(st.st_ino);
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
    ssize_t n = readlink(host.c_str(), target.data(), target.size());
    if (n < 0) throw Error("cannot read symlink: " + errno_text(errno), host);
    target.resize(static_cast<std::size_t>(n));
    m.target = std::move(target);
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    m.rdev_major = major(st.st_rdev);
    m.rdev_minor = minor(st.st_rdev);
  }
  return m;
}

void scan_tree(const std::string& dir, const PackOptions&, PackPlan& plan) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) throw Error("cannot pack: " + errno_text(errno), dir);
  if (!S_ISDIR(st.st_mode)) throw Error("not a directory; give a directory, or a list with --spec", dir);
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  plan.add_tree(root);
}

}  // namespace kdk
