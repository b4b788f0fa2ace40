#!/usr/bin/env python3
"""Writes a deterministic tree that looks like a root filesystem to a compressor: mostly small
text files (source, configs, scripts), a share of machine code taken from the host's own ELF
binaries, and some incompressible data; sizes spread from bytes to megabytes.

usage: gen_tree.py DIR [--files N] [--megabytes M] [--seed S]
"""
import argparse
import os
import random

WORDS = ("static int struct return void unsigned long char const if else for while break case "
         "switch default goto sizeof kernel device driver module init exit probe remove irq lock "
         "unlock mutex spin buffer offset length count index value error ENOMEM EINVAL printk "
         "pr_info dev_err list_head container_of").split()


def elf_pool(limit=64 << 20):
    """Bytes from the host's binaries: real machine code compresses like real machine code."""
    pool = bytearray()
    for d in ("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib"):
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                try:
                    with open(p, "rb") as f:
                        pool += f.read(4 << 20)
                except OSError:
                    pass
            if len(pool) >= limit:
                return bytes(pool)
    return bytes(pool) or os.urandom(1 << 20)


def text(rng, size):
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 12))) + ";\n"
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--megabytes", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    pool = elf_pool()
    # Log-uniform sizes, rescaled so that the total is about --megabytes.
    raw = [2 ** rng.uniform(6, 22) for _ in range(a.files)]
    scale = a.megabytes * (1 << 20) / sum(raw)
    total = 0
    for i, r in enumerate(raw):
        size = max(1, int(r * scale))
        d = os.path.join(a.dir, "d%02d" % (i % 40), "s%03d" % (i % 700))
        os.makedirs(d, exist_ok=True)
        kind = rng.random()
        if kind < 0.55:
            data = text(rng, size)
            name = "f%05d.c" % i
        elif kind < 0.90:
            start = rng.randrange(0, max(1, len(pool) - size))
            data = (pool[start:start + size] * (size // max(1, len(pool)) + 1))[:size]
            name = "f%05d.so" % i
        else:
            data = rng.randbytes(size)
            name = "f%05d.bin" % i
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        total += size
    print("generated %d files, %.0f MiB in %s" % (a.files, total / (1 << 20), a.dir))


if __name__ == "__main__":
    main()
