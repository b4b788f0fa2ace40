// "Did you mean ...?" for mistyped words: subcommands, options, actions, list keywords.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kdk {

// The candidate closest to `word` by edit distance, or "" when none is close enough
// to be a plausible typo (distance below `limit`, 3 by default, and below the word's length).
// A tie between the closest two is no match.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates, std::size_t limit = 3);

// " (did you mean 'X'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace kdk
