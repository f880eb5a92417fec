"""Concurrency and crashes on the quota store, on SQLite and PostgreSQL.

* Soak: 8 processes mix ``quota set`` (``QuotaService.set``),
  ``Enforcer.consume``/``release`` and ``Enforcer.check`` on one project for
  ``PLUGFAIR_SOAK_SECONDS`` (default 10).  Then: every writer's last
  committed value is in the store (no lost update), the host-tracked usage
  equals what the workers hold and never exceeded its limit, and the
  plugin-counted reservations never exceeded theirs.
* Crashes: a process running ``quota set`` of 64 keys at once, over and
  over, is killed with SIGKILL at random moments (``PLUGFAIR_CRASH_KILLS``
  times, default 12).  After each kill the database passes its integrity
  check, the store is readable through ``QuotaService``, all 64 keys hold
  the same generation (all-or-nothing) and the last committed generation
  survived.

PostgreSQL runs are skipped unless ``PLUGFAIR_TEST_PG_URL`` is set (start
a server with ``.ci/postgres.sh``).  The manifest cache under concurrent
writers and damaged files is covered by
``plugfair/tests/foundation/test_manifest_cache.py``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from typing import TYPE_CHECKING, Any

import fixtures
import sqlalchemy as sa

from plugfair.tests import base
from plugfair.tests.reliability import figures, soak_worker

WORKERS = 8
SECONDS = float(os.environ.get("PLUGFAIR_SOAK_SECONDS", "10"))
KILLS = int(os.environ.get("PLUGFAIR_CRASH_KILLS", "12"))
#: Keys written by one ``quota set`` in the crash test (the test plugin
#: declares 64), so that a kill often lands inside the transaction.
CRASH_KEYS = 64
#: Bound of every wait on a child process, in seconds.
WAIT = 30.0
PG_URL = os.environ.get("PLUGFAIR_TEST_PG_URL", "")

if TYPE_CHECKING:
    _Base = base.TestCase
else:
    _Base = object


def _child(*args: str) -> list[str]:
    return [sys.executable, "-m", "plugfair.tests.reliability.soak_worker", *args]


def _reap(proc: subprocess.Popen[Any]) -> None:
    """Kill ``proc`` if it still runs, and wait for it (bounded)."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:  # pragma: no cover - a zombie we cannot reap
        pass
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class StoreMixin(_Base):
    """Runs against :meth:`url`; subclasses choose the database."""

    backend_name = ""

    def url(self) -> str:
        raise NotImplementedError

    def setUp(self) -> None:
        super().setUp()
        self.work = self.useFixture(fixtures.TempDir()).path
        self.project = "soak-" + uuid.uuid4().hex[:10]
        self.service, self.enforcer = soak_worker.make(self.url())
        self.service.upgrade()

    def spawn(self, args: list[str], name: str, stdout: Any = subprocess.DEVNULL) -> subprocess.Popen[Any]:
        """Start a child whose stderr goes to a file; it is killed and reaped at cleanup.

        Never read a child's pipe while it may still run: the crash child
        runs forever, so reading its stderr would wait forever.
        """
        err = open(os.path.join(self.work, name + ".err"), "wb")
        self.addCleanup(err.close)
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err, start_new_session=True
        )
        self.addCleanup(_reap, proc)
        return proc

    def stderr_of(self, name: str) -> str:
        with open(os.path.join(self.work, name + ".err"), encoding="utf-8", errors="replace") as f:
            return f.read()[-3000:]

    def limits(self, keys: list[str]) -> dict[str, int]:
        """The stored limits of ``keys``, read through a connection of its own."""
        from plugfair.quota import schema

        engine = sa.create_engine(self.url())
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.select(schema.limits.c.resource, schema.limits.c.hard_limit).where(
                        schema.limits.c.project_id == self.project,
                        schema.limits.c.resource.in_(keys),
                    )
                )
                return {str(k): int(v) for k, v in rows}
        finally:
            engine.dispose()

    def test_soak(self) -> None:
        counter = os.path.join(self.work, "counter.sqlite")
        self.useFixture(fixtures.EnvironmentVariable("SOAK_COUNTER_DB", counter))
        lockfile = os.path.join(self.work, "check.lock")
        procs = [
            self.spawn(
                _child("soak", self.url(), self.project, str(i), str(SECONDS), counter, lockfile),
                "soak%d" % i, stdout=subprocess.PIPE,
            )
            for i in range(WORKERS)
        ]
        results = []
        deadline = time.monotonic() + SECONDS + 60
        for i, proc in enumerate(procs):
            try:
                out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.fail("soak worker %d did not finish: %s" % (i, self.stderr_of("soak%d" % i)))
            self.assertEqual(0, proc.returncode, self.stderr_of("soak%d" % i))
            results.append(json.loads(out.decode().strip().splitlines()[-1]))
        # no lost update: each worker's last committed value is stored
        keys = ["soak.w%d" % i for i in range(WORKERS)]
        stored = self.limits(keys)
        for i, res in enumerate(results):
            if res["last_set"] is not None:
                self.assertEqual(res["last_set"], stored.get("soak.w%d" % i), "worker %d" % i)
        # host-tracked usage: equals what the workers hold, never over
        usage = self.enforcer.usage(self.project)
        self.assertEqual(sum(r["held"] for r in results), usage["soak.units"])
        self.assertLessEqual(usage["soak.units"], soak_worker.UNITS_LIMIT)
        for res in results:
            self.assertLessEqual(res["max_units_seen"], soak_worker.UNITS_LIMIT)
        # plugin-counted usage: checks under the caller's lock never overran
        reserved = soak_worker.counted_usage(counter)
        self.assertEqual(sum(r["reserved"] for r in results), reserved)
        self.assertLessEqual(reserved, soak_worker.COUNTED_LIMIT)
        ops = {k: sum(r["ops"][k] for r in results) for k in results[0]["ops"]}
        self.assertGreater(ops["set"], 0)
        self.assertGreater(ops["consume"], 0)
        self.assertGreater(ops["check"], 0)
        figures.record(
            "soak_" + self.backend_name,
            processes=WORKERS, seconds=SECONDS, operations=sum(ops.values()),
            lost_updates=0, over_limit=0, **{"ops_" + k: v for k, v in ops.items()},
        )

    def test_sigkill_mid_write(self) -> None:
        keys = ["soak.k%d" % i for i in range(CRASH_KEYS)]
        rnd = random.Random(8)
        kills = 0
        unreported = 0  # kills that landed after a commit, before its report line
        for n in range(KILLS):
            # each run counts up from its own base, so a value from an
            # earlier run can never pass for one of this run
            start = n * 1_000_000
            report = os.path.join(self.work, "committed%d.txt" % n)
            open(report, "w").close()
            name = "crash%d" % n
            proc = self.spawn(
                _child("crash", self.url(), self.project, str(CRASH_KEYS), report, str(start)),
                name,
            )
            # wait until it has committed once, then kill it at a random moment
            deadline = time.monotonic() + WAIT
            while os.path.getsize(report) == 0:
                if proc.poll() is not None:
                    self.fail("the writer exited (%s): %s" % (proc.returncode, self.stderr_of(name)))
                if time.monotonic() > deadline:
                    self.fail("the writer never committed: %s" % self.stderr_of(name))
                time.sleep(0.01)
            time.sleep(rnd.uniform(0.0, 0.25))
            if proc.poll() is not None:
                self.fail("the writer exited (%s): %s" % (proc.returncode, self.stderr_of(name)))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=WAIT)
            self.assertEqual(-signal.SIGKILL, proc.returncode)
            kills += 1
            with open(report) as f:
                committed = [int(x) for x in f.read().split()]
            last = committed[-1]
            self.assertGreater(last, start)
            self.check_integrity()
            # all-or-nothing: every key holds the same generation ...
            values = self.limits(keys)
            self.assertEqual(CRASH_KEYS, len(values), repr(values))
            self.assertEqual(1, len(set(values.values())), repr(values))
            value = next(iter(values.values()))
            # ... and the last committed one survived (the kill may land
            # after a commit and before its report line)
            self.assertIn(value, (last, last + 1), "stored %d, last committed %d" % (value, last))
            unreported += value == last + 1
            # readable through the service, which agrees with the database
            service, _ = soak_worker.make(self.url())
            rows = {r.key: r for r in service.show(self.project, "soak") if r.key in values}
            self.assertEqual(set(keys), set(rows))
            for key, row in rows.items():
                self.assertTrue(row.overridden, key)
                self.assertEqual(value, row.limit, key)
        # still writable after the crashes
        final = KILLS * 1_000_000 + 7
        self.service.set(self.project, {k: final for k in keys})
        self.assertEqual({k: final for k in keys}, self.limits(keys))
        self.check_integrity()
        self.assertEqual(KILLS, kills)
        figures.record(
            "crashes_" + self.backend_name, sigkills=kills, keys_per_write=CRASH_KEYS,
            lost_commits=0, inconsistent_reads=0, integrity_failures=0,
            kills_after_commit_before_report=unreported,
        )

    def check_integrity(self) -> None:
        """Check the database's own consistency after a crash."""
        raise NotImplementedError


