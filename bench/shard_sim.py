"""Simulated sharding: a skewed suite split by ``plugfair run --shard I/N``.

It makes up a suite of TESTS test ids (100 plugins, classes of 10 tests)
whose durations are skewed as real suites are (a class's cost is
log-normal, and so is each test's within its class: a few classes take
most of the time), writes them as a subunit v2 stream such as
``plugfair run --subunit`` leaves, loads that stream into a stestr
repository, and splits the suite into SHARDS shards three ways with
plugfair's own :func:`plugfair.testhost.selection.partition`:

* round robin (no timing data);
* balanced by the durations in the stestr repository;
* balanced by the durations in the subunit stream (``--timing-from``),
  when this plugfair has it.

For each it reports the longest shard's duration over the mean, and
checks that every shard is disjoint, that together they hold every test
and that no class is split.

Usage: python bench/shard_sim.py [--tests 10000] [--shards 8]
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import sys
import tempfile


def suite(tests: int, seed: int = 15) -> dict[str, float]:
    """Test id -> seconds, for a made-up suite of ``tests`` tests."""
    rng = random.Random(seed)
    per_class = 10
    classes = max(1, tests // per_class)
    plugins = 100
    out: dict[str, float] = {}
    for c in range(classes):
        plugin = c % plugins
        scale = rng.lognormvariate(0.0, 1.4)
        for t in range(per_class):
            if len(out) == tests:
                break
            test_id = "sim_plugin_%03d.tests.test_m%04d.SimTest%04d.test_%02d" % (plugin, c, c, t)
            out[test_id] = round(scale * rng.lognormvariate(0.0, 0.6), 6)
    return out


def write_stream(path: str, durations: dict[str, float]) -> str:
    """Write a subunit v2 stream in which each test took its duration."""
    import subunit

    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    with open(path, "wb") as f:
        out = subunit.StreamResultToBytes(f)
        clock = start
        for test_id, seconds in durations.items():
            out.status(test_id=test_id, test_status="inprogress", timestamp=clock)
            clock += datetime.timedelta(seconds=seconds)
            out.status(test_id=test_id, test_status="success", timestamp=clock)
    return path


def load_repository(directory: str, stream: str) -> object:
    """A stestr repository that holds the run of ``stream``."""
    from stestr.commands import load as stestr_load
    from stestr.repository import util as repo_util

    os.makedirs(directory, exist_ok=True)
    stestr_load.load(force_init=True, repo_url=directory, streams=[stream], stdout=io.StringIO())
    return repo_util.get_repo_open(repo_url=directory)


def _check(parts: list[list[str]], ids: list[str]) -> None:
    from plugfair.interface.testids import scheduling_group

    flat = [t for part in parts for t in part]
    if sorted(flat) != sorted(ids):
        raise SystemExit("the shards do not hold every test exactly once")
    where: dict[str | None, int] = {}
    for index, part in enumerate(parts):
        for t in part:
            group = scheduling_group(t)
            if where.setdefault(group, index) != index:
                raise SystemExit("class %s is split across shards" % group)


def _spread(parts: list[list[str]], durations: dict[str, float]) -> tuple[float, float]:
    sums = [sum(durations[t] for t in part) for part in parts]
    return max(sums) / (sum(sums) / len(sums)), max(sums)


def simulate(root: str, *, tests: int = 10000, shards: int = 8) -> list[tuple[str, float, str]]:
    """Split the made-up suite; return ``(name, ratio, detail)`` rows."""
    from plugfair.testhost import selection

    os.makedirs(root, exist_ok=True)
    durations = suite(tests)
    ids = list(durations)
    stream = write_stream(os.path.join(root, "timing.subunit"), durations)
    repo = load_repository(os.path.join(root, "repo"), stream)
    ways: dict[str, dict[str, object]] = {
        "round robin": {},
        "timed, stestr repository": {"repository": repo},
    }
    timing_from = getattr(selection, "timing_from", None)
    if timing_from is not None:
        ways["timed"] = {"timing": timing_from([stream])}
    rows = []
    total = sum(durations.values())
    biggest = max(
        sum(d for t, d in durations.items() if t.rsplit(".", 1)[0] == cls)
        for cls in {t.rsplit(".", 1)[0] for t in ids}
    )
    for label, kwargs in ways.items():
        parts = [
            selection.partition(ids, selection.Shard(i, shards), **kwargs)  # type: ignore[arg-type]
            for i in range(1, shards + 1)
        ]
        _check(parts, ids)
        spread, longest = _spread(parts, durations)
        rows.append((
            "shards: longest / mean (%s)" % label, spread,
            "%d tests, %d shards, longest %.0f s, mean %.0f s, biggest class %.0f s"
            % (len(ids), shards, longest, total / shards, biggest),
        ))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=10000)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plugfair-shards-") as root:
        for name, value, detail in simulate(root, tests=args.tests, shards=args.shards):
            print("%-46s %6.3f  [%s]" % (name, value, detail))
    return 0


if __name__ == "__main__":
    sys.exit(main())
