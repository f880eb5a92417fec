"""Benchmark of the quota host: ``quota show`` and ``Enforcer.check``.

1. ``quota show`` for one project with 50 plugins x 10 resources on the
   embedded SQLite store: half the plugins count their own usage (a
   callback), the others are tracked by the host, and 100 keys have a
   project limit.  Timed end to end (``plugfair quota show``, a process
   per run, manifest warm) in alternating triples with ``plugfair plugin
   list`` (same process start-up and discovery, no store) as the
   baseline, and with ``quota show`` under ``[quota] usage_isolation =
   thread`` (the callbacks in threads of the host, as before issue 14),
   so the cost of a child process per plugin is a same-run ratio; and
   in-process (``QuotaService.show``, as the dashboard calls it) in both
   modes.
2. ``Enforcer.check`` throughput (checks per second, 2 keys per check) on
   SQLite and, when a URL is given, PostgreSQL, against a same-run
   baseline: the raw SQL query the check needs (the same statement and
   parameters, run on a bare driver connection).  Batches of the two
   alternate; the ratio is the median over batches.

Target (issue 4): a check costs at most 2x the raw query.

Read the ratios, not the absolute numbers: these machines are shared.

With ``--against DIR``, ``quota show`` of another plugfair source tree
(say, before a change) is timed in the same rounds, and the ratio of the
two is the median of the per-round ratios.

Usage: python bench/quota.py [--pg-url URL] [--pairs 11] [--rounds 21]
       [--batch 300] [--json FILE] [--against DIR]
       (--pg-url defaults to $PLUGFAIR_TEST_PG_URL)
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
import uuid
from typing import Any

from plugfair.interface.testing import write_distribution

PLUGINS = 50
RESOURCES = 10

PLUGIN = '''
from plugfair.api import Plugin, QuotaResource


class BenchQuota(Plugin):
    name = "{name}"
    description = "Synthetic quota plugin {name}."

    def quota_resources(self):
        return [
            QuotaResource("res%02d" % i, 10 * (i + 1), "count", "Resource %d of {name}." % i)
            for i in range({resources})
        ]
'''

COUNTING = '''

    def quota_usage(self, project_id, names):
        return {{n: int(n[3:]) for n in names}}
'''


def generate(directory: str) -> list[str]:
    """Write the plugin distributions; return the plugin names."""
    names = []
    for i in range(PLUGINS):
        name = "qbench%02d" % i
        source = PLUGIN.format(name=name, resources=RESOURCES)
        if i % 2 == 0:
            source += COUNTING.format()
        write_distribution(
            directory,
            "qbench-plugin-%02d" % i,
            "1.0.0",
            {name: "%s_pkg.plugin:BenchQuota" % name},
            {"%s_pkg.plugin" % name: source},
        )
        names.append(name)
    return names


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit("%s failed: %s" % (" ".join(cmd), proc.stderr[-2000:]))
    return elapsed


def _write_conf(path: str, names: list[str], isolation: str) -> str:
    with open(path, "w") as f:
        # only the generated plugins, whatever else is installed
        f.write("[plugfair]\nenabled_plugins = %s\n[quota]\nusage_timeout = 10\n"
                "usage_isolation = %s\n" % (",".join(["plugfair"] + names), isolation))
    return path


LIBRARY = """\
import sys, time, statistics
from plugfair.config.loader import build_conf
from plugfair.registry.core import Registry
from plugfair.quota.service import QuotaService
conf = build_conf([sys.argv[1]])
svc = QuotaService(Registry.discover(conf), conf)
svc.show('bench')
t = []
for _ in range(int(sys.argv[2])):
    s = time.perf_counter(); rows = svc.show('bench'); t.append(time.perf_counter() - s)
if sys.argv[3] != '-' and (len(rows) != int(sys.argv[3]) or set(svc.usage_status().values()) != {'ok'}):
    raise SystemExit('wrong answer: %d rows, %r' % (len(rows), svc.usage_status()))
