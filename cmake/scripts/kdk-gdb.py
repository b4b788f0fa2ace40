# kdk's fix to the kernel's lx-symbols (scripts/gdb/linux/symbols.py), sourced by qemu.sh after
# vmlinux-gdb.py has loaded the kernel's gdb scripts and before lx-symbols runs. (A bare
# lx-symbols also reuses the last module directories given to it; see invoke() below.) And
# kdk-run-to, at the end.
#
# The problem. A module (.ko) is a relocatable object. lx-symbols runs
#   add-symbol-file module.ko <.text address> -s .data <address> ...
# for a few sections and leaves out .init.text, .exit.text and others. gdb places the sections it
# was not told about by itself, but only when every section of the file starts at 0, and it
# shifts all DWARF addresses by one offset, that of .text. arm's and riscv64's module linker
# scripts give .plt an address, so gdb keeps every section at 0: the DWARF of kdk_example_init
# (.init.text) then lands on the start of .text, and a breakpoint in kdk_example_poke reported
# itself as kdk_example_init; .bss variables read the wrong memory. x86_64 and arm64 only got it
# right while no .text function overlapped the init function's range.
#
# The fix. The kernel records where it put every allocated section of a module (sect_attrs, the
# same data as /sys/module/<name>/sections/). kdk writes a copy of the .ko whose section headers
# carry those addresses, and loads the copy at the same addresses: every section's offset is then
# 0, so each DWARF address is exact, .init.text included. lx-symbols loads a module's symbols when
# the kernel enters do_init_module(), before the init function runs, so `break <module>_init`
# works too. The copies live in a temporary directory that is removed when gdb exits.
import atexit
import os
import shutil
import struct
import tempfile

import gdb

try:
    from linux import symbols as _symbols
except ImportError:
    _symbols = None

SHF_ALLOC = 0x2
_copies = None  # the temporary directory, created on first use


def module_sections(module):
    """{name: address} of each allocated section the kernel recorded for module (struct module)."""
    sect_attrs = module['sect_attrs'].dereference()
    fields = [f.name for f in sect_attrs.type.fields()]
    sections = {}
    if 'nsections' in fields:  # up to 6.13: struct module_sect_attr attrs[nsections]
        attrs = sect_attrs['attrs']
        for n in range(int(sect_attrs['nsections'])):
            sections[attrs[n]['battr']['attr']['name'].string()] = int(attrs[n]['address'])
    else:  # later: a NULL-terminated array of bin_attribute pointers, the address in .private
        # (7.x still has an `attrs` member, of another type: only nsections tells them apart)
        bin_attrs = sect_attrs['grp']['bin_attrs']
        while int(bin_attrs.dereference()) != 0:
            attr = bin_attrs.dereference().dereference()
            sections[attr['attr']['name'].string()] = int(attr['private'])
            bin_attrs += 1
    return sections


def module_text_base(module):
    """Where the kernel put module's core text: mem[MOD_TEXT] from 6.4 on, core_layout before."""
    try:
        return int(module['mem'][0]['base'])
    except gdb.error:
        return int(module['core_layout']['base'])


def placed_copy(path, addresses, directory):
    """Writes a copy of the ELF relocatable object path into directory, with the address of each
    allocated section set from addresses (name -> address; 0 for a section not in it)."""
    data = bytearray(open(path, 'rb').read())
    if data[:4] != b'\x7fELF' or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise ValueError('{}: not an ELF file'.format(path))
    endian = '<' if data[5] == 1 else '>'
    if data[4] == 2:  # ELFCLASS64
        word, shoff_at, shnum_at, flags_at, addr_at, offset_at = 'Q', 0x28, 0x3A, 0x08, 0x10, 0x18
    else:
        word, shoff_at, shnum_at, flags_at, addr_at, offset_at = 'I', 0x20, 0x2E, 0x08, 0x0C, 0x10
    (shoff,) = struct.unpack_from(endian + word, data, shoff_at)
    shentsize, shnum, shstrndx = struct.unpack_from(endian + 'HHH', data, shnum_at)
    header = lambda i: shoff + i * shentsize
    (names,) = struct.unpack_from(endian + word, data, header(shstrndx) + offset_at)
    for i in range(1, shnum):
        (name_at,) = struct.unpack_from(endian + 'I', data, header(i))
        (flags,) = struct.unpack_from(endian + word, data, header(i) + flags_at)
        if not flags & SHF_ALLOC:
            continue
        end = data.index(b'\0', names + name_at)
        name = data[names + name_at:end].decode()
        struct.pack_into(endian + word, data, header(i) + addr_at, addresses.get(name, 0))
    copy = os.path.join(directory, '{}@{:x}'.format(os.path.basename(path), addresses['.text']))
    # A new file, renamed into place: gdb may still hold the copy an earlier lx-symbols loaded.
    with open(copy + '.new', 'wb') as out:
        out.write(data)
    os.replace(copy + '.new', copy)
    return copy


