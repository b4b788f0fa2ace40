#include "error.hpp"

#include <cstring>

namespace kdk {

std::string Error::render() const {
  std::string out = "kdk: ";
  if (!where_.empty()) out += where_ + ": ";
  out += what();
  out += '\n';
  if (!quote_.empty()) out += "    " + quote_ + '\n';
  return out;
}

std::string location(const std::string& file, std::size_t line) {
  return file + ':' + std::to_string(line);
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace kdk
