"""QuotaService on a real SQLite file, with real plugin distributions."""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import sys
import time

import fixtures

from plugfair.api import QuotaError, UsageError
from plugfair.tests.quota import base

BAD_VALUES = [
    ("negative", "-2", "negative"),
    ("not an integer", "ten", "not an integer"),
    ("a float", "1.5", "not an integer"),
    ("above 2**31-1", str(2**31), "maximum"),
    ("far above", "9" * 40, "out of range"),
    ("empty", "", "not an integer"),
]


class TestResources(base.QuotaTestCase):
    plugins = ("beta", "alpha")
    # each test installs its plugins with a fresh PluginDistribution
    shared_plugins = False

    def test_sorted_by_plugin_then_resource(self):
        rows = self.service().resources()
        self.assertEqual(
            ["alpha.gadgets", "alpha.storage", "alpha.widgets", "beta.records", "beta.zones"],
            [r.key for r in rows],
        )

    def test_defaults_and_metadata(self):
        rows = {r.key: r for r in self.service().resources()}
        self.assertEqual(-1, rows["alpha.storage"].default)
        self.assertEqual(-1, rows["alpha.storage"].limit)
        self.assertEqual("GiB", rows["alpha.storage"].unit)
        self.assertEqual("alpha", rows["alpha.storage"].plugin)
        self.assertEqual("storage", rows["alpha.storage"].resource)
        self.assertIsNone(rows["alpha.storage"].in_use)
        self.assertFalse(rows["alpha.storage"].overridden)
        # plugin text is kept verbatim; hosts escape it
        self.assertEqual("<b>DNS</b> zones <script>x()</script>", rows["beta.zones"].description)

    def test_in_tree_and_out_of_tree_rows_have_the_same_shape(self):
        rows = self.service().show("p1")
        alpha = [r for r in rows if r.plugin == "alpha"][0].to_dict()
        beta = [r for r in rows if r.plugin == "beta"][0].to_dict()
        self.assertEqual(sorted(alpha), sorted(beta))
        self.assertEqual(
            {type(v) for k, v in alpha.items() if k != "remaining"},
            {type(v) for k, v in beta.items() if k != "remaining"},
        )


class TestShow(base.QuotaTestCase):
    def test_defaults_apply_without_overrides(self):
        rows = {r.key: r for r in self.service().show("p1")}
        self.assertEqual(10, rows["alpha.widgets"].limit)
        self.assertEqual(0, rows["alpha.widgets"].in_use)
        self.assertEqual(10, rows["alpha.widgets"].remaining)
        self.assertIsNone(rows["alpha.storage"].remaining)  # unlimited

    def test_usage_from_the_plugin_callback(self):
        calls_file = os.path.join(self.work, "calls.jsonl")
        self.useFixture(fixtures.EnvironmentVariable("BETA_CALLS", calls_file))
        service = self.service()
        rows = {r.key: r for r in service.show("p1")}
        self.assertEqual(1, rows["beta.zones"].in_use)
        self.assertEqual(4, rows["beta.zones"].remaining)
        self.assertEqual(3, rows["beta.records"].in_use)
        self.assertEqual({"alpha": "ok", "beta": "ok"}, service.usage_status())
        with open(calls_file) as f:
            calls = [json.loads(line) for line in f]
        self.assertEqual([["p1", ["records", "zones"]]], [c[:2] for c in calls])
        # ... in a child process: the host never imported the plugin
        self.assertNotEqual(os.getpid(), calls[0][2])
        self.assertNotIn("beta_dns", sys.modules)

    def test_name_left_out_by_callback_is_unknown(self):
        import importlib

        service = self.service()
        importlib.import_module("beta_dns").USAGE.pop("records")
        rows = {r.key: r for r in service.show("p1")}
        self.assertIsNone(rows["beta.records"].in_use)
        self.assertIsNone(rows["beta.records"].remaining)
        self.assertEqual("not counted by its usage callback.", rows["beta.records"].usage_reason)
        self.assertEqual(1, rows["beta.zones"].in_use)
        self.assertEqual("", rows["beta.zones"].usage_reason)
        self.assertEqual("", rows["alpha.widgets"].usage_reason)  # tracked by the host

    def test_defaults_have_no_usage_and_say_so(self):
        for row in self.service().resources():
            self.assertIsNone(row.in_use)
            self.assertIn("no project", row.usage_reason)

    def test_plugin_filter(self):
        rows = self.service().show("p1", plugin="beta")
        self.assertEqual(["beta.records", "beta.zones"], [r.key for r in rows])

    def test_plugin_filter_unknown_plugin(self):
        e = self.assertRaises(QuotaError, self.service().show, "p1", plugin="nope")
        self.assertIn("no installed plugin is named 'nope'", str(e))

    def test_overrides_are_per_project(self):
        service = self.service()
        service.set("p1", {"alpha.widgets": 3})
        p1 = {r.key: r for r in service.show("p1")}
        p2 = {r.key: r for r in service.show("p2")}
        self.assertEqual(3, p1["alpha.widgets"].limit)
        self.assertTrue(p1["alpha.widgets"].overridden)
        self.assertEqual(10, p2["alpha.widgets"].limit)
        self.assertFalse(p2["alpha.widgets"].overridden)

    def test_missing_project(self):
        service = self.service()
        for project in (None, "", "   "):
            self.assertRaises(UsageError, service.show, project)

    def test_default_project_from_config(self):
        self.rewrite_conf("[quota]\ndefault_project = pd\n")
        service = self.service()
        service.set("pd", {"alpha.widgets": 7})
        rows = {r.key: r for r in service.show(None)}
        self.assertEqual(7, rows["alpha.widgets"].limit)

    def test_invalid_project(self):
        service = self.service()
        for project in ("a b", "x" * 65, "tab\there", "nl\n", 42):
            self.assertRaises(QuotaError, service.show, project)


