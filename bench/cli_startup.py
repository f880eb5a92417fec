"""Benchmark: ``plugfair --help`` and ``plugfair plugin list`` vs N plugins.

For N in (0, 100, 500) it generates N installed plugin distributions,
warms the manifest cache, then times each command and the floor
``python -c pass`` in alternating pairs (A B A B ...), in the same run.
It prints medians and ratios; read the ratios, not the absolute numbers,
because these machines are shared and noisy.

Targets (issue 2, warm cache, N = 500):
* ``plugfair --help`` costs at most 1.5x what it costs at N = 0;
* ``plugfair --help`` stays under 150 ms.

Usage: python bench/cli_startup.py [--pairs 21] [--sizes 0,100,500]
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


def measure(size: int, pairs: int, root: str) -> dict[str, object]:
    plugins = os.path.join(root, "n%d" % size)
    generate(plugins, size)
    env = dict(os.environ)
    env["PYTHONPATH"] = plugins + os.pathsep + env.get("PYTHONPATH", "")
    env["PLUGFAIR_CACHE_DIR"] = os.path.join(root, "cache-%d" % size)
    env["HOME"] = root
    env.pop("PLUGFAIR_NO_CACHE", None)
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
    for label, cmd in commands.items():
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21)
    parser.add_argument("--sizes", default="0,100,500")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="plugfair-bench-") as root:
        results = [measure(n, args.pairs, root) for n in sizes]
    print("plugins installed besides the generated ones: %d" % (int(results[0]["installed"])))  # type: ignore[call-overload]
    print("%-6s %-12s %10s %10s %8s" % ("N", "command", "median ms", "floor ms", "x floor"))
    for res in results:
        for label in ("help", "plugin list"):
            row = res[label]
            assert isinstance(row, dict)
            print("%-6d %-12s %10.1f %10.1f %8.2f" % (
                res["n"], label, row["median_ms"], row["floor_ms"], row["x_floor"]))
        print("%-6d %-12s %10.1f" % (res["n"], "cold probe", float(res["cold_probe_s"]) * 1000))  # type: ignore[arg-type]
    base = results[0]
    ok = True
    for res in results[1:]:
        for label in ("help", "plugin list"):
            ratio = res[label]["x_floor"] / base[label]["x_floor"]  # type: ignore[index]
            print("N=%d vs N=%d %-12s ratio %.2f" % (res["n"], base["n"], label, ratio))
            if label == "help" and res["n"] == 500:
                ok &= ratio <= 1.5
                ok &= res[label]["median_ms"] < 150  # type: ignore[index]
    print("targets (help at N=500: <= 1.5x N=0 and < 150 ms):", "MET" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
