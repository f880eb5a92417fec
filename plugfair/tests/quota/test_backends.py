"""Backends load by name from the entry-point group, never by if/else."""

from __future__ import annotations

import importlib
import sys

import fixtures

from plugfair.api import QuotaError
from plugfair.interface.testing import write_distribution
from plugfair.quota.backends import NAMESPACE
from plugfair.tests.quota import base

MEMORY = '''
from plugfair.quota.backends.base import QuotaBackend, over_limits

STORE = {}


class MemoryBackend(QuotaBackend):
    name = "memory"

    def describe(self):
        return "memory"

    def prepare(self, declared, *, explicit):
        return ["memory is always ready (%d declared)" % len(declared)]

    def project_limits(self, project_id, keys=None):
        mine = STORE.get(project_id, {})
        return {k: v for k, v in mine.items() if keys is None or k in keys}

    def set_project_limits(self, project_id, values, declared):
        STORE.setdefault(project_id, {}).update(values)

    def delete_project_limits(self, project_id, keys=None):
        mine = STORE.get(project_id, {})
        gone = [k for k in list(mine) if keys is None or k in keys]
        for k in gone:
            del mine[k]
        return len(gone)

    def tracked_usage(self, project_id, keys):
        return {}

    def snapshot(self, project_id, keys):
        return self.project_limits(project_id, keys), {}

    def consume(self, project_id, deltas, defaults):
        raise NotImplementedError
'''

BROKEN = '''
raise ImportError("no such driver library")
'''


class BackendDistribution(fixtures.Fixture):
    """A real distribution declaring backends in ``plugfair.quota.backends``."""

    def _setUp(self):
        path = self.useFixture(fixtures.TempDir()).path
        write_distribution(
            path,
            "quota-backends-test",
            "1.0",
            {},
            {"memq": MEMORY, "brokenq": BROKEN},
            extra_entry_points={
                NAMESPACE: {"memory": "memq:MemoryBackend", "brokenq": "brokenq:Nope"}
            },
        )
        sys.path.insert(0, path)
        self.addCleanup(sys.path.remove, path)
        self.addCleanup(sys.modules.pop, "memq", None)
        self._invalidate()
        self.addCleanup(self._invalidate)

    @staticmethod
    def _invalidate():
        from stevedore import ExtensionManager

        importlib.invalidate_caches()
        ExtensionManager.ENTRY_POINT_CACHE.pop(NAMESPACE, None)


class TestBackendSelection(base.QuotaTestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(BackendDistribution())

    def test_default_is_sql(self):
        self.assertTrue(self.service().describe().startswith("sql: sqlite:///"))

    def test_selected_by_config(self):
        self.rewrite_conf("[quota]\nbackend = memory\n")
        service = self.service()
        self.assertEqual("memory", service.describe())
        service.set("p1", {"alpha.widgets": 7})
        self.assertEqual({"alpha.widgets": 7}, sys.modules["memq"].STORE["p1"])
        rows = {r.key: r for r in service.show("p1")}
        self.assertEqual(7, rows["alpha.widgets"].limit)
        self.assertEqual(["memory is always ready (5 declared)"], service.upgrade())

    def test_unknown_backend(self):
        self.rewrite_conf("[quota]\nbackend = nosuch\n")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertIn("'nosuch' is not installed", str(e))
        self.assertIn("keystone", str(e))
        self.assertIn("memory", str(e))
        self.assertIn("sql", str(e))

    def test_backend_that_fails_to_load(self):
        self.rewrite_conf("[quota]\nbackend = brokenq\n")
        e = self.assertRaises(QuotaError, self.service().show, "p1")
        self.assertIn("could not be loaded", str(e))
        self.assertIn("no such driver library", str(e))
