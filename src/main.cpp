#include <exception>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.hpp"

int main(int argc, char** argv) {
  try {
    return kdk::run_cli(std::vector<std::string>(argv, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kdk: internal error: %s\n", e.what());
    return 1;
  }
}
