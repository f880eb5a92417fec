"""Child process of the quota soak and crash tests (run with ``python -m``).

``soak URL PROJECT INDEX SECONDS COUNTER_DB LOCKFILE``
    For SECONDS, mix three operations on PROJECT and print a JSON summary:

    * ``QuotaService.set`` (what ``quota set`` calls) of this worker's own
      key ``soak.w<INDEX>`` to an increasing sequence number;
    * ``Enforcer.consume``/``release`` of one ``soak.units`` (host-tracked
      usage, atomic in the store), sampling the stored usage now and then;
    * ``Enforcer.check`` of one ``soakc.counted`` (usage counted by the
      plugin from a shared SQLite table), then recording the reservation in
      that table.  ``check`` does not record anything, so a check and its
      reservation are serialised by the caller (an exclusive file lock), as
      the Enforcer documents.

``crash URL PROJECT KEYS REPORT [START]``
    Forever: set all KEYS keys of PROJECT to the same sequence number
    (START + 1, START + 2, ...) in one call, then append that number to
    REPORT.  The parent kills it.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import sqlite3
import sys
import time
from typing import Any

from oslo_config import cfg

from plugfair.api import Enforcer, Plugin, QuotaExceeded, QuotaResource, make_registry

UNITS_LIMIT = 40
COUNTED_LIMIT = 30


def counted_usage(path: str) -> int:
    db = sqlite3.connect(path, timeout=30)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS reserved (n INTEGER)")
        return int(db.execute("SELECT COUNT(*) FROM reserved").fetchone()[0])
    finally:
        db.close()


def reserve(path: str) -> None:
    db = sqlite3.connect(path, timeout=30)
    try:
        with db:
            db.execute("INSERT INTO reserved VALUES (1)")
    finally:
        db.close()


class Soak(Plugin):
    name = "soak"

    def quota_resources(self):
        keys = [QuotaResource("w%d" % i, 0) for i in range(8)]
        crash = [QuotaResource("k%d" % i, 0) for i in range(64)]
        return keys + crash + [QuotaResource("units", UNITS_LIMIT)]


class SoakCounted(Plugin):
    """Counts its own usage, from a table shared by every process."""

    name = "soakc"

    def quota_resources(self):
        return [QuotaResource("counted", COUNTED_LIMIT)]

    def quota_usage(self, project_id, names):
        if "counted" in names:
            return {"counted": counted_usage(os.environ["SOAK_COUNTER_DB"])}
        return {}


def make(url: str):
    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    from plugfair.quota import opts

    opts.register(conf)
    conf.set_override("connection", url, "quota")
    conf.set_override("usage_timeout", 30.0, "quota")
    registry = make_registry(Soak, SoakCounted, conf=conf, hook_timeout=30.0)
    from plugfair.quota.service import QuotaService

    return QuotaService(registry, conf), Enforcer(registry, conf)


def soak(url: str, project: str, index: int, seconds: float, counter: str, lockfile: str) -> dict[str, Any]:
    os.environ["SOAK_COUNTER_DB"] = counter
    service, enforcer = make(url)
    rnd = random.Random(index)
    ops = {"set": 0, "consume": 0, "refused": 0, "release": 0, "check": 0, "check_refused": 0}
    last_set = None
    held = 0
    reserved = 0
    max_units_seen = 0
    seq = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        choice = rnd.random()
        if choice < 0.3:
            seq += 1
            service.set(project, {"soak.w%d" % index: seq})
            last_set = seq
            ops["set"] += 1
        elif choice < 0.75:
            if held and rnd.random() < 0.45:
                enforcer.release(project, {"soak.units": 1})
                held -= 1
                ops["release"] += 1
            else:
                try:
                    enforcer.consume(project, {"soak.units": 1})
                except QuotaExceeded:
                    ops["refused"] += 1
                else:
                    held += 1
                    ops["consume"] += 1
            if rnd.random() < 0.2:
                _, used = service.backend.snapshot(project, ["soak.units"])
                max_units_seen = max(max_units_seen, int(used.get("soak.units", 0)))
        else:
            with open(lockfile, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    enforcer.check(project, {"soakc.counted": 1})
                except QuotaExceeded:
                    ops["check_refused"] += 1
                else:
                    reserve(counter)
                    reserved += 1
                    ops["check"] += 1
    return {"ops": ops, "last_set": last_set, "held": held, "reserved": reserved,
            "max_units_seen": max_units_seen}


def crash(url: str, project: str, keys: int, report: str, start: int = 0) -> None:
    service, _ = make(url)
    seq = start
    with open(report, "a") as out:
        while True:
            seq += 1
            service.set(project, {"soak.k%d" % i: seq for i in range(keys)})
            out.write("%d\n" % seq)
            out.flush()


def main(argv: list[str]) -> int:
    if argv[0] == "soak":
        url, project, index, seconds, counter, lockfile = argv[1:7]
        print(json.dumps(soak(url, project, int(index), float(seconds), counter, lockfile)))
        return 0
    if argv[0] == "crash":
        url, project, keys, report = argv[1:5]
        crash(url, project, int(keys), report, int(argv[5]) if len(argv) > 5 else 0)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
