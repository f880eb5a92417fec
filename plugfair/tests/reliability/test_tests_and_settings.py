"""Issue 14, classes 7 and 8, through the command line as a user runs it.

* Class 7: a plugin test module that calls ``os._exit`` or ``sys.exit`` at
  import becomes one failing test named after its plugin; every other
  plugin's tests are still listed and run (``list-tests`` and ``run``).
* Class 8: the fast start-up path (``--help``) and the full path
  (``plugin list``) refuse the same nonsense settings, with an error naming
  the option instead of a hang; a manifest built under one setting that
  shapes it is never reused under another.
"""

from __future__ import annotations

import json
import os

import fixtures

from plugfair.tests.testhost import helpers

EXITS = {
    "os_exit": "import os\nos._exit(3)\n",
    "sys_exit": "import sys\nsys.exit(4)\n",
    "exit_zero": "raise SystemExit(0)\n",
}

SLOW = '''
import time

from plugfair.api import Plugin

time.sleep(1.5)


class TestPlugin(Plugin):
    name = "slowpoke"
    description = "Slow to import."
'''


class TestModulesThatExitAtImport(helpers.CliTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.add_plugin("good", {"test_good": helpers.PASSING})
        for name, source in EXITS.items():
            self.add_plugin(name, {"test_bye": source, "test_ok": helpers.PASSING})
        self.ws = os.path.join(self.useFixture(fixtures.TempDir()).path, "ws")
        self.conf = self.write_conf(["plugfair", "good", *EXITS])
        rc, out, err = self.plugfair("workspace", "init", self.ws)
        self.assertEqual(0, rc, err)

    def test_each_becomes_one_failing_test_and_the_others_run(self) -> None:
        rc, out, err = self.plugfair("--config-file", self.conf, "list-tests",
                                     "--workspace", self.ws)
        self.assertEqual(0, rc, err)
        listed = set(out.split())
        self.assertIn("good_pkg.tests.test_good.SimpleTest.test_one", listed)
        for name in EXITS:
            # the plugin's other module is still there
            self.assertIn("%s_pkg.tests.test_ok.SimpleTest.test_two" % name, listed)
        rc, summary, err = self.plugfair("--config-file", self.conf, "run", "--workspace",
                                         self.ws)
        self.assertEqual(1, rc, err)
        text = summary + err
        for name in EXITS:
            self.assertIn("plugfair.contract.%s.test_tests_import" % name, text)
        self.assertIn("Failed: 3", text)
        self.assertNotIn("No tests matched", text)
        self.assertIn("good_pkg.tests.test_good.SimpleTest.test_one", self.passed())

    def passed(self) -> str:
        rc, out, err = self.plugfair("--config-file", self.conf, "run", "--workspace",
                                     self.ws, "--regex", r"^good_pkg\.")
        self.assertEqual(0, rc, err)
        return out + err


class TestSettingsOnEveryPath(helpers.CliTestCase):
    def test_nonsense_hook_timeouts_are_refused_on_the_fast_and_full_paths(self) -> None:
        for value in ("nan", "inf", "-1", "0", "1e400"):
            conf = self.write_conf(extra="hook_timeout = %s\n" % value)
            for argv in (("--help",), ("plugin", "list"), ("list-tests",)):
                rc, out, err = self.plugfair("--config-file", conf, *argv)
                what = "hook_timeout = %s, plugfair %s" % (value, " ".join(argv))
                self.assertNotEqual(0, rc, what)
                self.assertIn("hook_timeout", err, what)
                self.assertNotIn("Traceback", err, what)

    def test_a_manifest_is_never_reused_under_another_timeout(self) -> None:
        self.useFixture(fixtures.EnvironmentVariable(
            "PLUGFAIR_CACHE_DIR", self.useFixture(fixtures.TempDir()).path))
        modules = {"slowpoke_pkg.plugin": SLOW}
        from plugfair.interface.testing import PluginDistribution

        self.useFixture(PluginDistribution("dist-slowpoke", {
            "slowpoke": "slowpoke_pkg.plugin:TestPlugin"}, modules, directory=self.site))
        short = self.write_conf(["plugfair", "slowpoke"], "hook_timeout = 0.5\n")
        long = self.write_conf(["plugfair", "slowpoke"], "hook_timeout = 20\n")
        for conf, status in ((short, "failed"), (long, "ok"), (short, "failed"),
                             (long, "ok")):
            rc, out, err = self.plugfair("--config-file", conf, "plugin", "list", "-f", "json")
            self.assertEqual(0, rc, err)
            rows = {row["Name"]: row["Status"] for row in json.loads(out)}
            self.assertEqual(status, rows["slowpoke"], conf)
            # the fast help path reads the same manifest
            rc, out, err = self.plugfair("--config-file", conf, "--help")
            self.assertEqual(0, rc, err)
