// The fixture of the black-box tests of the kdk binary (cli_test.cpp, image_test.cpp): each case
// runs in its own temporary directory and asserts stdout, stderr, the exit status, and what is
// left on disk.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace kdk_test {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
  long max_rss_kb = 0;  // the peak resident memory of kdk
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void spit(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "kdk-cli-XXXXXX").string();
    base_ = mkdtemp(pattern.data());
    dir_ = base_ + "/work";
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(base_); }

  // Runs `kdk args...` in the test's directory, with `env` added to the environment.
  Result kdk(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    return run(KDK_BINARY, args, env);
  }

  Result run(const std::string& program, const std::vector<std::string>& args, const std::vector<std::string>& env = {},
             bool ordinary_user = false) {
    std::string out = base_ + "/stdout", err = base_ + "/stderr";
    if (ordinary_user && geteuid() == 0) {
      // The test's directory becomes nobody's, and kdk runs as nobody.
      chmod(base_.c_str(), 0755);
      for (const auto& e : fs::recursive_directory_iterator(dir_)) lchown(e.path().c_str(), 65534, 65534);
      lchown(dir_.c_str(), 65534, 65534);
    }
    pid_t pid = fork();
    if (pid == 0) {
      if (ordinary_user && geteuid() == 0 && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) _exit(126);
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int n = open("/dev/null", O_RDONLY);
      dup2(n, 0);
      dup2(o, 1);
      dup2(e, 2);
      setenv("TZ", "UTC", 1);
      unsetenv("SOURCE_DATE_EPOCH");
      for (const auto& kv : env) putenv(const_cast<char*>(kv.c_str()));
      std::vector<char*> argv{const_cast<char*>(program.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err), usage.ru_maxrss};
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    // lexically: fs::relative would follow symlinks and name their targets.
    for (const auto& e : fs::recursive_directory_iterator(dir_)) out.push_back(e.path().lexically_relative(dir_).string());
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string base_;
  std::string dir_;
};

}  // namespace kdk_test
