"""Benchmark: ``plugfair --help`` and ``plugfair plugin list`` vs N plugins.

For N in (0, 100, 500) it generates N installed plugin distributions,
warms the manifest cache, then times each command and the floor
``python -c pass`` in alternating pairs (A B A B ...), in the same run.
It prints medians and ratios; read the ratios, not the absolute numbers,
because these machines are shared and noisy.

Targets (issue 2, warm cache, N = 500):
* ``plugfair --help`` costs at most 1.5x what it costs at N = 0;
* ``plugfair --help`` stays under 150 ms.

The cold probe (``plugin list`` with an empty cache: the manifest is built
by probing every plugin in a child process) is timed once per size.  With
``--cold K`` it is timed K times instead; with ``--baseline DIR`` as well,
each of those runs alternates with a run of the plugfair source tree in
DIR (say, ``git archive`` of an older commit), in the same run, and the
ratio of the medians is printed (target, issue 14: at most 1.5x).

Usage: python bench/cli_startup.py [--pairs 21] [--sizes 0,100,500]
       python bench/cli_startup.py --sizes 500 --pairs 0 --cold 9 --baseline /tmp/old
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_plugins import generate  # noqa: E402

MAIN = "import sys; from plugfair.cli.main import main; sys.exit(main())"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def cold(size: int, runs: int, root: str, baseline: str | None) -> dict[str, float]:
    """Median seconds of a cold ``plugin list`` (and of the baseline's,
    alternating with it)."""
    plugins = os.path.join(root, "n%d" % size)
    sources = {"now": plugins}
    if baseline:
        sources["baseline"] = os.path.abspath(baseline) + os.pathsep + plugins
    times: dict[str, list[float]] = {label: [] for label in sources}
    cmd = [sys.executable, "-c", MAIN, "plugin", "list", "-f", "value", "-c", "Name"]
    for i in range(runs):
        for label, pythonpath in sources.items():
            env = _env(root, pythonpath, "cold-%s-%d" % (label, i))
            times[label].append(_time(cmd, env))
    return {label: statistics.median(values) for label, values in times.items()}


def _env(root: str, pythonpath: str, cache: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    env["PLUGFAIR_CACHE_DIR"] = os.path.join(root, cache)
    env["HOME"] = root
    env.pop("PLUGFAIR_NO_CACHE", None)
    return env


def measure(size: int, pairs: int, root: str) -> dict[str, object]:
    plugins = os.path.join(root, "n%d" % size)
    generate(plugins, size)
    env = _env(root, plugins, "cache-%d" % size)
    floor = [sys.executable, "-c", "pass"]
    commands = {
        "help": [sys.executable, "-c", MAIN, "--help"],
        "plugin list": [sys.executable, "-c", MAIN, "plugin", "list"],
    }
    # Warm the manifest cache (cold probe) and check the plugins are there.
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", MAIN, "plugin", "list", "-f", "json"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    cold = time.perf_counter() - start
    found = len(json.loads(out))
    generated = sum(1 for rec in json.loads(out) if rec["Name"].startswith("bench"))
    if generated != size:
        raise SystemExit("expected %d generated plugins, found %d" % (size, generated))
    result: dict[str, object] = {"n": size, "installed": found, "cold_probe_s": cold}
    for label, cmd in commands.items() if pairs else ():
        _time(cmd, env)
        _time(floor, env)
        a, b = [], []
        for _ in range(pairs):
            a.append(_time(cmd, env))
            b.append(_time(floor, env))
        result[label] = {
            "median_ms": statistics.median(a) * 1000,
            "floor_ms": statistics.median(b) * 1000,
            "x_floor": statistics.median(x / y for x, y in zip(a, b, strict=True)),
        }
    return result


def label_in(*results: dict[str, object]) -> bool:
    """Whether the command timings were taken (``--pairs`` above 0)."""
    return all(isinstance(r.get("help"), dict) for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--sizes", default="0,100,500")
    parser.add_argument("--cold", type=int, default=0, help="time the cold probe this many times")
    parser.add_argument("--baseline", help="a plugfair source tree to compare the cold probe with")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="plugfair-bench-") as root:
        results = [measure(n, args.pairs, root) for n in sizes]
        for res in results if args.cold else []:
            medians = cold(int(res["n"]), args.cold, root, args.baseline)  # type: ignore[call-overload]
            line = "N=%d cold probe, median of %d: %.0f ms" % (res["n"], args.cold, medians["now"] * 1000)
            if "baseline" in medians:
                line += "; baseline %.0f ms; ratio %.2f" % (
                    medians["baseline"] * 1000, medians["now"] / medians["baseline"])
            print(line)
    print("plugins installed besides the generated ones: %d" % (int(results[0]["installed"])))  # type: ignore[call-overload]
    print("%-6s %-12s %10s %10s %8s" % ("N", "command", "median ms", "floor ms", "x floor"))
    for res in results:
        for label in ("help", "plugin list"):
            row = res.get(label)
            if not isinstance(row, dict):
                continue
            print("%-6d %-12s %10.1f %10.1f %8.2f" % (
                res["n"], label, row["median_ms"], row["floor_ms"], row["x_floor"]))
        print("%-6d %-12s %10.1f" % (res["n"], "cold probe", float(res["cold_probe_s"]) * 1000))  # type: ignore[arg-type]
    base = results[0]
    ok = True
    for res in results[1:]:
        for label in ("help", "plugin list") if label_in(res, base) else ():
            ratio = res[label]["x_floor"] / base[label]["x_floor"]  # type: ignore[index]
            print("N=%d vs N=%d %-12s ratio %.2f" % (res["n"], base["n"], label, ratio))
            if label == "help" and res["n"] == 500:
                ok &= ratio <= 1.5
                ok &= res[label]["median_ms"] < 150  # type: ignore[index]
    print("targets (help at N=500: <= 1.5x N=0 and < 150 ms):", "MET" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
