"""Benchmark: ``plugfair list-tests`` against ``tempest run --list-tests``.

Both list Tempest's own tests and every installed Tempest plugin's tests,
on the same install and interpreter, in workspaces with the same
tempest.conf: a ``tempest init`` workspace for Tempest, and a plugfair
workspace whose ``[tempest_bridge] config_file`` names that file.  The two
commands alternate (one untimed warm-up each); each pair gives a ratio,
and the median ratio is the result.  The target is <= 1.0.

It also checks that both list the same Tempest test ids.

Usage: python bench/tempest_list.py [--runs 7] [--check]
(needs ``pip install 'plugfair[tempest]'`` and some Tempest plugins)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], cwd: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed (%d):\n%s" % (" ".join(cmd), proc.returncode, proc.stderr[-2000:]))
    return elapsed, proc.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 if the median ratio is over 1.0")
    args = parser.parse_args()
    bindir = os.path.dirname(sys.executable)
    tempest = os.path.join(bindir, "tempest")
    plugfair = os.path.join(bindir, "plugfair")
    if not os.path.exists(tempest):
        print("tempest is not installed: pip install 'plugfair[tempest]'")
        return 2
    work = tempfile.mkdtemp(prefix="bench-tempest-")
    try:
        tw = os.path.join(work, "tempest-ws")
        # a unique name: tempest keeps a registry of workspace names
        subprocess.run([tempest, "init", "--name", os.path.basename(work), tw],
                       check=True, capture_output=True)
        conf = os.path.join(tw, "etc", "tempest.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("[identity]\nuri_v3 = http://127.0.0.1:1/v3\n")
        pw = os.path.join(work, "plugfair-ws")
        subprocess.run([plugfair, "workspace", "init", pw], check=True, capture_output=True)
        with open(os.path.join(pw, "plugfair.conf"), "a", encoding="utf-8") as f:
            f.write("\n[tempest_bridge]\nconfig_file = %s\n" % conf)
        theirs_cmd = [tempest, "run", "--list-tests"]
        ours_cmd = [plugfair, "list-tests", "--workspace", pw]
        _, theirs = timed(theirs_cmd, tw)  # warm-ups (bytecode, manifest cache)
        _, ours = timed(ours_cmd, pw)
        theirs_ids = {t for t in theirs if "." in t and not t.startswith("plugfair")}
        ours_ids = {t for t in ours if not t.startswith("plugfair")}
        ratios, ours_times, theirs_times = [], [], []
        for _ in range(args.runs):
            t_theirs, _ = timed(theirs_cmd, tw)
            t_ours, _ = timed(ours_cmd, pw)
            ratios.append(t_ours / t_theirs)
            ours_times.append(t_ours)
            theirs_times.append(t_theirs)
        ratio = statistics.median(ratios)
        print("tests listed: tempest run --list-tests %d, plugfair list-tests %d (Tempest's: %d, "
              "same ids: %s)" % (len(theirs_ids), len(ours), len(ours_ids & theirs_ids),
                                 "yes" if theirs_ids <= ours_ids else "NO"))
        print("median: tempest %.0f ms, plugfair %.0f ms; median ratio plugfair/tempest %.2f "
              "(min %.2f, max %.2f, %d pairs; target <= 1.0)"
              % (statistics.median(theirs_times) * 1000, statistics.median(ours_times) * 1000,
                 ratio, min(ratios), max(ratios), args.runs))
        if args.check and (ratio > 1.0 or not theirs_ids <= ours_ids):
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
