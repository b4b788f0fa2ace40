// "Did you mean ...?" for mistyped words: subcommands, options, actions, list keywords.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kdk {

// The candidate closest to `word` by edit distance, or "" when none is close enough
// to be a plausible typo (distance at most 2, and less than the word's length).
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace kdk
