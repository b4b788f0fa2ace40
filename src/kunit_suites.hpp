// The KUnit suites built into a kernel, read from its vmlinux (an ELF file) without running it:
// the pointers between __kunit_suites_start and __kunit_suites_end (and the __init suites' pair of
// newer kernels), each to a struct kunit_suite whose first member is its name, char[256].
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kdk {

// The suite names in link order. A kernel without KUnit has neither symbol: an empty list.
// Throws Error (naming what is wrong: the ELF header, a section, a pointer) for a file that is not
// a little- or big-endian ELF32/ELF64 executable, or whose suite table points outside its sections.
// A relocatable arm64 vmlinux keeps such pointers as zero with an R_AARCH64_RELATIVE relocation in
// .rela.dyn; those are resolved from the relocation's addend.
std::vector<std::string> kunit_suites_in_elf(std::string_view elf);

}  // namespace kdk
