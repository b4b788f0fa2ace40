#include "kunit_suites.hpp"

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>

#include "error.hpp"

namespace kdk {
namespace {

constexpr std::size_t kNameBytes = 256;  // struct kunit_suite's char name[256]
constexpr std::uint32_t kShtSymtab = 2, kShtRela = 4, kShtNobits = 8;
constexpr std::uint64_t kShfAlloc = 2;
constexpr std::uint32_t kRAarch64Relative = 1027;

class Elf {
 public:
  explicit Elf(std::string_view data) : data_(data) {
    if (data.size() < 52 || data.substr(0, 4) != "\x7f" "ELF") throw Error("not an ELF file");
    unsigned cls = static_cast<unsigned char>(data[4]);
    unsigned enc = static_cast<unsigned char>(data[5]);
    if (cls != 1 && cls != 2) throw Error("ELF class " + std::to_string(cls) + " is neither ELF32 nor ELF64");
    if (enc != 1 && enc != 2) throw Error("ELF data encoding " + std::to_string(enc) + " is neither little nor big endian");
    wide_ = cls == 2;
    big_ = enc == 2;
    if (wide_ && data.size() < 64) throw Error("the ELF header is cut short");
    std::uint64_t shoff = wide_ ? u64(0x28) : u32(0x20);
    std::uint32_t shentsize = u16(wide_ ? 0x3a : 0x2e);
    std::uint32_t shnum = u16(wide_ ? 0x3c : 0x30);
    if (shentsize != (wide_ ? 64u : 40u)) throw Error("section header size " + std::to_string(shentsize) + " is not ELF's");
    if (shnum == 0 || shoff > data.size() || (data.size() - shoff) / shentsize < shnum)
      throw Error("the section header table lies outside the file");
    for (std::uint32_t i = 0; i < shnum; ++i) {
      std::uint64_t at = shoff + std::uint64_t(i) * shentsize;
      Section s;
      s.type = u32(at + 4);
      s.flags = wide_ ? u64(at + 8) : u32(at + 8);
      s.addr = wide_ ? u64(at + 16) : u32(at + 12);
      s.offset = wide_ ? u64(at + 24) : u32(at + 16);
      s.size = wide_ ? u64(at + 32) : u32(at + 20);
      s.link = u32(at + (wide_ ? 40 : 24));
      s.entsize = wide_ ? u64(at + 56) : u32(at + 36);
      if (s.type != kShtNobits && (s.offset > data.size() || data.size() - s.offset < s.size))
        throw Error("section " + std::to_string(i) + " lies outside the file");
      sections_.push_back(s);
    }
  }

  bool wide() const { return wide_; }

  // The value of a global or local symbol named `name`, if the symbol table has it.
  std::optional<std::uint64_t> symbol(std::string_view name) {
    if (symbols_.empty()) load_symbols();
    auto it = symbols_.find(std::string(name));
    if (it == symbols_.end()) return std::nullopt;
    return it->second;
  }

  // A pointer-sized value at virtual address `va`, with RELATIVE relocations applied.
  std::uint64_t pointer_at(std::uint64_t va) {
    std::uint64_t at = file_offset(va, wide_ ? 8 : 4);
    std::uint64_t value = wide_ ? u64(at) : u32(at);
    if (value == 0) {
      if (!relocs_loaded_) load_relocations();
      auto it = relative_.find(va);
      if (it != relative_.end()) value = it->second;
    }
    return value;
  }

  // The NUL-terminated string of at most `max` bytes at `va`.
  std::string string_at(std::uint64_t va, std::size_t max) {
    std::uint64_t at = file_offset(va, 1);
    std::string_view rest = data_.substr(at, max);
    std::size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) throw Error("the suite name at " + hex(va) + " has no terminating NUL within " + std::to_string(max) + " bytes");
    return std::string(rest.substr(0, nul));
  }

  static std::string hex(std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
  }

 private:
  struct Section {
    std::uint32_t type = 0, link = 0;
    std::uint64_t flags = 0, addr = 0, offset = 0, size = 0, entsize = 0;
  };
  std::string_view data_;
  bool wide_ = false, big_ = false;
  std::vector<Section> sections_;
  std::map<std::string, std::uint64_t> symbols_;
  std::map<std::uint64_t, std::uint64_t> relative_;
  bool relocs_loaded_ = false;

