#!/usr/bin/env python3
"""Writes a large tree for bench/dupes-vs-peers.sh: N files (default 300,000) in N/100 directories.

Sizes are drawn from 100 B to 300 KB (half of them a few bytes off a round size), contents are
random, and a fifth of the files are copies of one of 5,000 earlier ones, so a scan both rejects
most files early (by size or by their first and last 4 KiB) and hashes thousands of duplicates in
full. With the default N the tree holds about 12 GiB: check the free space first.
Deterministic (fixed seed): the same tree every time.

Usage: bench/make-big-tree.py DIR [N]
"""
import os
import random
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 300_000
    rng = random.Random(42)
    dirs = []
    for d in range(max(1, count // 100)):
        path = os.path.join(root, f"d{d % 50}", f"s{d}")
        os.makedirs(path, exist_ok=True)
        dirs.append(path)
    sizes = [100, 512, 1000, 2048, 4096, 5000, 8192, 10000, 20000, 65536, 100000, 300000]
    originals = []
    for i in range(count):
        if rng.random() < 0.2 and originals:
            data = rng.choice(originals)  # a copy of an earlier file
        else:
            size = rng.choice(sizes) + (rng.randrange(64) if rng.random() < 0.5 else 0)
            data = rng.randbytes(size)
            if len(originals) < 5000:
                originals.append(data)
        with open(os.path.join(dirs[i % len(dirs)], f"f{i}"), "wb") as out:
            out.write(data)


if __name__ == "__main__":
    main()
