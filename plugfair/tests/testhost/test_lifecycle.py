"""The run lifecycle (``prepare_test_run``) and scheduling groups, through
``plugfair run`` as a subprocess."""

from __future__ import annotations

import glob
import os
import tempfile

import fixtures

from plugfair.testhost.namespaces import contract_prefix
from plugfair.tests.testhost.helpers import PASSING, CliTestCase
from plugfair.tests.testhost.test_cli import outcomes

PREPARES = '''
    def prepare_test_run(self, run):
        import os
        path = os.path.join(run.directory, "settings.txt")
        with open(path, "w") as f:
            f.write("prepared by {name}: " + run.conf.{name}.flavour)
        run.set_environment("{var}", path)
        run.add_cleanup(self._done, os.environ["CLEANUP_LOG"])

    def _done(self, log):
        with open(log, "a") as f:
            f.write("{name} cleaned up\\n")

    def config_options(self):
        from oslo_config import cfg
        return [("{name}", [cfg.StrOpt("flavour", default="plain")])]
'''

READS_SETTINGS = '''
import os
from plugfair.api import TestCase


class SettingsTest(TestCase):
    def test_settings(self):
        path = os.environ["{var}"]
        with open(os.environ["SEEN_LOG"], "a") as f:
            f.write(path + "\\n")
        with open(path) as f:
            self.assertEqual("prepared by {name}: spicy", f.read())
'''

RAISES = '''
    def prepare_test_run(self, run):
        raise RuntimeError("the cloud is not reachable")
'''

SETS = '''
    def prepare_test_run(self, run):
        run.set_environment({var!r}, {value!r})
'''

HANGS = '''
    def prepare_test_run(self, run):
        import time
        time.sleep(30)
'''

GROUPED = '''
import os
from plugfair.api import TestCase

def _note(name):
    with open(os.environ["WORKER_LOG"], "a") as f:
        f.write("%s %d\\n" % (name, os.getpid()))

{classes}
'''


def grouped_module(classes: int, tests: int) -> str:
    body = []
    for c in range(classes):
        body.append("class Class%d(TestCase):" % c)
        for t in range(tests):
            body.append("    def test_%02d(self):\n        _note(%r)\n" % (t, "Class%d" % c))
    return GROUPED.format(classes="\n".join(body))