  std::uint64_t get(std::uint64_t at, unsigned bytes) const {
    if (at > data_.size() || data_.size() - at < bytes) throw Error("a read at file offset " + hex(at) + " lies outside the file");
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) {
      unsigned idx = big_ ? i : bytes - 1 - i;
      v = (v << 8) | static_cast<unsigned char>(data_[at + idx]);
    }
    return v;
  }
  std::uint64_t u16(std::uint64_t at) const { return get(at, 2); }
  std::uint64_t u32(std::uint64_t at) const { return get(at, 4); }
  std::uint64_t u64(std::uint64_t at) const { return get(at, 8); }

  std::uint64_t file_offset(std::uint64_t va, std::uint64_t bytes) const {
    for (const auto& s : sections_) {
      if (!(s.flags & kShfAlloc) || s.type == kShtNobits || s.size == 0) continue;
      if (va >= s.addr && va - s.addr < s.size && s.size - (va - s.addr) >= bytes) return s.offset + (va - s.addr);
    }
    throw Error("address " + hex(va) + " is in no section with contents");
  }

  void load_symbols() {
    for (const auto& s : sections_) {
      if (s.type != kShtSymtab) continue;
      if (s.link >= sections_.size()) throw Error("the symbol table's string table index is out of range");
      const Section& strtab = sections_[s.link];
      std::uint64_t entsize = wide_ ? 24 : 16;
      for (std::uint64_t at = s.offset; at + entsize <= s.offset + s.size; at += entsize) {
        std::uint64_t name = u32(at);
        std::uint64_t value = wide_ ? u64(at + 8) : u32(at + 4);
        if (name >= strtab.size) continue;
        std::string_view names = data_.substr(strtab.offset + name, strtab.size - name);
        std::string_view symbol = names.substr(0, names.find('\0'));
        if (symbol.substr(0, 8) == "__kunit_") symbols_.emplace(std::string(symbol), value);
      }
    }
    symbols_.emplace("", 0);  // loaded, even if empty
  }

  void load_relocations() {
    relocs_loaded_ = true;
    if (!wide_) return;
    for (const auto& s : sections_) {
      if (s.type != kShtRela || !(s.flags & kShfAlloc)) continue;
      for (std::uint64_t at = s.offset; at + 24 <= s.offset + s.size; at += 24) {
        if ((u64(at + 8) & 0xffffffffu) == kRAarch64Relative) relative_[u64(at)] = u64(at + 16);
      }
    }
  }
};

}  // namespace

std::vector<std::string> kunit_suites_in_elf(std::string_view data) {
  Elf elf(data);
  std::vector<std::string> names;
  const std::pair<const char*, const char*> tables[] = {{"__kunit_suites_start", "__kunit_suites_end"},
                                                        {"__kunit_init_suites_start", "__kunit_init_suites_end"}};
  for (const auto& [start_name, end_name] : tables) {
    auto start = elf.symbol(start_name);
    auto end = elf.symbol(end_name);
    if (!start && !end) continue;
    if (!start || !end) throw Error(std::string("the symbol table has ") + (start ? start_name : end_name) + " but not " + (start ? end_name : start_name));
    std::uint64_t step = elf.wide() ? 8 : 4;
    if (*end < *start || (*end - *start) % step != 0 || (*end - *start) / step > 100000)
      throw Error(std::string(start_name) + " (" + Elf::hex(*start) + ") and " + end_name + " (" + Elf::hex(*end) + ") do not bound a table of pointers");
    for (std::uint64_t va = *start; va < *end; va += step) {
      std::uint64_t suite = elf.pointer_at(va);
      if (suite == 0) throw Error("the suite pointer at " + Elf::hex(va) + " is null and has no relocation");
      std::string name = elf.string_at(suite, kNameBytes);
      bool printable = !name.empty();
      for (unsigned char c : name) printable = printable && c > 0x20 && c < 0x7f;
      if (!printable) throw Error("the suite at " + Elf::hex(suite) + " has no printable name: is this a kernel's vmlinux?");
      names.push_back(std::move(name));
    }
  }
  return names;
}

}  // namespace kdk