class TestSet(base.QuotaTestCase):
    plugins = ("alpha", "beta", "off", "broken")
    extra_conf = "[plugfair]\ndisabled_plugins = off\n"

    def stored(self):
        with sqlite3.connect(self.db_path) as db:
            return sorted(db.execute(
                "SELECT project_id, resource, hard_limit FROM plugfair_quota_limits"
            ))

    def test_set_several_keys(self):
        rows = self.service().set("p1", {"alpha.widgets": "20", "beta.zones": -1, "alpha.gadgets": 0})
        self.assertEqual(["alpha.gadgets", "alpha.widgets", "beta.zones"], [r.key for r in rows])
        self.assertEqual(
            [("p1", "alpha.gadgets", 0), ("p1", "alpha.widgets", 20), ("p1", "beta.zones", -1)],
            self.stored(),
        )
        self.assertEqual([0, 20, -1], [r.limit for r in rows])

    def test_set_again_updates(self):
        service = self.service()
        service.set("p1", {"alpha.widgets": 20})
        service.set("p1", {"alpha.widgets": 21, "alpha.gadgets": 1})
        self.assertEqual(
            [("p1", "alpha.gadgets", 1), ("p1", "alpha.widgets", 21)], self.stored()
        )

    def test_limits_at_the_bounds(self):
        self.service().set("p1", {"alpha.widgets": 2**31 - 1, "alpha.gadgets": "-1"})
        self.assertEqual(
            [("p1", "alpha.gadgets", -1), ("p1", "alpha.widgets", 2**31 - 1)], self.stored()
        )

    def assertNothingWritten(self, values, expect):
        service = self.service()
        service.set("p1", {"alpha.widgets": 5})
        before = self.stored()
        e = self.assertRaises(QuotaError, service.set, "p1", dict(values, **{"alpha.gadgets": 1}))
        self.assertIn(expect, str(e))
        self.assertIn("othing was written", str(e))
        self.assertEqual(before, self.stored())

    def test_each_bad_value_writes_nothing(self):
        for label, value, expect in BAD_VALUES:
            with self.subTest(label) if hasattr(self, "subTest") else _null():
                self.assertNothingWritten({"alpha.widgets": value}, expect)

    def test_bool_and_float_objects_are_refused(self):
        self.assertNothingWritten({"alpha.widgets": True}, "boolean")
        self.assertNothingWritten({"alpha.widgets": 2.0}, "must be an integer")

    def test_unknown_key_writes_nothing(self):
        self.assertNothingWritten({"alpha.nope": 1}, "declares no resource 'nope'")
        self.assertNothingWritten({"nope.widgets": 1}, "no installed plugin is named 'nope'")
        self.assertNothingWritten({"widgets": 1}, "<plugin>.<resource>")

    def test_disabled_plugin_key_writes_nothing(self):
        self.assertNothingWritten({"off.switches": 1}, "disabled by configuration")

    def test_failed_plugin_key_writes_nothing(self):
        self.assertNothingWritten({"broken.anything": 1}, "not usable (failed")

    def test_every_problem_is_reported_at_once(self):
        e = self.assertRaises(
            QuotaError,
            self.service().set,
            "p1",
            {"alpha.widgets": "-5", "off.switches": 1, "alpha.gadgets": "x"},
        )
        self.assertIn("3 problems", str(e))
        self.assertEqual([], self.stored())

    def test_missing_project_writes_nothing(self):
        service = self.service()
        for project in (None, ""):
            self.assertRaises(UsageError, service.set, project, {"alpha.widgets": 1})
        self.assertEqual([], self.stored())

    def test_no_values(self):
        self.assertRaises(UsageError, self.service().set, "p1", {})

    def test_set_assignments_parses_key_value(self):
        service = self.service()
        service.set_assignments("p1", ["alpha.widgets=4", "beta.zones=-1"])
        self.assertEqual([("p1", "alpha.widgets", 4), ("p1", "beta.zones", -1)], self.stored())
        for bad in (["alpha.widgets"], ["=3"], ["alpha.widgets=1", "alpha.widgets=2"], []):
            self.assertRaises(UsageError, service.set_assignments, "p1", bad)
        self.assertEqual([("p1", "alpha.widgets", 4), ("p1", "beta.zones", -1)], self.stored())

    def test_set_assignments_reports_every_problem(self):
        service = self.service()
        error = self.assertRaises(
            UsageError, service.set_assignments, "p1",
            ["alpha.widgets", "beta.zones=x", "nope.y=1", "alpha.gadgets=2"])
        message = error.message
        self.assertIn("3 problems; nothing was written", message)
        self.assertIn("'alpha.widgets' is not KEY=VALUE", message)
        self.assertIn("Value of beta.zones", message)
        self.assertIn("'nope.y'", message)
        self.assertNotIn("alpha.gadgets", message)
        # well-formed pairs with bad values are still a quota error (status 1)
        refused = self.assertRaises(
            QuotaError, service.set_assignments, "p1", ["beta.zones=x", "alpha.gadgets=-3"])
        self.assertNotIsInstance(refused, UsageError)
        self.assertIn("2 problems", refused.message)
        self.assertEqual([], self.stored())