class LifecycleTest(CliTestCase):
    def setUp(self):
        super().setUp()
        logs = self.useFixture(fixtures.TempDir()).path
        self.cleanup_log = os.path.join(logs, "cleanups")
        self.seen_log = os.path.join(logs, "seen")
        self.useFixture(fixtures.EnvironmentVariable("CLEANUP_LOG", self.cleanup_log))
        self.useFixture(fixtures.EnvironmentVariable("SEEN_LOG", self.seen_log))

    def run_outcomes(self, ws, *args):
        rc, stream, err = self.plugfair_bytes("run", "--workspace", ws, "--subunit", *args)
        return rc, outcomes(stream), err

    def failures(self, found):
        return sorted(t for t, s in found.items() if "fail" in s)

    def test_prepared_files_and_environment_reach_the_tests_then_go(self):
        self.add_plugin("prep", {"test_p": READS_SETTINGS.format(var="PREP_SETTINGS", name="prep")},
                        body=PREPARES.format(name="prep", var="PREP_SETTINGS"))
        self.add_plugin("alpha", {"test_a": PASSING})
        ws = self.workspace(enabled=["prep", "alpha"], extra="\n[prep]\nflavour = spicy\n")
        before = set(glob.glob(os.path.join(tempfile.gettempdir(), "plugfair-run-*")))
        rc, found, err = self.run_outcomes(ws, "--concurrency", "2")
        self.assertEqual(0, rc, "%s %s" % (found, err))
        self.assertEqual(["success"], found["prep_pkg.tests.test_p.SettingsTest.test_settings"])
        with open(self.seen_log) as f:
            (seen,) = set(f.read().split())
        # the private directory is gone, and no other is left behind
        self.assertFalse(os.path.exists(seen))
        after = set(glob.glob(os.path.join(tempfile.gettempdir(), "plugfair-run-*")))
        self.assertEqual(before, after)
        with open(self.cleanup_log) as f:
            self.assertEqual("prep cleaned up\n", f.read())
        # list-tests prepares (and cleans up) too: discovery may need it
        rc, out, err = self.plugfair("list-tests", "--workspace", ws, "--plugin", "prep")
        self.assertEqual(0, rc, err)
        with open(self.cleanup_log) as f:
            self.assertEqual(2, f.read().count("cleaned up"))

    def test_a_failed_preparation_fails_that_plugins_tests_only(self):
        self.add_plugin("broken", {"test_b": PASSING}, body=RAISES)
        self.add_plugin("hangs", {"test_h": PASSING}, body=HANGS)
        self.add_plugin("alpha", {"test_a": PASSING})
        ws = self.workspace(enabled=["broken", "hangs", "alpha"],
                            extra="hook_timeout = 1\n")
        rc, found, err = self.run_outcomes(ws)
        self.assertEqual(1, rc)
        self.assertEqual(
            ["broken_pkg.tests.test_b.SimpleTest.test_one", "broken_pkg.tests.test_b.SimpleTest.test_two",
             "hangs_pkg.tests.test_h.SimpleTest.test_one", "hangs_pkg.tests.test_h.SimpleTest.test_two"],
            self.failures(found),
        )
        self.assertEqual(["success"], found["alpha_pkg.tests.test_a.SimpleTest.test_one"])
        self.assertEqual(["success"], found[contract_prefix("broken") + "test_loads"])
        self.assertIn("preparing the run for plugin 'broken' failed", err)
        self.assertIn("the cloud is not reachable", err)
        self.assertIn("did not return within", err)
        rc, out, err = self.plugfair("run", "--workspace", ws, "--plugin", "broken")
        self.assertIn("the cloud is not reachable", out)

    def test_environment_conflicts_and_reserved_names(self):
        self.add_plugin("env_a", {"test_a": PASSING}, body=SETS.format(var="SHARED", value="a"))
        self.add_plugin("env_b", {"test_b": PASSING}, body=SETS.format(var="SHARED", value="b"))
        self.add_plugin("env_c", {"test_c": PASSING}, body=SETS.format(var="SHARED_TOO", value="c"))
        self.add_plugin("sneaky", {"test_s": PASSING},
                        body=SETS.format(var="PYTHONPATH", value="/tmp/evil"))
        ws = self.workspace(enabled=["env_a", "env_b", "env_c", "sneaky"])
        rc, found, err = self.run_outcomes(ws)
        self.assertEqual(1, rc)
        failed = {t.split(".")[0] for t in self.failures(found)}
        self.assertEqual({"env_a_pkg", "env_b_pkg", "sneaky_pkg"}, failed)
        self.assertIn("both set SHARED", err)
        self.assertIn("may not set PYTHONPATH", err)


class SchedulingGroupTest(CliTestCase):
    def test_a_class_never_spans_two_workers(self):
        log = os.path.join(self.useFixture(fixtures.TempDir()).path, "workers")
        self.useFixture(fixtures.EnvironmentVariable("WORKER_LOG", log))
        self.add_plugin("grouped", {"test_g": grouped_module(classes=4, tests=5)})
        ws = self.workspace(enabled=["grouped"])
        for _ in range(2):
            rc, out, err = self.plugfair("run", "--workspace", ws, "--concurrency", "2",
                                         "--regex", r"grouped_pkg\.tests")
            self.assertEqual(0, rc, out + err)
        pids: dict[str, set[str]] = {}
        with open(log) as f:
            for line in f:
                name, pid = line.split()
                pids.setdefault(name, set()).add(pid)
        self.assertEqual(["Class0", "Class1", "Class2", "Class3"], sorted(pids))
        # two runs: at most one worker per class per run
        for name, seen in pids.items():
            self.assertLessEqual(len(seen), 2, name)
        with open(log) as f:
            lines = f.read().splitlines()
        first_run = lines[:20]
        for name in pids:
            self.assertEqual(1, len({ln.split()[1] for ln in first_run if ln.startswith(name + " ")}), name)
        # both workers were used: the grouping did not serialise the run
        self.assertEqual(2, len({ln.split()[1] for ln in first_run}))
