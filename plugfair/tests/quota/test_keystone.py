"""The ``keystone`` backend against a real Keystone (unified limits).

Skipped unless ``PLUGFAIR_TEST_KEYSTONE_URL`` is set (start Keystone with
``.ci/keystone.sh``; the admin password is
``PLUGFAIR_TEST_KEYSTONE_PASSWORD``, default ``s3cret``).  Each test uses
its own Keystone service type and project, so workers never collide.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from typing import Any

from plugfair.api import Enforcer, OverLimit, QuotaError, QuotaExceeded
from plugfair.tests.quota import base

KS_URL = os.environ.get("PLUGFAIR_TEST_KEYSTONE_URL")
KS_PASSWORD = os.environ.get("PLUGFAIR_TEST_KEYSTONE_PASSWORD", "s3cret")


class KeystoneTestCase(base.QuotaTestCase):
    plugins = ("alpha", "beta", "off")

    def setUp(self):
        if not KS_URL:
            self.skipTest(
                "PLUGFAIR_TEST_KEYSTONE_URL is not set; start Keystone with .ci/keystone.sh"
            )
        self.service_type = "plugfair-test-" + uuid.uuid4().hex[:10]
        super().setUp()
        self.rewrite_conf(
            "[plugfair]\ndisabled_plugins = off\n"
            "[quota]\nbackend = keystone\nkeystone_auth_url = %s\n"
            "keystone_username = admin\nkeystone_password = %s\n"
            "keystone_service_type = %s\n" % (KS_URL, KS_PASSWORD, self.service_type)
        )
        self.svc = self.service()
        backend: Any = self.svc.backend
        self.backend = backend
        self.sdk = backend.conn
        project = self.sdk.identity.create_project(
            name="plugfair-" + uuid.uuid4().hex[:10], domain_id="default"
        )
        self.project = project.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for lim in list(self.sdk.identity.limits(project_id=self.project)):
            self.sdk.identity.delete_limit(lim)
        self.sdk.identity.delete_project(self.project)
        service_id = self.backend.service_id
        for rl in list(self.sdk.identity.registered_limits(service_id=service_id)):
            self.sdk.identity.delete_registered_limit(rl)
        self.sdk.identity.delete_service(service_id)
        self.backend.close()

    def keystone_limits(self):
        service_id = self.backend.service_id
        return sorted(
            (lim.resource_name, lim.resource_limit)
            for lim in self.sdk.identity.limits(project_id=self.project, service_id=service_id)
        )

    def registered(self):
        service_id = self.backend.service_id
        return sorted(
            (rl.resource_name, rl.default_limit)
            for rl in self.sdk.identity.registered_limits(service_id=service_id)
        )


class TestKeystoneBackend(KeystoneTestCase):
    def test_upgrade_registers_the_declarations(self):
        lines = self.svc.upgrade()
        self.assertIn("Created 5 registered limit(s) in Keystone.", lines)
        self.assertEqual(
            [("alpha.gadgets", 2), ("alpha.storage", -1), ("alpha.widgets", 10),
             ("beta.records", 100), ("beta.zones", 5)],
            self.registered(),
        )
        self.assertIn("up to date", self.svc.upgrade()[-1])

    def test_changed_default_updates_the_registered_limit(self):
        from plugfair.api import QuotaResource

        self.svc.upgrade()
        changed = [("alpha.widgets", QuotaResource("widgets", 12, "count", "Widgets."))]
        lines = self.backend.prepare(changed, explicit=True)
        self.assertIn("Updated the registered limit of alpha.widgets to 12.", lines)
        self.assertIn(("alpha.widgets", 12), self.registered())

    def test_set_show_delete_are_keystone_project_limits(self):
        self.svc.set(self.project, {"alpha.widgets": 20, "beta.zones": -1})
        self.assertEqual([("alpha.widgets", 20), ("beta.zones", -1)], self.keystone_limits())
        self.svc.set(self.project, {"alpha.widgets": 21, "alpha.gadgets": 0})
        self.assertEqual(
            [("alpha.gadgets", 0), ("alpha.widgets", 21), ("beta.zones", -1)],
            self.keystone_limits(),
        )
        rows = {r.key: r for r in self.svc.show(self.project)}
        self.assertEqual(21, rows["alpha.widgets"].limit)
        self.assertTrue(rows["alpha.widgets"].overridden)
        self.assertEqual(100, rows["beta.records"].limit)
        self.assertEqual(1, rows["beta.zones"].in_use)
        self.svc.delete(self.project, ["beta.zones"])
        self.assertEqual([("alpha.gadgets", 0), ("alpha.widgets", 21)], self.keystone_limits())
        self.svc.delete(self.project)
        self.assertEqual([], self.keystone_limits())

    def test_a_limit_can_be_lowered_to_zero(self):
        # Keystone ignores an update of a project limit to 0 (it answers 200
        # and keeps the old value): the backend deletes and creates it.
        self.svc.set(self.project, {"alpha.widgets": 5, "beta.zones": 3})
        self.svc.set(self.project, {"alpha.widgets": 0, "beta.zones": 4})
        self.assertEqual([("alpha.widgets", 0), ("beta.zones", 4)], self.keystone_limits())
        self.assertEqual([], self.backend.journal.pending(self.project))
        self.svc.set(self.project, {"alpha.widgets": 7})
        self.assertEqual([("alpha.widgets", 7), ("beta.zones", 4)], self.keystone_limits())

    def test_bad_input_writes_nothing(self):
        self.svc.set(self.project, {"alpha.widgets": 5})
        for values in (
            {"alpha.gadgets": 1, "alpha.widgets": -3},
            {"alpha.gadgets": 1, "alpha.widgets": "x"},
            {"alpha.gadgets": 1, "alpha.widgets": 2**31},
            {"alpha.gadgets": 1, "alpha.nope": 1},
            {"alpha.gadgets": 1, "off.switches": 1},
        ):
            self.assertRaises(QuotaError, self.svc.set, self.project, values)
        self.assertEqual([("alpha.widgets", 5)], self.keystone_limits())

    def test_unknown_project_writes_nothing(self):
        e = self.assertRaises(QuotaError, self.svc.set, "no-such-project", {"alpha.widgets": 1})
        self.assertIn("does not exist in Keystone", str(e))

    def test_failed_update_puts_everything_back(self):
        self.svc.set(self.project, {"alpha.widgets": 5, "beta.zones": 2})
        backend = self.backend
        real = backend._json
        patched: list[str] = []

        def failing(what, method, url, **kwargs):
            if method == "patch" and "limits/" in url and "Restoring" not in what:
                if patched:
                    raise QuotaError("injected failure")
                patched.append(url)
            return real(what, method, url, **kwargs)

        backend._json = failing
        try:
            e = self.assertRaises(
                QuotaError, self.svc.set, self.project,
                {"alpha.gadgets": 1, "alpha.widgets": 6, "beta.zones": 3},
            )
        finally:
            backend._json = real
        self.assertIn("put back", str(e))
        self.assertEqual([("alpha.widgets", 5), ("beta.zones", 2)], self.keystone_limits())

    def test_enforcer_uses_keystone_limits(self):
        registry = self.registry()
        enforcer = Enforcer(registry, registry.conf)
        self.svc.set(self.project, {"alpha.widgets": 3})
        enforcer.consume(self.project, {"alpha.widgets": 2})
        exc = self.assertRaises(QuotaExceeded, enforcer.check, self.project, {"alpha.widgets": 2})
        self.assertEqual([OverLimit("alpha.widgets", 3, 2, 2)], exc.over)
        self.assertRaises(QuotaExceeded, enforcer.consume, self.project, {"alpha.widgets": 2})
        enforcer.consume(self.project, {"alpha.widgets": 1})
        enforcer.check(self.project, {"alpha.storage": 10**6})

    def test_connection_cache_holds_no_password(self):
        from plugfair.quota.backends import keystone

        self.assertTrue(keystone._CONNECTIONS)
        for key in keystone._CONNECTIONS:
            self.assertNotIn(KS_PASSWORD, [str(part) for part in key])
        keystone.reset_connections()
        self.assertEqual({}, keystone._CONNECTIONS)

    def test_cli_with_keystone(self):
        rc, out, err = self.cli("quota", "set", "--project", self.project, "alpha.widgets=4")
        self.assertEqual(0, rc, err)
        rc, out, err = self.cli("quota", "show", "--project", self.project, "--plugin", "alpha",
                                "-f", "value", "-c", "Resource", "-c", "Limit")
        self.assertEqual(0, rc, err)
        self.assertEqual(["gadgets 2", "storage -1", "widgets 4"], out.splitlines())


# A process that starts a multi-key write and dies (os._exit) between two
# requests: right after its N-th write request to Keystone was answered.
CRASHER = r"""
import os, sys
from plugfair.config.loader import build_conf
from plugfair.quota.backends.journal import Journal
from plugfair.quota.service import QuotaService
from plugfair.registry.core import Registry

