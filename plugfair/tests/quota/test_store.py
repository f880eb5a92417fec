"""The SQL store: embedded default, explicit URLs and migrations."""

from __future__ import annotations

import os
import sqlite3

import sqlalchemy as sa

from plugfair.api import QuotaError
from plugfair.quota import schema, store
from plugfair.tests.quota import base


class TestEmbeddedDefault(base.QuotaTestCase):
    explicit_url = False

    def test_created_and_upgraded_on_first_use(self):
        path = os.path.join(self.home, "data", "plugfair", "quota.sqlite")
        self.assertFalse(os.path.exists(path))
        service = self.service()
        service.set("p1", {"alpha.widgets": 4})
        self.assertTrue(os.path.exists(path))
        with sqlite3.connect(path) as db:
            self.assertEqual(
                [(store.head_revision(),)],
                list(db.execute("SELECT version_num FROM %s" % schema.VERSION_TABLE)),
            )
            self.assertEqual(
                [("p1", "alpha.widgets", 4)],
                list(db.execute("SELECT project_id, resource, hard_limit FROM plugfair_quota_limits")),
            )
        self.assertIn("embedded default", service.describe())

    def test_default_url_follows_xdg_data_home(self):
        self.assertEqual(
            "sqlite:///%s" % os.path.join(self.home, "data", "plugfair", "quota.sqlite"),
            store.default_url(),
        )


class TestExplicitDatabase(base.QuotaTestCase):
    def test_not_upgraded_database_is_refused_with_a_remedy(self):
        other = os.path.join(self.work, "other.sqlite")
        self.url = "sqlite:///%s" % other
        self.rewrite_conf("")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertIn("plugfair quota db upgrade", str(e))
        self.assertIn("<none: no schema>", str(e))
        # nothing was created behind the operator's back
        with sqlite3.connect(other) as db:
            self.assertEqual([], list(db.execute("SELECT name FROM sqlite_master")))

    def test_db_upgrade_command_then_use(self):
        other = os.path.join(self.work, "other.sqlite")
        self.url = "sqlite:///%s" % other
        self.rewrite_conf("")
        rc, out, err = self.cli("quota", "db", "upgrade")
        self.assertEqual(0, rc, err)
        self.assertIn("to %s" % store.head_revision(), out)
        rc, out, err = self.cli("quota", "db", "upgrade")
        self.assertEqual(0, rc, err)
        self.assertIn("already at revision", out)
        self.service().set("p1", {"alpha.widgets": 1})

    def test_malformed_url(self):
        self.url = "not a url"
        self.rewrite_conf("")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertIn("is not a SQLAlchemy URL", str(e))

    def test_missing_driver(self):
        self.url = "nosuchdb+nodriver://u@h/d"
        self.rewrite_conf("")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertIn("Cannot use quota database", str(e))

    def test_password_never_shown(self):
        self.url = "postgresql+psycopg://user:hunter2@127.0.0.1:1/db"
        self.rewrite_conf("")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertNotIn("hunter2", str(e))


class TestEngineCache(base.QuotaTestCase):
    """The process-wide engine cache keeps no password and can be reset."""

    def test_keys_hold_no_password(self):
        url = "postgresql+psycopg://user:hunter2@127.0.0.1:1/db"
        self.addCleanup(store.reset)
        engine = store.engine_for(url)
        for key in list(store._ENGINES) + [store.cache_key(url)]:
            self.assertNotIn("hunter2", key)
        self.assertIn("***", store.cache_key(url))
        # the same URL gives the same engine; another password another one
        self.assertIs(engine, store.engine_for(url))
        other = store.engine_for(url.replace("hunter2", "letmein"))
        self.assertIsNot(engine, other)
        self.assertNotEqual(store.cache_key(url), store.cache_key(url.replace("hunter2", "x")))

    def test_ready_marks_hold_no_password(self):
        self.service().set("p1", {"alpha.widgets": 4})
        self.assertTrue(store._READY)
        url = "sqlite:///%s" % self.db_path
        self.assertIn(store.cache_key(url), store._READY)

    def test_unparsable_url_is_not_shown(self):
        self.url = "post gres://user:hunter2@host/db"
        self.rewrite_conf("")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertNotIn("hunter2", str(e))
        self.assertNotIn("hunter2", store.cache_key(self.url))

    def test_reset_forgets_engines_and_checks(self):
        service = self.service()
        service.set("p1", {"alpha.widgets": 4})
        engine = store.engine_for("sqlite:///%s" % self.db_path)
        self.assertTrue(store._ENGINES)
        store.reset()
        self.assertEqual({}, store._ENGINES)
        self.assertEqual(set(), store._READY)
        fresh = store.engine_for("sqlite:///%s" % self.db_path)
        self.assertIsNot(engine, fresh)
        # a fresh service works on the fresh engine
        self.assertEqual(4, {r.key: r.limit for r in self.service().show("p1")}["alpha.widgets"])


class TestMigrations(base.QuotaTestCase):
    def test_head_constant_matches_the_shipped_migrations(self):
        self.assertEqual(schema.HEAD, store.head_revision())

    def test_migrations_build_exactly_the_declared_schema(self):
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        engine = sa.create_engine(str(self.url))
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": schema.VERSION_TABLE})
            diff = compare_metadata(ctx, schema.metadata)
        engine.dispose()
        self.assertEqual([], diff)

    def test_a_failing_write_is_rolled_back_whole(self):
        service = self.service()
        service.set("p1", {"alpha.widgets": 5})
        # bypass validation: the database's CHECK refuses the second row
        self.assertRaises(
            QuotaError,
            service.backend.set_project_limits,
            "p1",
            {"alpha.gadgets": 1, "alpha.widgets": -9},
            [],
        )
        with sqlite3.connect(self.db_path) as db:
            self.assertEqual(
                [("alpha.widgets", 5)],
                list(db.execute("SELECT resource, hard_limit FROM plugfair_quota_limits")),
            )

    def test_check_constraints_hold(self):
        with sqlite3.connect(self.db_path) as db:
            self.assertRaises(
                sqlite3.IntegrityError,
                db.execute,
                "INSERT INTO plugfair_quota_limits VALUES ('p', 'a.b', -2, '2020-01-01')",
            )
