// The one error type that kdk's library code throws, and how main() shows it.
#pragma once

#include <stdexcept>
#include <string>

namespace kdk {

// An error a user can act on. `where` is "FILE:LINE", "FILE", an option name, or empty.
// `quote` is the offending input line; it is shown indented under the message so that
// the user sees exactly what was parsed.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string where = {}, std::string quote = {})
      : std::runtime_error(message), where_(std::move(where)), quote_(std::move(quote)) {}

  const std::string& where() const noexcept { return where_; }
  const std::string& quote() const noexcept { return quote_; }

  // "kdk: WHERE: MESSAGE\n" plus "    QUOTE\n" when there is a quote.
  std::string render() const;

 private:
  std::string where_;
  std::string quote_;
};

// A command line that does not parse. main() exits 2 for these, 1 for Error.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE", the location format every parser uses.
std::string location(const std::string& file, std::size_t line);

// strerror(errno) as a std::string, for messages about failed system calls.
std::string errno_text(int err);

}  // namespace kdk
