#include "listing.hpp"

#include <cstdio>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

namespace kdk {
namespace {

std::string user_name(std::uint32_t uid) {
  if (const passwd* pw = getpwuid(uid)) return pw->pw_name;
  return std::to_string(uid);
}

std::string group_name(std::uint32_t gid) {
  if (const group* gr = getgrgid(gid)) return gr->gr_name;
  return std::to_string(gid);
}

}  // namespace

std::string mode_string(mode_t mode) {
  std::string s = "?rwxrwxrwx";
  switch (mode & S_IFMT) {
    case S_IFREG: s[0] = '-'; break;
    case S_IFDIR: s[0] = 'd'; break;
    case S_IFLNK: s[0] = 'l'; break;
    case S_IFCHR: s[0] = 'c'; break;
    case S_IFBLK: s[0] = 'b'; break;
    case S_IFIFO: s[0] = 'p'; break;
    case S_IFSOCK: s[0] = 's'; break;
  }
  for (int i = 0; i < 9; ++i) {
    if (!(mode & (0400 >> i))) s[1 + i] = '-';
  }
  auto special = [&](int index, mode_t bit, char set_exec, char set_noexec) {
    if (mode & bit) s[index] = s[index] == '-' ? set_noexec : set_exec;
  };
  special(3, S_ISUID, 's', 'S');
  special(6, S_ISGID, 's', 'S');
  special(9, S_ISVTX, 't', 'T');
  return s;
}

std::string long_listing(const EntryInfo& e, std::time_t now) {
  // GNU cpio formats ctime() and cuts it: "Mon dd hh:mm", or "Mon dd  yyyy" when the time is more
  // than six months old or in the future.
  std::time_t when = static_cast<std::time_t>(e.mtime);
  char timebuf[32];
  std::tm tm {};
  localtime_r(&when, &tm);
  bool show_year = now - when > 6L * 30L * 24L * 60L * 60L || now - when < 0;
  std::strftime(timebuf, sizeof timebuf, show_year ? "%b %e  %Y" : "%b %e %H:%M", &tm);

  char head[96];
  std::snprintf(head, sizeof head, "%s %3lu %-8.8s %-8.8s ", mode_string(e.mode).c_str(),
                static_cast<unsigned long>(e.nlink), user_name(e.uid).c_str(), group_name(e.gid).c_str());
  char size[48];
  if (S_ISCHR(e.mode) || S_ISBLK(e.mode)) {
    std::snprintf(size, sizeof size, "%3lu, %3lu ", static_cast<unsigned long>(e.rdev_major),
                  static_cast<unsigned long>(e.rdev_minor));
  } else {
    std::snprintf(size, sizeof size, "%8llu ", static_cast<unsigned long long>(e.size));
  }
  std::string line = std::string(head) + size + timebuf + " " + e.name;
  if (S_ISLNK(e.mode)) line += " -> " + e.symlink;
  return line;
}

}  // namespace kdk