def load_module_symbols(self, module, original):
    global _copies
    try:
        sections = module_sections(module)
    except gdb.error as e:  # no sect_attrs (a kernel without KALLSYMS or SYSFS): lx-symbols' own way
        gdb.write("kdk: cannot read where the kernel put {}'s sections ({}); loading it lx-symbols' way, "
                  "which leaves .init.text unplaced\n".format(module['name'].string(), e))
        return original(self, module)
    if '.text' not in sections:
        # An empty .text (every function __init or __exit) is not in sect_attrs: the module's
        # text starts at its core text area, where lx-symbols itself would load it.
        try:
            sections['.text'] = module_text_base(module)
        except gdb.error:
            return original(self, module)
    name = module['name'].string()
    module_file = self._get_module_file(name)
    if not module_file and not self.module_files_updated:
        self._update_module_files()
        module_file = self._get_module_file(name)
    if not module_file:
        gdb.write("no module object found for '{}'\n".format(name))
        return
    if _copies is None:
        _copies = tempfile.mkdtemp(prefix='kdk-gdb-')
        atexit.register(shutil.rmtree, _copies, True)
    gdb.write('loading @{:#x}: {}\n'.format(sections['.text'], module_file))
    copy = placed_copy(module_file, sections, _copies)
    others = ''.join(' -s {} {:#x}'.format(section, address)
                     for section, address in sorted(sections.items())
                     if section != '.text' and address != 0)
    gdb.execute('add-symbol-file {} {:#x}{}'.format(copy, sections['.text'], others),
                to_string=True)
    if name not in self.loaded_modules:
        self.loaded_modules.append(name)


def invoke(self, arg, from_tty, original):
    """lx-symbols with no argument reuses the module directories of the last lx-symbols that had
    some (the ones kdk's gdb command line gives it) instead of scanning only the current
    directory, so reloading every module's symbols by hand finds them."""
    if arg.strip():
        self.kdk_module_paths = arg
    elif getattr(self, 'kdk_module_paths', None):
        arg = self.kdk_module_paths
        gdb.write('kdk: lx-symbols {}\n'.format(arg))
    return original(self, arg, from_tty)


if _symbols is None or not hasattr(_symbols.LxSymbols, 'load_module_symbols'):
    gdb.write("kdk: the kernel's gdb scripts have no lx-symbols to extend; module symbols load "
              "the kernel's way (on arm and riscv64 a module's init code can hide its .text)\n")
else:
    _original_load = _symbols.LxSymbols.load_module_symbols
    _symbols.LxSymbols.load_module_symbols = \
        lambda self, module: load_module_symbols(self, module, _original_load)
    _original_invoke = _symbols.LxSymbols.invoke
    _symbols.LxSymbols.invoke = \
        lambda self, arg, from_tty: invoke(self, arg, from_tty, _original_invoke)


class RunTo(gdb.Command):
    """kdk-run-to FUNCTION: run the guest to FUNCTION (a temporary hardware breakpoint, as the
    kernel's code may not be in place yet) and return once it stops there. The same in gdb's
    command line and under an IDE's machine interface, where a `continue` of its own returns at
    once and the next command (lx-symbols) would meet a running target."""

    def __init__(self):
        super(RunTo, self).__init__('kdk-run-to', gdb.COMMAND_RUNNING, gdb.COMPLETE_SYMBOL)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError('kdk-run-to: give a function, such as start_kernel')
        gdb.execute('thbreak ' + arg.strip(), from_tty)
        gdb.execute('continue', from_tty)


RunTo()
