"""Benchmark: ``plugfair list-tests`` against a bare ``stestr list``.

It generates PLUGINS plugins with TESTS tests each (100 x 100 = 10,000 by
default) as installed-like distributions (packages plus ``.dist-info``
with entry points) in one temporary site directory, then times, in the
same run and alternating:

* ``plugfair list-tests --workspace WS`` in a workspace whose
  ``plugfair.conf`` enables exactly the generated plugins;
* ``stestr list`` in a directory whose plain ``.stestr.conf`` points
  ``test_path`` and ``top_dir`` at the same site directory.

Both run with the same interpreter, ``PYTHONPATH`` holding the site
directory, and a warm manifest cache and bytecode (one untimed warm-up
each).  It prints each median and the ratio; the target is <= 1.15.

Usage: python bench/list_tests.py [--plugins 100] [--tests 100] [--runs 7]
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

TEST_MODULE = '''\
import unittest


class {cls}(unittest.TestCase):
{methods}
'''

PLUGIN_MODULE = '''\
from plugfair.api import Plugin


class BenchPlugin(Plugin):
    name = "{name}"
    description = "Generated benchmark plugin."

    def test_package(self):
        return "{name}.tests"
'''


ONE_LISTING = """\
import sys
from stestr import config_file
cmd = config_file.TestrConf.load_from_file(".stestr.conf").get_run_command(serial=True)
cmd.setUp()
try:
    sys.stdout.write("".join(i + "\\n" for i in cmd.list_tests()))
finally:
    cmd.cleanUp()
"""


def generate(site: str, plugins: int, tests: int, per_class: int = 10) -> list[str]:
    """Write the distributions; return the plugin names."""
    from plugfair.interface.testing import write_distribution

    names = []
    for p in range(plugins):
        name = "bench_plugin_%03d" % p
        names.append(name)
        # package __init__ files are created as needed
        modules = {"%s.plugin" % name: PLUGIN_MODULE.format(name=name)}
        remaining = tests
        index = 0
        while remaining > 0:
            count = min(per_class, remaining)
            methods = "\n".join(
                "    def test_%03d(self):\n        pass\n" % m for m in range(count)
            )
            modules["%s.tests.test_%03d" % (name, index)] = TEST_MODULE.format(
                cls="Bench%03dTest" % index, methods=methods
            )
            remaining -= count
            index += 1
        write_distribution(
            site, "bench-plugin-%03d" % p, "1.0.0", {name: "%s.plugin:BenchPlugin" % name}, modules
        )
    return names


def _time(cmd: list[str], cwd: str, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout.decode()[-2000:] + proc.stderr.decode()[-2000:])
        raise SystemExit("%s failed with status %d" % (" ".join(cmd), proc.returncode))
    return elapsed, len([x for x in proc.stdout.decode("utf-8", "replace").splitlines() if x.strip()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=100)
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary tree.")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="plugfair-bench-list-")
    try:
        site = os.path.join(tmp, "site")
        os.makedirs(site)
        names = generate(site, args.plugins, args.tests)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [site] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        env["PLUGFAIR_CACHE_DIR"] = os.path.join(tmp, "cache")
        env["HOME"] = os.path.join(tmp, "home")
        env.pop("PLUGFAIR_NO_CACHE", None)
        os.makedirs(env["HOME"])

        ws = os.path.join(tmp, "ws")
        plugfair = [sys.executable, "-m", "plugfair.cli.main"]
        subprocess.run(plugfair + ["workspace", "init", ws], env=env, check=True,
                       capture_output=True)
        with open(os.path.join(ws, "plugfair.conf"), "a", encoding="utf-8") as f:
            f.write("\n[plugfair]\nenabled_plugins = %s\n" % ",".join(names))

        bare = os.path.join(tmp, "bare")
        os.makedirs(bare)
        with open(os.path.join(bare, ".stestr.conf"), "w", encoding="utf-8") as f:
            f.write("[DEFAULT]\ntest_path=%s\ntop_dir=%s\n" % (site, site))
        stestr = [sys.executable, "-c", "import sys; from stestr.cli import main; sys.exit(main())"]
        subprocess.run(stestr + ["init"], cwd=bare, env=env, check=True, capture_output=True)

        # stestr list runs its discovery twice when it autodetects more than
        # one CPU (once in TestProcessorFixture.setUp, once more in
        # list_command).  As a stricter floor, also time one listing through
        # stestr's API (what plugfair does), without stestr's CLI.
        single = [sys.executable, "-c", ONE_LISTING]
        runs = {
            "plugfair list-tests": (plugfair + ["list-tests", "--workspace", ws], tmp),
            "stestr list": (stestr + ["list"], bare),
            "stestr API, 1 listing": (single, bare),
        }
        times: dict[str, list[float]] = {k: [] for k in runs}
        counts: dict[str, int] = {}
        for label, (cmd, cwd) in runs.items():  # warm-up: cache, bytecode
            _, counts[label] = _time(cmd, cwd, env)
        for i in range(args.runs):
            order = list(runs.items())
            if i % 2:
                order.reverse()
            for label, (cmd, cwd) in order:
                elapsed, _ = _time(cmd, cwd, env)
                times[label].append(elapsed)

        print("plugins=%d tests/plugin=%d runs=%d cpus=%s" % (
            args.plugins, args.tests, args.runs, os.cpu_count()))
        for label in runs:
            listed = "%d ids listed" % counts[label]
            print(
                "%-22s median %.3f s  (min %.3f, max %.3f)  %s"
                % (label, statistics.median(times[label]), min(times[label]),
                   max(times[label]), listed)
            )
        median = {k: statistics.median(v) for k, v in times.items()}
        print("ratio plugfair/stestr list: %.3f (target <= 1.15)"
              % (median["plugfair list-tests"] / median["stestr list"]))
        print("ratio plugfair/stestr API 1 listing: %.3f (stricter floor)"
              % (median["plugfair list-tests"] / median["stestr API, 1 listing"]))
        if args.keep:
            print("tree kept in %s" % tmp)
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
