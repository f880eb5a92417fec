"""Benchmark: every target of issue 15, each as a same-run ratio.

Each row runs its commands in turn (A B A B ..., or A B F A B F ...) after
one untimed warm-up each, in the same run, with the same interpreter and
environment, and reports medians and the median of the per-round ratios.
The floor F is ``python -c pass``.  The machine is shared and noisy: read
the ratios, not the absolute times.

Rows (``--rows``, comma-separated; default all):

``help``      ``plugfair --help`` at N=500 and N=0, warm / floor
``list``      ``plugfair plugin list`` at N=500, warm / floor
``command``   ``plugfair thing0250 list`` / a minimal cliff app with no
              plugins running the same command (``bench/minimal_cliff.py``),
              with a command of its own and with the plugin's own class
``install``   after installing one more plugin: the first ``--help`` / the
              next (warm) one, and the first ``thing0250 list`` / the next
              one; and whether that first command wrote a stevedore cache
``cold``      ``plugfair --help`` from nothing (empty caches) / stevedore's
              cold load of ``plugfair.plugins`` (``ExtensionManager`` with
              an empty cache), in the plain layout and in an OpenStack
              client layout (one more entry-point group per distribution)
``tests``     ``plugfair list-tests`` at 1,000 and 10,000 tests (100 tests
              per plugin, as bench/list_tests.py: 10 and 100 plugins): cost
              per 1,000 tests (plugins included) and fixed cost over the
              floor; ``--tests-100k`` adds a run at 100,000 tests (1,000
              plugins) to check the prediction
``shards``    a simulated 10,000-test suite with skewed durations split
              into 8 shards: longest shard / mean, balanced by recorded
              durations (a subunit stream, and a stestr repository) and
              round robin; classes are never split
``memory``    peak RSS of ``--help``, ``plugin list`` and the command at N=500
``scale``     the cost per plugin (warm ``--help`` and ``plugin list``, the
              cold probe) from paired runs at N=0 and N=500, and what it
              predicts at 10x and 100x the plugins (doc/source/user/scale.rst)

Usage: python bench/speed.py [--rounds 11] [--rows help,list] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_plugins import generate  # noqa: E402

MAIN = "import sys; from plugfair.cli.main import main; sys.exit(main())"
FLOOR = [sys.executable, "-c", "pass"]
STEVEDORE_COLD = (
    "from stevedore import ExtensionManager; "
    "m = ExtensionManager('plugfair.plugins'); "
    "assert len(m.names()) > 0"
)

#: The tests row's baseline: unittest's discovery of each package named
#: (argv: the site, the comma-separated top-level packages), ids printed.
UNITTEST_LIST = """
import sys, unittest
site, names = sys.argv[1], sys.argv[2].split(",")
loader, ids, stack = unittest.TestLoader(), [], []
for name in names:
    stack.append(loader.discover(site + "/" + name + "/tests", top_level_dir=site))
    while stack:
        for test in stack.pop():
            if isinstance(test, unittest.TestSuite):
                stack.append(test)
            else:
                ids.append(test.id())
sys.stdout.write("\\n".join(ids) + "\\n")
"""

#: What each row must reach (issue 15).
TARGETS = {
    "help N=500 / floor": 3.0,
    "help N=0 / floor": 2.5,
    "plugin list / floor": 4.0,
    "command / minimal cliff": 1.0,
    "first help after install / warm help": 2.0,
    "first command after install / warm command": 2.0,
    "cold help / stevedore cold (plain)": 1.0,
    "cold help / stevedore cold (osc)": 1.0,
    "list-tests ms per 1000 tests": 40.0,
    "list-tests fixed ms over floor": 200.0,
    "shards: longest / mean (timed)": 1.15,
}


class Run:
    """One finished process: wall seconds, exit status, output."""

    def __init__(self, seconds: float, rc: int, out: bytes, err: bytes) -> None:
        self.seconds = seconds
        self.rc = rc
        self.out = out
        self.err = err


def run(cmd: Sequence[str], env: dict[str, str], cwd: str, *, check: bool = True) -> Run:
    """Run ``cmd``; time it."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=errors)
        out = proc.stdout.read()  # type: ignore[union-attr]
        rc = proc.wait()
        elapsed = time.perf_counter() - start
        proc.stdout.close()  # type: ignore[union-attr]
        errors.seek(0)
        err = errors.read()
    if check and rc != 0:
        sys.stderr.write(out.decode()[-2000:] + err.decode()[-3000:])
        raise SystemExit("%s failed with status %d" % (" ".join(cmd), rc))
    return Run(elapsed, rc, out, err)


