"""Enforcer.check/consume/release on a real SQLite file."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import threading

from plugfair.api import Enforcer, OverLimit, QuotaError, QuotaExceeded, UsageError
from plugfair.tests.quota import base


class EnforcerTestCase(base.QuotaTestCase):
    plugins = ("alpha", "beta", "raiser", "off")
    extra_conf = "[plugfair]\ndisabled_plugins = off\n"

    def enforcer(self):
        registry = self.registry()
        return Enforcer(registry, registry.conf)


class TestCheck(EnforcerTestCase):
    def test_passes_up_to_the_limit(self):
        e = self.enforcer()
        e.check("p1", {"alpha.widgets": 10})
        e.consume("p1", {"alpha.widgets": 9})
        e.check("p1", {"alpha.widgets": 1})
        self.assertRaises(QuotaExceeded, e.check, "p1", {"alpha.widgets": 2})

    def test_lists_every_resource_over(self):
        e = self.enforcer()
        e.consume("p1", {"alpha.gadgets": 2, "alpha.widgets": 3})
        exc = self.assertRaises(
            QuotaExceeded,
            e.check,
            "p1",
            {"alpha.widgets": 8, "alpha.gadgets": 1, "alpha.storage": 10**6, "beta.zones": 1},
        )
        self.assertEqual(
            [OverLimit("alpha.gadgets", 2, 2, 1), OverLimit("alpha.widgets", 10, 3, 8)],
            exc.over,
        )
        self.assertEqual("p1", exc.project_id)
        self.assertIn("alpha.widgets: limit 10, in use 3, requested +8", str(exc))

    def test_unlimited_always_passes(self):
        e = self.enforcer()
        e.check("p1", {"alpha.storage": 2**31 - 1})
        self.service().set("p1", {"alpha.widgets": -1})
        e.check("p1", {"alpha.widgets": 10**9})

    def test_project_override_is_used(self):
        e = self.enforcer()
        self.service().set("p1", {"alpha.widgets": 1})
        self.assertRaises(QuotaExceeded, e.check, "p1", {"alpha.widgets": 2})
        e.check("p2", {"alpha.widgets": 2})
        self.service().set("p1", {"alpha.widgets": 0})
        self.assertRaises(QuotaExceeded, e.check, "p1", {"alpha.widgets": 1})

    def test_release_and_zero_deltas_always_pass(self):
        e = self.enforcer()
        e.consume("p1", {"alpha.gadgets": 2})
        self.service().set("p1", {"alpha.gadgets": 0})
        e.check("p1", {"alpha.gadgets": -1})
        e.check("p1", {"alpha.gadgets": 0})
        e.check("p1", {})

    def test_usage_from_the_plugin_callback(self):
        e = self.enforcer()
        e.check("p1", {"beta.zones": 4})  # 1 in use, limit 5
        exc = self.assertRaises(QuotaExceeded, e.check, "p1", {"beta.zones": 5})
        self.assertEqual([OverLimit("beta.zones", 5, 1, 5)], exc.over)

    def test_unknown_usage_fails_closed(self):
        e = self.enforcer()
        exc = self.assertRaises(QuotaError, e.check, "p1", {"raiser.things": 1})
        self.assertNotIsInstance(exc, QuotaExceeded)
        self.assertIn("backend down", str(exc))
        # unless the resource is unlimited for the project
        self.service().set("p1", {"raiser.things": -1})
        e.check("p1", {"raiser.things": 1})

    def test_undeclared_keys_are_errors(self):
        e = self.enforcer()
        for key, expect in (
            ("alpha.nope", "declares no resource"),
            ("nope.x", "no installed plugin"),
            ("off.switches", "disabled"),
            ("widgets", "<plugin>.<resource>"),
        ):
            exc = self.assertRaises(QuotaError, e.check, "p1", {key: 1})
            self.assertIn(expect, str(exc))

    def test_bad_deltas(self):
        e = self.enforcer()
        for delta in ("1", 1.0, True, None, 2**31):
            self.assertRaises(QuotaError, e.check, "p1", {"alpha.widgets": delta})
        self.assertRaises(UsageError, e.check, None, {"alpha.widgets": 1})
        self.assertRaises(UsageError, e.check, "p1", [("alpha.widgets", 1)])


class TestConsume(EnforcerTestCase):
    def test_consume_records_and_refuses_atomically(self):
        e = self.enforcer()
        e.consume("p1", {"alpha.widgets": 4, "alpha.gadgets": 1})
        exc = self.assertRaises(
            QuotaExceeded, e.consume, "p1", {"alpha.widgets": 1, "alpha.gadgets": 2}
        )
        self.assertEqual([OverLimit("alpha.gadgets", 2, 1, 2)], exc.over)
        usage = e.usage("p1")
        # the refused request recorded nothing, not even its passing part
        self.assertEqual(4, usage["alpha.widgets"])
        self.assertEqual(1, usage["alpha.gadgets"])

    def test_release(self):
        e = self.enforcer()
        e.consume("p1", {"alpha.widgets": 4})
        e.release("p1", {"alpha.widgets": 3})
        self.assertEqual(1, e.usage("p1")["alpha.widgets"])
        e.release("p1", {"alpha.widgets": 5})  # never below zero
        self.assertEqual(0, e.usage("p1")["alpha.widgets"])
        self.assertRaises(QuotaError, e.release, "p1", {"alpha.widgets": -1})

    def test_usage_shows_in_quota_show(self):
        self.enforcer().consume("p1", {"alpha.widgets": 6})
        rows = {r.key: r for r in self.service().show("p1")}
        self.assertEqual(6, rows["alpha.widgets"].in_use)
        self.assertEqual(4, rows["alpha.widgets"].remaining)

    def test_plugins_counting_their_own_usage_are_not_tracked(self):
        e = self.enforcer()
        exc = self.assertRaises(QuotaError, e.consume, "p1", {"beta.zones": 1})
        self.assertIn("counts its own usage", str(exc))

    def test_threads_never_overrun_or_lose_updates(self):
        e = self.enforcer()
        granted = []
        refused = []
        lock = threading.Lock()

        def worker():
            for _ in range(6):
                try:
                    e.consume("p1", {"alpha.widgets": 1, "alpha.storage": 1})
                except QuotaExceeded:
                    with lock:
                        refused.append(1)
                else:
                    with lock:
                        granted.append(1)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        usage = e.usage("p1")
        self.assertEqual(10, len(granted))
        self.assertEqual(26, len(refused))
        self.assertEqual(10, usage["alpha.widgets"])
        # the unlimited resource was counted by every granted request only
        self.assertEqual(10, usage["alpha.storage"])


CHILD = """
    import sys
    from oslo_config import cfg
    from plugfair.api import Enforcer, QuotaExceeded, make_registry
    sys.path.insert(0, sys.argv[2])
    from alpha_plugin import Alpha

    conf = cfg.ConfigOpts()
    conf([], default_config_files=[])
    from plugfair.quota import opts
    opts.register(conf)
    conf.set_override("connection", sys.argv[1], "quota")
    enforcer = Enforcer(make_registry(Alpha, conf=conf), conf)
    granted = 0
    for _ in range(int(sys.argv[3])):
        try:
            enforcer.consume("shared", {"alpha.widgets": 1})
            granted += 1
        except QuotaExceeded:
            pass
    print(granted)
"""


class TestProcesses(EnforcerTestCase):
    def test_processes_never_overrun_or_lose_updates(self):
        self.service().set("shared", {"alpha.widgets": 25})
        script = os.path.join(self.work, "child.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(CHILD))
        plugin_dir = os.path.dirname(str(importlib.import_module("alpha_plugin").__file__))
        url = str(self.url)
        children = [
            subprocess.Popen(
                [sys.executable, script, url, plugin_dir, "10"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        granted = 0
        for child in children:
            out, err = child.communicate(timeout=120)
            self.assertEqual(0, child.returncode, err)
            granted += int(out.strip())
        self.assertEqual(25, granted)
        self.assertEqual(25, self.enforcer().usage("shared")["alpha.widgets"])