conf = build_conf([sys.argv[1]])
svc = QuotaService(Registry.discover(conf), conf)
after = int(sys.argv[3])
real = Journal.settled
writes = []

def crashing(self, intent):
    out = real(self, intent)
    writes.append(intent)
    if len(writes) >= after:
        os._exit(9)
    return out

Journal.settled = crashing
if sys.argv[2] == "set":
    svc.set(sys.argv[4], {"alpha.widgets": 11, "alpha.gadgets": 12, "beta.zones": 13,
                          "beta.records": 14})
else:
    svc.delete(sys.argv[4])
sys.exit(3)  # not reached when it crashes
"""


class TestKeystoneJournal(KeystoneTestCase):
    """A multi-key write is all or nothing, even if the process dies."""

    def crash(self, verb: str, after: int) -> int:
        import subprocess
        import sys

        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        proc = subprocess.run(
            [sys.executable, "-c", CRASHER, self.conf_file, verb, str(after), self.project],
            capture_output=True, text=True, timeout=120, env=env,
        )
        if proc.returncode != 9:
            self.addDetail("crasher stderr", __import__("testtools").content.text_content(
                proc.stderr[-3000:]))
        return proc.returncode

    def intents(self):
        return self.backend.journal.pending(self.project)

    def test_set_interrupted_after_each_request_is_rolled_back(self):
        before = {"alpha.widgets": 5, "beta.zones": 2}
        self.svc.set(self.project, before)
        expected = sorted(before.items())
        # 1 create request (the two new keys), then 2 updates
        for after in (1, 2):
            self.assertEqual(9, self.crash("set", after))
            self.assertNotEqual(expected, self.keystone_limits())  # half done
            self.assertEqual(1, len(self.intents()))
            # the next use of the project puts it back
            rows = {r.key: r for r in self.service().show(self.project)}
            self.assertEqual(expected, self.keystone_limits())
            self.assertEqual(5, rows["alpha.widgets"].limit)
            self.assertEqual(100, rows["beta.records"].limit)
            self.assertEqual([], self.intents())
        # a write that completes leaves no intent
        self.svc.set(self.project, {"alpha.widgets": 6, "alpha.gadgets": 1})
        self.assertEqual([], self.intents())

    def test_delete_interrupted_is_rolled_back(self):
        self.svc.set(self.project, {"alpha.widgets": 5, "beta.zones": 2, "alpha.gadgets": 1})
        self.assertEqual(9, self.crash("delete", 1))
        self.assertEqual(2, len(self.keystone_limits()))
        lines = self.service().upgrade()  # quota db upgrade rolls back every project's
        self.assertTrue([line for line in lines if "Rolled back" in line], lines)
        self.assertEqual([("alpha.gadgets", 1), ("alpha.widgets", 5), ("beta.zones", 2)],
                         self.keystone_limits())

    def test_cli_rolls_back_too(self):
        self.svc.set(self.project, {"alpha.widgets": 5})
        self.assertEqual(9, self.crash("set", 1))
        rc, out, err = self.cli("quota", "show", "--project", self.project, "--plugin", "alpha",
                                "-f", "value", "-c", "Resource", "-c", "Limit")
        self.assertEqual(0, rc, err)
        self.assertEqual(["gadgets 2", "storage -1", "widgets 5"], out.splitlines())
        self.assertEqual([("alpha.widgets", 5)], self.keystone_limits())

    def _fake_intent(self, owner: str, lease: float, keys=("alpha.widgets",)):
        import datetime
        import json
        import time

        from plugfair.quota.schema import intents

        engine = self.backend.ledger.engine
        with engine.begin() as conn:
            conn.execute(intents.insert().values(
                id="f" * 32, project_id=self.project, before=json.dumps({k: None for k in keys}),
                owner=owner, lease_until=time.time() + lease,
                created_at=datetime.datetime.now(datetime.UTC)))

    def test_a_live_intent_makes_writers_and_consumers_wait(self):
        import fixtures

        from plugfair.quota.backends import journal

        self.useFixture(fixtures.MonkeyPatch("plugfair.quota.backends.journal.WAIT", 1.0))
        self.svc.upgrade()
        self._fake_intent("elsewhere.example:1", 100)  # another host, lease running
        e = self.assertRaises(QuotaError, self.svc.set, self.project, {"alpha.widgets": 3})
        self.assertIn("Another process (elsewhere.example:1)", str(e))
        registry = self.registry()
        enforcer = Enforcer(registry, registry.conf)
        self.assertRaises(QuotaError, enforcer.consume, self.project, {"alpha.widgets": 1})
        # other keys are not held
        enforcer.consume(self.project, {"alpha.gadgets": 1})
        self.svc.set(self.project, {"beta.zones": 3})
        self.assertEqual(1, len(journal.Journal(self.backend.ledger).pending(self.project)))

    def test_a_request_in_flight_settles_before_the_rollback(self):
        import fixtures

        from plugfair.quota.backends.journal import Intent

        self.useFixture(fixtures.MonkeyPatch("plugfair.quota.backends.journal.SETTLE", 1.0))
        host = __import__("socket").gethostname()
        gone = "%s:%d" % (host, 2**22 + 7)
        sent = time.time()
        intent = Intent("a" * 32, self.project, {"alpha.widgets": None}, gone, sent + 120, True)
        self.assertFalse(intent.dead(sent + 0.5))  # its last request may still land
        self.assertTrue(intent.dead(sent + 1.5))
        self.assertTrue(dataclasses.replace(intent, in_flight=False).dead(sent + 0.5))

    def test_a_dead_intent_is_rolled_back_by_the_next_writer(self):
        self.svc.upgrade()
        self.svc.set(self.project, {"alpha.widgets": 4})
        # ... left by a process of this host that is gone, or whose lease ran out
        for owner, lease in (("%s:%d" % (__import__("socket").gethostname(), 2**22 + 7), 100),
                             ("elsewhere.example:1", -1)):
            self._fake_intent(owner, lease)
            self.svc.set(self.project, {"alpha.widgets": 6})
            # rolled back (alpha.widgets had no limit before it) then written
            self.assertEqual([("alpha.widgets", 6)], self.keystone_limits())
            self.assertEqual([], self.intents())