def alternate(steps: dict[str, Callable[[], float]], rounds: int, *, warm: bool = True) -> dict[str, list[float]]:
    """Call each step in turn, ``rounds`` times; seconds per step."""
    if warm:
        for step in steps.values():
            step()
    times: dict[str, list[float]] = {label: [] for label in steps}
    for i in range(rounds):
        order = list(steps.items())
        if i % 2:
            order.reverse()  # no step always follows the same one
        for label, step in order:
            times[label].append(step())
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    """Median of the per-round ratios a/b."""
    return statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))


def ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


class Bench:
    """The generated environments and the results."""

    def __init__(self, root: str, rounds: int, source: str | None) -> None:
        self.root = root
        self.rounds = rounds
        self.source = source
        self.results: dict[str, Any] = {}
        self.lines: list[str] = []

    # -- environments -----------------------------------------------------

    def plugins(self, label: str, count: int, layout: str = "plain") -> str:
        path = os.path.join(self.root, label)
        if not os.path.isdir(path):
            generate(path, count, layout=layout)
        return path

    def env(self, plugins: str, cache: str) -> dict[str, str]:
        env = dict(os.environ)
        parts = ([self.source] if self.source else []) + [plugins]
        env["PYTHONPATH"] = os.pathsep.join(parts)
        env["PLUGFAIR_CACHE_DIR"] = os.path.join(self.root, "cache", cache)
        env["XDG_CACHE_HOME"] = os.path.join(self.root, "xdg", cache)
        env["HOME"] = os.path.join(self.root, "home")
        os.makedirs(env["HOME"], exist_ok=True)
        env.pop("PLUGFAIR_NO_CACHE", None)
        env.pop("PLUGFAIR_WORKSPACE", None)
        # as installed: with bytecode (the warm-up runs write what is missing)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def timer(self, cmd: Sequence[str], env: dict[str, str]) -> Callable[[], float]:
        return lambda: run(cmd, env, self.root).seconds

    def report(self, name: str, value: float, detail: str) -> None:
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = "MET" if value <= target else "NOT MET"
            verdict = "%s (target <= %g)" % (verdict, target)
        self.results[name] = {"value": value, "detail": detail, "target": target}
        line = "%-46s %8.2f  %s  [%s]" % (name, value, verdict, detail)
        self.lines.append(line)
        print(line, flush=True)

    # -- rows -------------------------------------------------------------

    def row_help(self) -> None:
        for n in (500, 0):
            env = self.env(self.plugins("n%d" % n, n), "warm%d" % n)
            times = alternate({
                "help": self.timer([sys.executable, "-c", MAIN, "--help"], env),
                "floor": self.timer(FLOOR, env),
            }, self.rounds)
            self.report("help N=%d / floor" % n, ratio(times, "help", "floor"),
                        "help %.1f ms, floor %.1f ms" % (ms(times["help"]), ms(times["floor"])))

    def row_list(self) -> None:
        env = self.env(self.plugins("n500", 500), "warm500")
        times = alternate({
            "list": self.timer([sys.executable, "-c", MAIN, "plugin", "list"], env),
            "floor": self.timer(FLOOR, env),
        }, self.rounds)
        self.report("plugin list / floor", ratio(times, "list", "floor"),
                    "list %.1f ms, floor %.1f ms" % (ms(times["list"]), ms(times["floor"])))

    def row_command(self) -> None:
        env = self.env(self.plugins("n500", 500), "warm500")
        ours = run([sys.executable, "-c", MAIN, "thing0250", "list"], env, self.root).out
        theirs = run([sys.executable, os.path.join(HERE, "minimal_cliff.py"), "thing0250", "list"],
                     env, self.root).out
        if ours != theirs:
            raise SystemExit("the two commands differ:\n%s\n%s" % (ours.decode(), theirs.decode()))
        same = [sys.executable, os.path.join(HERE, "minimal_cliff.py"), "--class",
                "bench0250_pkg.plugin:ThingList", "thing0250", "list"]
        if run(same, env, self.root).out != ours:
            raise SystemExit("the minimal app running the plugin's class differs")
        times = alternate({
            "plugfair": self.timer([sys.executable, "-c", MAIN, "thing0250", "list"], env),
            "minimal cliff": self.timer(
                [sys.executable, os.path.join(HERE, "minimal_cliff.py"), "thing0250", "list"], env),
            "same class": self.timer(same, env),
            "floor": self.timer(FLOOR, env),
        }, self.rounds)
        self.report("command / minimal cliff", ratio(times, "plugfair", "minimal cliff"),
                    "plugfair %.1f ms (%.2fx floor), minimal cliff %.1f ms (%.2fx floor), floor %.1f ms" % (
                        ms(times["plugfair"]), ratio(times, "plugfair", "floor"),
                        ms(times["minimal cliff"]), ratio(times, "minimal cliff", "floor"),
                        ms(times["floor"])))
        self.report("command / minimal cliff running the plugin's class",
                    ratio(times, "plugfair", "same class"),
                    "plugfair %.1f ms, minimal cliff with the plugin's ThingList (its module imports "
                    "oslo.config and plugfair.api) %.1f ms" % (ms(times["plugfair"]),
                                                               ms(times["same class"])))

    def row_install(self) -> None:
        plugins = self.plugins("n500-install", 500)
        env = self.env(plugins, "install")
        help_cmd = [sys.executable, "-c", MAIN, "--help"]
        cmd = [sys.executable, "-c", MAIN, "thing0250", "list"]
        run(help_cmd, env, self.root)
        run(cmd, env, self.root)
        counter = [len([n for n in os.listdir(plugins) if n.startswith("benchx")])]

        def install() -> None:
            generate(plugins, 1, prefix="x", start=counter[0])
            counter[0] += 1

        stevedore_dir = os.path.join(env["XDG_CACHE_HOME"], "python-entrypoints")
        rebuilt = []
        for label, command in (("help", help_cmd), ("command", cmd)):
            first: list[float] = []
            warm: list[float] = []
            for _ in range(self.rounds):
                install()
                before = set(os.listdir(stevedore_dir)) if os.path.isdir(stevedore_dir) else set()
                first.append(run(command, env, self.root).seconds)
                after = set(os.listdir(stevedore_dir)) if os.path.isdir(stevedore_dir) else set()
                rebuilt.append(bool(after - before))
                warm.append(run(command, env, self.root).seconds)
            times = {"first": first, "warm": warm}
            name = "first %s after install / warm %s" % (label, label)
            self.report(name, ratio(times, "first", "warm"),
                        "first %.1f ms, warm %.1f ms" % (ms(first), ms(warm)))
        self.report("install: runs that wrote a stevedore cache", float(sum(rebuilt)),
                    "of %d first runs after an install" % len(rebuilt))

    def row_cold(self) -> None:
        layouts = {"plain": self.plugins("n500", 500), "osc": self.plugins("n500-osc", 500, "osc")}
        counter = [0]
        cold_help: dict[str, list[float]] = {}
        for layout, plugins in layouts.items():

            def fresh(cmd: Sequence[str], what: str, plugins: str = plugins) -> float:
                counter[0] += 1
                env = self.env(plugins, "cold-%s-%d" % (what, counter[0]))
                try:
                    return run(cmd, env, self.root).seconds
                finally:
                    shutil.rmtree(env["PLUGFAIR_CACHE_DIR"], ignore_errors=True)
                    shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)

            times = alternate({
                "plugfair": lambda: fresh([sys.executable, "-c", MAIN, "--help"], "pf"),
                "stevedore": lambda: fresh([sys.executable, "-c", STEVEDORE_COLD], "sd"),
            }, max(3, self.rounds // 2))
            cold_help[layout] = times["plugfair"]
            self.report("cold help / stevedore cold (%s)" % layout, ratio(times, "plugfair", "stevedore"),
                        "cold help %.0f ms, stevedore cold %.0f ms" % (ms(times["plugfair"]),
                                                                      ms(times["stevedore"])))
        self.report("cold help osc / cold help plain", ms(cold_help["osc"]) / ms(cold_help["plain"]),
                    "medians of the two rows above (independent of unrelated groups: about 1)")

    def row_tests(self, with_100k: bool) -> None:
        from list_tests import generate as gen_tests

        sizes = {"1k": 10, "10k": 100}  # plugins of 100 tests
        if with_100k:
            sizes["100k"] = 1000
        steps: dict[str, Callable[[], float]] = {}
        for label, plugins in sizes.items():
            site = os.path.join(self.root, "tests-p%s" % label)
            names = [] if os.path.isdir(site) else gen_tests(site, plugins, 100)
            if not names:
                names = ["bench_plugin_%03d" % p for p in range(plugins)]
            env = self.env(site, "tests-p%s" % label)
            ws = os.path.join(self.root, "ws-p%s" % label)
            if not os.path.isdir(ws):
                run([sys.executable, "-c", MAIN, "workspace", "init", ws], env, self.root)
                with open(os.path.join(ws, "plugfair.conf"), "a", encoding="utf-8") as f:
                    f.write("\n[plugfair]\nenabled_plugins = %s\n" % ",".join(names))
            cmd = [sys.executable, "-c", MAIN, "list-tests", "--workspace", ws]
            listed = len(run(cmd, env, self.root).out.splitlines())
            if listed < 100 * plugins:  # each plugin's contract tests come on top
                raise SystemExit("list-tests %s listed %d ids" % (label, listed))
            steps[label] = self.timer(cmd, env)
            if label != "100k":
                # the same-run baseline: unittest's own discovery of the
                # same test packages, ids printed (what stestr's runner does)
                base = [sys.executable, "-c", UNITTEST_LIST, site, ",".join(names)]
                if len(run(base, env, self.root).out.splitlines()) != 100 * plugins:
                    raise SystemExit("unittest listed the wrong number of %s tests" % label)
                steps["unittest " + label] = self.timer(base, env)
        steps["floor"] = self.timer(FLOOR, self.env(self.root, "floor"))
        rounds = max(3, self.rounds // 2)
        times = alternate(steps, rounds)
        per_1000 = (ms(times["10k"]) - ms(times["1k"])) / 9
        fixed = ms(times["1k"]) - per_1000 - ms(times["floor"])
        base_1000 = (ms(times["unittest 10k"]) - ms(times["unittest 1k"])) / 9
        base_fixed = ms(times["unittest 1k"]) - base_1000 - ms(times["floor"])
        self.report("list-tests ms per 1000 tests", per_1000,
                    "1k %.0f ms, 10k %.0f ms, floor %.1f ms" % (
                        ms(times["1k"]), ms(times["10k"]), ms(times["floor"])))
        self.report("list-tests fixed ms over floor", fixed, "1k minus one slope minus the floor")
        self.report("list-tests per 1000 / unittest's per 1000", per_1000 / base_1000,
                    "unittest discovery of the same packages: %.1f ms per 1000 tests, %.0f ms "
                    "fixed over the floor (1k %.0f ms, 10k %.0f ms)" % (
                        base_1000, base_fixed, ms(times["unittest 1k"]), ms(times["unittest 10k"])))
        if with_100k:
            predicted = ms(times["floor"]) + fixed + 100 * per_1000
            self.report("list-tests 100k measured / predicted", ms(times["100k"]) / predicted,
                        "measured %.0f ms, predicted %.0f ms" % (ms(times["100k"]), predicted))

    def row_shards(self) -> None:
        from shard_sim import simulate

        for line in simulate(os.path.join(self.root, "shards"), tests=10000, shards=8):
            name, value, detail = line
            self.report(name, value, detail)

    def row_scale(self) -> None:
        sizes = {n: self.plugins("n%d" % n, n) for n in (0, 500)}
        steps: dict[str, Callable[[], float]] = {}
        for n, plugins in sizes.items():
            env = self.env(plugins, "warm%d" % n)
            steps["help%d" % n] = self.timer([sys.executable, "-c", MAIN, "--help"], env)
            steps["list%d" % n] = self.timer([sys.executable, "-c", MAIN, "plugin", "list"], env)
        times = alternate(steps, self.rounds)
        for what in ("help", "list"):
            per = (ms(times["%s500" % what]) - ms(times["%s0" % what])) / 500
            self.report("scale: warm %s ms per plugin" % what, per, "N=0 %.1f ms, N=500 %.1f ms; "
                        "predicts %.0f ms at N=5,000 and %.0f ms at N=50,000" % (
                            ms(times["%s0" % what]), ms(times["%s500" % what]),
                            ms(times["%s0" % what]) + 5000 * per, ms(times["%s0" % what]) + 50000 * per))
        counter = [0]

        def cold(n: int) -> float:
            counter[0] += 1
            env = self.env(sizes[n], "scale-cold-%d-%d" % (n, counter[0]))
            try:
                return run([sys.executable, "-c", MAIN, "--help"], env, self.root).seconds
            finally:
                shutil.rmtree(env["PLUGFAIR_CACHE_DIR"], ignore_errors=True)

        colds = alternate({"cold0": lambda: cold(0), "cold500": lambda: cold(500)}, max(3, self.rounds // 2))
        per = (ms(colds["cold500"]) - ms(colds["cold0"])) / 500
        self.report("scale: cold probe ms per plugin", per, "N=0 %.0f ms, N=500 %.0f ms; %d CPUs; "
                    "predicts %.1f s at N=5,000 and %.0f s at N=50,000" % (
                        ms(colds["cold0"]), ms(colds["cold500"]), os.cpu_count() or 0,
                        (ms(colds["cold0"]) + 5000 * per) / 1000, (ms(colds["cold0"]) + 50000 * per) / 1000))

    def row_memory(self) -> None:
        # GNU time forks the command from a small process: a child of this
        # (large) process would count this process's pages as its own.
        if not os.path.exists("/usr/bin/time"):
            print("memory: /usr/bin/time is missing; row skipped")
            return
        env = self.env(self.plugins("n500", 500), "warm500")
        for label, cmd in (("help", ["--help"]), ("plugin list", ["plugin", "list"]),
                           ("command", ["thing0250", "list"])):
            full = ["/usr/bin/time", "-f", "%M", sys.executable, "-c", MAIN, *cmd]
            run(full, env, self.root)
            peak = statistics.median(int(run(full, env, self.root).err.split()[-1]) for _ in range(5))
            self.report("peak RSS MiB: %s (N=500)" % label, peak / 1024, "median of 5 (GNU time %M)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--rows", default="help,list,command,install,cold,tests,shards,memory,scale")
    parser.add_argument("--source", help="a plugfair source tree to put first on PYTHONPATH "
                        "(to measure another version, say 'git archive' of main)")
    parser.add_argument("--root", help="keep the generated trees here (reused when present)")
    parser.add_argument("--tests-100k", action="store_true", help="also list 100,000 tests")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    root = args.root or tempfile.mkdtemp(prefix="plugfair-speed-")
    os.makedirs(root, exist_ok=True)
    bench = Bench(root, args.rounds, os.path.abspath(args.source) if args.source else None)
    random.seed(15)
    try:
        for row in args.rows.split(","):
            if row == "tests":
                bench.row_tests(args.tests_100k)
            else:
                getattr(bench, "row_" + row)()
    finally:
        if not args.root:
            shutil.rmtree(root, ignore_errors=True)
    print("\nsummary (%d rounds, python %s, %d cpus):" % (args.rounds, sys.version.split()[0],
                                                          os.cpu_count() or 0))
    print("\n".join(bench.lines))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(bench.results, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