class TestSQLite(StoreMixin, base.TestCase):
    backend_name = "sqlite"

    def url(self) -> str:
        if not hasattr(self, "_url"):
            self._url = "sqlite:///%s" % os.path.join(
                self.useFixture(fixtures.TempDir()).path, "quota.sqlite")
        return self._url

    def check_integrity(self) -> None:
        engine = sa.create_engine(self.url())
        try:
            with engine.connect() as conn:
                self.assertEqual("ok", conn.exec_driver_sql("PRAGMA integrity_check").scalar())
        finally:
            engine.dispose()


class TestPostgreSQL(StoreMixin, base.TestCase):
    backend_name = "postgresql"

    def setUp(self) -> None:
        if not PG_URL:
            self.skipTest("PLUGFAIR_TEST_PG_URL is not set; start PostgreSQL with .ci/postgres.sh")
        super().setUp()

    def url(self) -> str:
        return PG_URL

    def check_integrity(self) -> None:
        """No duplicate keys, and (with amcheck) every B-tree index of the limits is sound."""
        from plugfair.quota import schema

        engine = sa.create_engine(self.url())
        try:
            with engine.connect() as conn:
                table = schema.limits.name
                total, distinct = conn.exec_driver_sql(
                    "SELECT count(*), count(DISTINCT (project_id, resource)) FROM %s" % table
                ).one()
                self.assertEqual(total, distinct)
                if conn.exec_driver_sql(
                    "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'"
                ).first():
                    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
                    indexes = conn.exec_driver_sql(
                        "SELECT indexrelid::regclass::text FROM pg_index "
                        "WHERE indrelid = %s::regclass", (table,)
                    ).scalars().all()
                    self.assertTrue(indexes)
                    for index in indexes:
                        conn.exec_driver_sql("SELECT bt_index_check(%s::regclass, true)", (index,))
                conn.commit()
        finally:
            engine.dispose()
