// The KUnit suite table of a vmlinux, on ELF files built here with the layout the kernel's
// linker script gives: a table of pointers between __kunit_suites_start and __kunit_suites_end,
// each to a struct kunit_suite that starts with char name[256]. (The real kernels of every
// architecture are read by the kunit-suites-<arch> build step and the KUnit boot tests.)
#include "kunit_suites.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "error.hpp"

namespace kdk {
namespace {

struct Options {
  bool wide = true;
  bool big = false;
  bool relocate = false;  // arm64: zero pointers, R_AARCH64_RELATIVE in .rela.dyn
  bool init_table = false;
};

class Bytes {
 public:
  Bytes(bool big) : big_(big) {}
  void put(std::uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) data += static_cast<char>((v >> (8 * (big_ ? n - 1 - i : i))) & 0xff);
  }
  void pad_to(std::size_t n) { data.resize(n, '\0'); }
  std::string data;

 private:
  bool big_;
};

std::string make_elf(const std::vector<std::string>& names, const Options& o) {
  const unsigned ptr = o.wide ? 8 : 4;
  const std::uint64_t base = 0x10000;
  const std::size_t n = names.size();
  // .data: the table, then the suites.
  Bytes data(o.big);
  for (std::size_t i = 0; i < n; ++i) data.put(o.relocate ? 0 : base + ptr * n + 256 * i, ptr);
  for (const auto& name : names) {
    std::string slot = name;
    slot.resize(256, '\0');
    data.data += slot;
  }
  std::string strtab = std::string("\0", 1);
  std::string start = o.init_table ? "__kunit_init_suites_start" : "__kunit_suites_start";
  std::string end = o.init_table ? "__kunit_init_suites_end" : "__kunit_suites_end";
  std::uint32_t start_name = strtab.size();
  strtab += start + '\0';
  std::uint32_t end_name = strtab.size();
  strtab += end + '\0';
  Bytes symtab(o.big);
  auto sym = [&](std::uint32_t name, std::uint64_t value) {
    if (o.wide) {
      symtab.put(name, 4), symtab.put(0, 1), symtab.put(0, 1), symtab.put(1, 2), symtab.put(value, 8), symtab.put(0, 8);
    } else {
      symtab.put(name, 4), symtab.put(value, 4), symtab.put(0, 4), symtab.put(0, 1), symtab.put(0, 1), symtab.put(1, 2);
    }
  };
  sym(0, 0);
  sym(start_name, base);
  sym(end_name, base + ptr * n);
  Bytes rela(o.big);
  for (std::size_t i = 0; o.relocate && i < n; ++i) rela.put(base + ptr * i, 8), rela.put(1027, 8), rela.put(base + ptr * n + 256 * i, 8);

  Bytes f(o.big);
  const std::size_t ehsize = o.wide ? 64 : 52, shentsize = o.wide ? 64 : 40;
  f.pad_to(ehsize);
  struct Sh { std::uint32_t type; std::uint64_t flags, addr, offset, size; std::uint32_t link; };
  std::vector<Sh> sh{{0, 0, 0, 0, 0, 0}};
  auto add = [&](std::uint32_t type, std::uint64_t flags, std::uint64_t addr, const std::string& bytes, std::uint32_t link) {
    f.pad_to((f.data.size() + 15) / 16 * 16);
    sh.push_back({type, flags, addr, f.data.size(), bytes.size(), link});
    f.data += bytes;
  };
  add(1, 3, base, data.data, 0);        // 1: .data, PROGBITS, WRITE|ALLOC
  add(2, 0, 0, symtab.data, 3);         // 2: .symtab -> 3
  add(3, 0, 0, strtab, 0);              // 3: .strtab
  if (o.relocate) add(4, 2, 0x90000, rela.data, 2);  // .rela.dyn, RELA, ALLOC
  f.pad_to((f.data.size() + 7) / 8 * 8);
  std::uint64_t shoff = f.data.size();
  for (const auto& s : sh) {
    if (o.wide) {
      f.put(0, 4), f.put(s.type, 4), f.put(s.flags, 8), f.put(s.addr, 8), f.put(s.offset, 8), f.put(s.size, 8);
      f.put(s.link, 4), f.put(0, 4), f.put(8, 8), f.put(0, 8);
    } else {
      f.put(0, 4), f.put(s.type, 4), f.put(s.flags, 4), f.put(s.addr, 4), f.put(s.offset, 4), f.put(s.size, 4);
      f.put(s.link, 4), f.put(0, 4), f.put(4, 4), f.put(0, 4);
    }
  }
  // The ELF header.
  Bytes h(o.big);
  h.data = "\x7f" "ELF";
  h.put(o.wide ? 2 : 1, 1), h.put(o.big ? 2 : 1, 1), h.put(1, 1), h.pad_to(16);
  h.put(2, 2), h.put(o.wide ? 183 : 40, 2), h.put(1, 4);
  if (o.wide) h.put(0, 8), h.put(0, 8), h.put(shoff, 8);
  else h.put(0, 4), h.put(0, 4), h.put(shoff, 4);
  h.put(0, 4), h.put(ehsize, 2), h.put(0, 2), h.put(0, 2), h.put(shentsize, 2), h.put(sh.size(), 2), h.put(0, 2);
  f.data.replace(0, ehsize, h.data);
  return f.data;
}

const std::vector<std::string> kNames{"list-kunit-test", "example", "kunit_executor_test"};

TEST(KunitSuites, Elf64LittleEndian) { EXPECT_EQ(kunit_suites_in_elf(make_elf(kNames, {})), kNames); }

TEST(KunitSuites, Elf32AndBigEndian) {
  EXPECT_EQ(kunit_suites_in_elf(make_elf(kNames, {.wide = false})), kNames);
  EXPECT_EQ(kunit_suites_in_elf(make_elf(kNames, {.big = true})), kNames);
}

TEST(KunitSuites, RelocatableArm64PointersFromRelaDyn) {
  EXPECT_EQ(kunit_suites_in_elf(make_elf(kNames, {.relocate = true})), kNames);
}

TEST(KunitSuites, InitSuitesTable) {
  EXPECT_EQ(kunit_suites_in_elf(make_elf(kNames, {.init_table = true})), kNames);
}

TEST(KunitSuites, NoKunitIsNoSuites) { EXPECT_TRUE(kunit_suites_in_elf(make_elf({}, {})).empty()); }

std::string error_of(const std::string& elf) {
  try {
    kunit_suites_in_elf(elf);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(KunitSuites, MalformedFilesAreNamedErrors) {
  EXPECT_EQ(error_of("#!/bin/sh\n"), "not an ELF file");
  std::string elf = make_elf(kNames, {});
  EXPECT_EQ(error_of(elf.substr(0, 40)), "not an ELF file");
  EXPECT_EQ(error_of(elf.substr(0, elf.size() - 10)), "the section header table lies outside the file");
  // A pointer into nothing.
  std::string bad = elf;
  std::size_t table = bad.find(std::string("\x18\x00\x01\x00", 4));  // base + 8*3 = 0x10018
  ASSERT_NE(table, std::string::npos);
  bad[table + 2] = '\x7f';
  EXPECT_EQ(error_of(bad), "address 0x7f0018 is in no section with contents");
  // A name that is not text.
  std::string garbage = make_elf({std::string("\x01\x02", 2)}, {});
  EXPECT_EQ(error_of(garbage), "the suite at 0x10008 has no printable name: is this a kernel's vmlinux?");
  // A null pointer without a relocation.
  std::string zero = make_elf(kNames, {.relocate = true});
  std::size_t rela = zero.find(std::string("\x03\x04\x00\x00\x00\x00\x00\x00", 8));  // 1027, the first r_info
  ASSERT_NE(rela, std::string::npos);
  zero[rela] = '\x02';
  EXPECT_EQ(error_of(zero), "the suite pointer at 0x10000 is null and has no relocation");
}

}  // namespace
}  // namespace kdk