class TestDelete(base.QuotaTestCase):
    plugins = ("alpha", "beta", "off")
    extra_conf = "[plugfair]\ndisabled_plugins = off\n"

    def setUp(self):
        super().setUp()
        self.svc = self.service()
        self.svc.set("p1", {"alpha.widgets": 1, "alpha.gadgets": 1, "beta.zones": 1})
        self.svc.set("p2", {"alpha.widgets": 2})

    def overridden(self, project):
        return [r.key for r in self.svc.show(project) if r.overridden]

    def test_delete_some_keys(self):
        self.svc.delete("p1", ["alpha.widgets", "beta.zones"])
        self.assertEqual(["alpha.gadgets"], self.overridden("p1"))
        self.assertEqual(["alpha.widgets"], self.overridden("p2"))

    def test_delete_all(self):
        self.svc.delete("p1")
        self.assertEqual([], self.overridden("p1"))
        self.assertEqual(["alpha.widgets"], self.overridden("p2"))
        rows = {r.key: r for r in self.svc.show("p1")}
        self.assertEqual(10, rows["alpha.widgets"].limit)

    def test_bad_key_deletes_nothing(self):
        for keys in (["alpha.widgets", "alpha.nope"], ["off.switches"], ["x"]):
            self.assertRaises(QuotaError, self.svc.delete, "p1", keys)
        self.assertEqual(["alpha.gadgets", "alpha.widgets", "beta.zones"], self.overridden("p1"))

    def test_missing_project(self):
        self.assertRaises(UsageError, self.svc.delete, None)
        self.assertRaises(UsageError, self.svc.delete, "")
        self.assertEqual(["alpha.widgets"], self.overridden("p2"))


