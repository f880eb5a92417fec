"""Check that --shard I/N splits a real suite without splitting a class.

Lists the whole suite with ``plugfair list-tests`` and each of N shards,
then checks that the shards are disjoint, add up to the suite, and keep
every test class in one shard.  Prints the counts; exits 1 on a problem.

Usage: python .ci/shards_check.py N [list-tests options...]
"""

from __future__ import annotations

import os
import subprocess
import sys


def listing(args: list[str]) -> list[str]:
    plugfair = os.path.join(os.path.dirname(sys.executable), "plugfair")
    proc = subprocess.run([plugfair, "list-tests", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("plugfair list-tests %s failed:\n%s" % (" ".join(args), proc.stderr))
    return proc.stdout.split()


def main(total: int, args: list[str]) -> int:
    from plugfair.interface.testids import scheduling_group

    suite = listing(args)
    shards = [listing(args + ["--shard", "%d/%d" % (i, total)]) for i in range(1, total + 1)]
    flat = [t for shard in shards for t in shard]
    home: dict[str | None, set[int]] = {}
    for index, shard in enumerate(shards):
        for test_id in shard:
            home.setdefault(scheduling_group(test_id), set()).add(index)
    split = sorted(str(g) for g, where in home.items() if len(where) > 1)
    print("%d tests in %d classes; shards of %s tests; classes split: %d"
          % (len(suite), len(home), "/".join(str(len(s)) for s in shards), len(split)))
    ok = sorted(flat) == sorted(suite) and len(flat) == len(set(flat)) and not split
    for group in split[:10]:
        print("  split: %s" % group)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), sys.argv[2:]))
