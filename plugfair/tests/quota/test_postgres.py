"""The quota store on a real PostgreSQL server.

Skipped unless ``PLUGFAIR_TEST_PG_URL`` names a database (start one with
``.ci/postgres.sh``).  Tests use project ids unique to the test, so
several test workers can share the database.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import threading
import uuid

import sqlalchemy as sa

from plugfair.api import Enforcer, OverLimit, QuotaError, QuotaExceeded
from plugfair.quota import schema, store
from plugfair.tests.quota import base
from plugfair.tests.quota.test_enforcer import CHILD

PG_URL = os.environ.get("PLUGFAIR_TEST_PG_URL", "")


class PostgresTestCase(base.QuotaTestCase):
    plugins = ("alpha", "beta", "off")
    extra_conf = "[plugfair]\ndisabled_plugins = off\n"

    def setUp(self):
        if not PG_URL:
            self.skipTest("PLUGFAIR_TEST_PG_URL is not set; start PostgreSQL with .ci/postgres.sh")
        super().setUp()
        self.project = "pg-" + uuid.uuid4().hex[:12]
        self.engine = sa.create_engine(PG_URL)
        self.addCleanup(self.engine.dispose)

    def database_url(self):
        return PG_URL

    def stored(self, project=None):
        with self.engine.connect() as conn:
            return sorted(
                tuple(row)
                for row in conn.execute(
                    sa.select(schema.limits.c.resource, schema.limits.c.hard_limit).where(
                        schema.limits.c.project_id == (project or self.project)
                    )
                )
            )

    def enforcer(self):
        registry = self.registry()
        return Enforcer(registry, registry.conf)


class TestPostgresStore(PostgresTestCase):
    def test_schema_is_at_head_and_matches_the_tables(self):
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        self.assertEqual(store.head_revision(), store.current_revision(store.engine_for(PG_URL)))
        with self.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE})
            self.assertEqual([], compare_metadata(ctx, schema.metadata))

    def test_set_show_delete(self):
        service = self.service()
        service.set(self.project, {"alpha.widgets": "20", "beta.zones": -1})
        service.set(self.project, {"alpha.widgets": 21})
        self.assertEqual([("alpha.widgets", 21), ("beta.zones", -1)], self.stored())
        rows = {r.key: r for r in service.show(self.project)}
        self.assertEqual(21, rows["alpha.widgets"].limit)
        self.assertEqual(1, rows["beta.zones"].in_use)
        service.delete(self.project, ["beta.zones"])
        self.assertEqual([("alpha.widgets", 21)], self.stored())
        service.delete(self.project)
        self.assertEqual([], self.stored())

    def test_bad_input_writes_nothing(self):
        service = self.service()
        service.set(self.project, {"alpha.widgets": 5})
        for values in (
            {"alpha.gadgets": 1, "alpha.widgets": -3},
            {"alpha.gadgets": 1, "alpha.widgets": "x"},
            {"alpha.gadgets": 1, "alpha.widgets": 2**31},
            {"alpha.gadgets": 1, "alpha.nope": 1},
            {"alpha.gadgets": 1, "off.switches": 1},
        ):
            self.assertRaises(QuotaError, service.set, self.project, values)
        self.assertEqual([("alpha.widgets", 5)], self.stored())

    def test_a_failing_write_is_rolled_back_whole(self):
        service = self.service()
        service.set(self.project, {"alpha.widgets": 5})
        # bypass validation: the database's CHECK refuses the second row
        self.assertRaises(
            QuotaError,
            service.backend.set_project_limits,
            self.project,
            {"alpha.gadgets": 1, "alpha.widgets": -9},
            [],
        )
        self.assertEqual([("alpha.widgets", 5)], self.stored())

    def test_cli_on_postgres(self):
        rc, out, err = self.cli("quota", "set", "--project", self.project, "alpha.widgets=3")
        self.assertEqual(0, rc, err)
        rc, out, err = self.cli("quota", "show", "--project", self.project, "-f", "value",
                                "-c", "Resource", "-c", "Limit", "--plugin", "alpha")
        self.assertEqual(0, rc, err)
        self.assertEqual(["gadgets 2", "storage -1", "widgets 3"], out.splitlines())


class TestPostgresEnforcer(PostgresTestCase):
    def test_check_lists_every_resource_over(self):
        e = self.enforcer()
        e.consume(self.project, {"alpha.widgets": 9, "alpha.gadgets": 2})
        exc = self.assertRaises(
            QuotaExceeded, e.check, self.project,
            {"alpha.widgets": 2, "alpha.gadgets": 1, "alpha.storage": 10**6},
        )
        self.assertEqual(
            [OverLimit("alpha.gadgets", 2, 2, 1), OverLimit("alpha.widgets", 10, 9, 2)], exc.over
        )
        e.check(self.project, {"alpha.widgets": 1})

    def test_threads_never_overrun_or_lose_updates(self):
        e = self.enforcer()
        self.service().set(self.project, {"alpha.widgets": 17})
        granted = []

        def worker():
            for _ in range(8):
                try:
                    e.consume(self.project, {"alpha.widgets": 1, "alpha.storage": 2})
                    granted.append(1)
                except QuotaExceeded:
                    pass

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        usage = e.usage(self.project)
        self.assertEqual(17, len(granted))
        self.assertEqual(17, usage["alpha.widgets"])
        self.assertEqual(34, usage["alpha.storage"])

    def test_processes_never_overrun_or_lose_updates(self):
        script = os.path.join(self.work, "child.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(CHILD).replace('"shared"', "sys.argv[4]"))
        self.service().set(self.project, {"alpha.widgets": 30})
        plugin_dir = os.path.dirname(str(importlib.import_module("alpha_plugin").__file__))
        children = [
            subprocess.Popen(
                [sys.executable, script, PG_URL, plugin_dir, "12", self.project],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(4)
        ]
        granted = 0
        for child in children:
            out, err = child.communicate(timeout=120)
            self.assertEqual(0, child.returncode, err)
            granted += int(out.strip())
        self.assertEqual(30, granted)
        self.assertEqual(30, self.enforcer().usage(self.project)["alpha.widgets"])