class TestUsageIsolation(base.QuotaTestCase):
    plugins = ("alpha", "beta", "raiser", "sleeper", "garbage")

    def test_each_bad_callback_only_hides_its_own_usage(self):
        service = self.service()
        rows = {r.key: r for r in service.show("p1")}
        status = service.usage_status()
        self.assertEqual(1, rows["beta.zones"].in_use)
        self.assertEqual(0, rows["alpha.widgets"].in_use)
        for key in ("raiser.things", "sleeper.naps", "garbage.junk"):
            self.assertIsNone(rows[key].in_use, key)
            self.assertIsNone(rows[key].remaining, key)
            self.assertEqual(4, rows[key].limit, key)
        self.assertEqual("ok", status["alpha"])
        self.assertEqual("ok", status["beta"])
        self.assertIn("RuntimeError: backend down", status["raiser"])
        self.assertIn("did not return within", status["sleeper"])
        self.assertIn("returned str", status["garbage"])
        for name in ("raiser", "sleeper", "garbage"):
            self.assertTrue(status[name].startswith("unknown: "), status[name])

    def test_negative_usage_is_garbage(self):
        service = self.service()
        service.show("p1")
        # the child process inherits the host's modules: change the value there
        module = importlib.import_module("garbage_plugin")
        self.useFixture(fixtures.MonkeyPatch("garbage_plugin.VALUE", {"junk": -3}))
        self.assertEqual({"junk": -3}, module.VALUE)
        rows = {r.key: r for r in service.show("p1")}
        self.assertIsNone(rows["garbage.junk"].in_use)
        self.assertIn("integer >= 0", service.usage_status()["garbage"])

    def test_hung_callback_is_not_called_again_for_a_while(self):
        service = self.service()
        service.show("p1", plugin="sleeper")
        self.assertIn("did not return within 0.5 s", service.usage_status()["sleeper"])
        start = time.monotonic()
        service.show("p1", plugin="sleeper")
        self.assertLess(time.monotonic() - start, 0.4)  # not waited for again
        status = service.usage_status()["sleeper"]
        self.assertRegex(status, r"did not return within 0.5 s \(at \d\d:\d\d:\d\d UTC\); "
                                 r"it is not called again before \d\d:\d\d:\d\d UTC\.")
        # other plugins are unaffected and the plugin still lists its quotas
        self.assertEqual(["sleeper.naps"], [r.key for r in service.show("p1", plugin="sleeper")])
        self.assertEqual("ok", self._status_of(service, "beta"))

    def test_hung_callback_is_tried_again_after_the_pause(self):
        self.rewrite_conf("[quota]\nusage_retry_after = 0.3\n")
        service = self.service()
        service.show("p1", plugin="sleeper")
        service.show("p1", plugin="sleeper")
        self.assertIn("not called again before", service.usage_status()["sleeper"])
        time.sleep(0.35)
        service.show("p1", plugin="sleeper")  # tried (and timed out) again
        status = service.usage_status()["sleeper"]
        self.assertEqual("unknown: its usage callback did not return within 0.5 s.", status)
        # the second timeout doubles the pause
        service.show("p1", plugin="sleeper")
        time.sleep(0.35)
        service.show("p1", plugin="sleeper")
        self.assertIn("not called again before", service.usage_status()["sleeper"])

    def test_thread_isolation_keeps_a_hung_thread_and_does_not_call_again(self):
        self.rewrite_conf("[quota]\nusage_isolation = thread\n")
        service = self.service()
        self.addCleanup(lambda: sys.modules.get("sleeper_plugin") and sys.modules["sleeper_plugin"].RELEASE.set())
        service.show("p1", plugin="sleeper")
        self.assertIn("did not return within 0.5 s", service.usage_status()["sleeper"])
        service.show("p1", plugin="sleeper")
        self.assertIn("not called again", service.usage_status()["sleeper"])
        self.assertEqual("ok", self._status_of(service, "beta"))

    def _status_of(self, service, plugin):
        service.show("p1", plugin=plugin)
        return service.usage_status()[plugin]

    def test_report_returns_rows_and_status_together(self):
        report = self.service().report("p1", plugin="raiser")
        self.assertEqual(["raiser.things"], [r.key for r in report.rows])
        self.assertEqual(["raiser"], list(report.status))


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