print(statistics.median(t))
"""


def _library(conf: str, runs: int, env: dict[str, str], *, checked: bool = True) -> float:
    """Median seconds of an in-process ``show``; ``checked``: the answer
    must be every row, each plugin's usage known (another tree's ``show``
    may shape its answer differently)."""
    lib = subprocess.run(
        [sys.executable, "-c", LIBRARY, conf, str(runs), str(PLUGINS * RESOURCES) if checked else "-"],
        env=env, capture_output=True, text=True, check=False,
    )
    if lib.returncode:
        raise SystemExit("in-process show failed: %s" % lib.stderr[-2000:])
    return float(lib.stdout.strip())


PLUGFAIR = [sys.executable, "-c", "import sys; from plugfair.cli.main import main; sys.exit(main())"]


def _prepared_env(root: str, names: list[str], conf: str, tag: str, tree: str | None) -> dict[str, str]:
    """An environment (its own data and cache) with the project's limits set.

    :param tree: a plugfair source tree to put first on ``PYTHONPATH``.
    """
    path = [os.path.join(root, "dists")] + ([tree] if tree else [])
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]),
        PLUGFAIR_CACHE_DIR=os.path.join(root, "cache" + tag),
        XDG_DATA_HOME=os.path.join(root, "data" + tag),
    )
    env.pop("PLUGFAIR_NO_CACHE", None)
    overrides = ["%s.res%02d=%d" % (n, r, 1000 + r) for n in names[:10] for r in range(RESOURCES)]
    _run(PLUGFAIR + ["--config-file", conf, "quota", "set", "--project", "bench"] + overrides, env)
    show = PLUGFAIR + ["--config-file", conf, "quota", "show", "--project", "bench", "-f", "value"]
    out = subprocess.run(show, env=env, capture_output=True, text=True, check=True).stdout
    if len(out.splitlines()) != PLUGINS * RESOURCES:
        raise SystemExit("quota show printed %d rows, expected %d"
                         % (len(out.splitlines()), PLUGINS * RESOURCES))
    return env


def bench_show(root: str, names: list[str], pairs: int, against: str | None) -> dict[str, Any]:
    conf = _write_conf(os.path.join(root, "plugfair.conf"), names, "process")
    threads = _write_conf(os.path.join(root, "threads.conf"), names, "thread")
    env = _prepared_env(root, names, conf, "", None)
    other = _prepared_env(root, names, conf, "-against", against) if against else None
    show = PLUGFAIR + ["--config-file", conf, "quota", "show", "--project", "bench", "-f", "value"]
    baseline = PLUGFAIR + ["--config-file", conf, "plugin", "list", "-f", "value"]
    in_threads = PLUGFAIR + ["--config-file", threads, "quota", "show", "--project", "bench",
                             "-f", "value"]
    a, b, c, d = [], [], [], []
    for _ in range(pairs):
        a.append(_run(show, env))
        b.append(_run(baseline, env))
        c.append(_run(in_threads, env))
        if other is not None:
            d.append(_run(show, other))
    runs = max(pairs, 11)
    out = {
        "rows": PLUGINS * RESOURCES,
        "cli_show_ms": statistics.median(a) * 1000,
        "cli_plugin_list_ms": statistics.median(b) * 1000,
        "cli_show_threads_ms": statistics.median(c) * 1000,
        "x_plugin_list": statistics.median(x / y for x, y in zip(a, b, strict=True)),
        "threads_x_plugin_list": statistics.median(z / y for z, y in zip(c, b, strict=True)),
        "x_threads": statistics.median(x / z for x, z in zip(a, c, strict=True)),
        "library_show_ms": _library(conf, runs, env) * 1000,
        "library_show_threads_ms": _library(threads, runs, env) * 1000,
    }
    if other is not None:
        out["cli_show_against_ms"] = statistics.median(d) * 1000
        out["x_against"] = statistics.median(x / w for x, w in zip(a, d, strict=True))
        out["library_show_against_ms"] = _library(conf, runs, other, checked=False) * 1000
    return out


def bench_check(url: str, root: str, names: list[str], rounds: int, batch: int) -> dict[str, Any]:
    from plugfair.api import QuotaExceeded
    from plugfair.config.loader import build_conf
    from plugfair.quota.enforcer import Enforcer  # what Command.quota_enforcer() gives
    from plugfair.quota.service import QuotaService
    from plugfair.registry.core import Registry

    conf_file = os.path.join(root, "check-%s.conf" % url.split(":")[0].split("+")[0])
    with open(conf_file, "w") as f:
        f.write("[plugfair]\nenabled_plugins = %s\n[quota]\nconnection = %s\n"
                % (",".join(["plugfair"] + names), url))
    conf = build_conf([conf_file])
    registry = Registry.discover(conf)
    service = QuotaService(registry, conf)
    service.upgrade()
    enforcer = Enforcer(registry, conf)
    project = "bench-" + uuid.uuid4().hex[:8]
    tracked = [n for i, n in enumerate(names) if i % 2 == 1]
    keys = ["%s.res03" % tracked[0], "%s.res07" % tracked[1]]
    service.set(project, {keys[0]: 500})
    enforcer.consume(project, {keys[0]: 5, keys[1]: 7})
    deltas = {keys[0]: 1, keys[1]: 1}
    enforcer.check(project, deltas)
    try:
        enforcer.check(project, {keys[1]: 10**6})
        raise SystemExit("the check did not refuse an over-limit request")
    except QuotaExceeded:
        pass

    # the baseline: the same statement on a bare driver connection
    ledger = service.backend.ledger  # type: ignore[attr-defined]
    engine = ledger.engine
    sql, order = ledger.snapshot_query(len(keys))
    named = {"p": project, "k0": keys[0], "k1": keys[1]}
    params: Any = named if order is None else tuple(named[n] for n in order)
    fairy = engine.raw_connection()
    fairy.detach()
    raw = fairy.dbapi_connection
    if engine.dialect.name != "sqlite":
        engine.dialect.set_isolation_level(raw, "AUTOCOMMIT")

    def raw_query() -> None:
        cur = raw.cursor()
        cur.execute(sql, params)
        cur.fetchall()
        cur.close()

    def check() -> None:
        enforcer.check(project, deltas)

    for _ in range(batch):  # warm both
        raw_query()
        check()
    a, b = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            raw_query()
        a.append((time.perf_counter() - start) / batch)
        start = time.perf_counter()
        for _ in range(batch):
            check()
        b.append((time.perf_counter() - start) / batch)
    raw.close()
    return {
        "dialect": engine.dialect.name,
        "raw_query_us": statistics.median(a) * 1e6,
        "check_us": statistics.median(b) * 1e6,
        "checks_per_s": 1 / statistics.median(b),
        "raw_queries_per_s": 1 / statistics.median(a),
        "x_raw": statistics.median(y / x for x, y in zip(a, b, strict=True)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("PLUGFAIR_TEST_PG_URL"))
    parser.add_argument("--pairs", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--batch", type=int, default=300)
    parser.add_argument("--json", help="Also write the results to this file.")
    parser.add_argument(
        "--against", metavar="DIR",
        help="Also time quota show with the plugfair source tree in DIR (e.g. from 'git "
        "archive REV plugfair | tar -x -C DIR'), interleaved in the same run.")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="plugfair-quota-bench-") as root:
        dists = os.path.join(root, "dists")
        os.makedirs(dists)
        names = generate(dists)
        sys.path.insert(0, dists)
        os.environ["PLUGFAIR_CACHE_DIR"] = os.path.join(root, "cache")
        show = bench_show(root, names, args.pairs, args.against)
        results["show"] = show
        print("quota show, %d plugins x %d resources (%d rows), SQLite:" % (
            PLUGINS, RESOURCES, show["rows"]))
        print("  CLI  %8.1f ms   plugin list %8.1f ms   x %.2f" % (
            show["cli_show_ms"], show["cli_plugin_list_ms"], show["x_plugin_list"]))
        print("  CLI, callbacks in threads %8.1f ms   x plugin list %.2f   "
              "child processes x threads %.2f" % (
                  show["cli_show_threads_ms"], show["threads_x_plugin_list"], show["x_threads"]))
        print("  library QuotaService.show  %8.1f ms (threads: %.1f ms)" % (
            show["library_show_ms"], show["library_show_threads_ms"]))
        if args.against:
            print("  against %s: CLI %8.1f ms   x %.2f   library %8.1f ms" % (
                args.against, show["cli_show_against_ms"], show["x_against"],
                show["library_show_against_ms"]))
        urls = [("sqlite", "sqlite:///%s" % os.path.join(root, "check.sqlite"))]
        if args.pg_url:
            urls.append(("postgresql", args.pg_url))
        ok = True
        for label, url in urls:
            res = bench_check(url, root, names, args.rounds, args.batch)
            results["check_" + label] = res
            print("Enforcer.check on %s: %8.0f checks/s (%6.1f us)   raw query %8.0f/s "
                  "(%6.1f us)   x raw %.2f" % (
                      label, res["checks_per_s"], res["check_us"], res["raw_queries_per_s"],
                      res["raw_query_us"], res["x_raw"]))
            ok &= res["x_raw"] <= 2.0
        if not args.pg_url:
            print("PostgreSQL skipped: pass --pg-url or set PLUGFAIR_TEST_PG_URL.")
    print("target (check <= 2x the raw query):", "MET" if ok else "NOT MET")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
