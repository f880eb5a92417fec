"""``plugfair run``, ``list-tests`` and ``workspace init`` as subprocesses."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import fixtures
import subunit
import testtools

from plugfair.testhost.contract import CHECKS, PACKAGE_CHECKS
from plugfair.testhost.namespaces import contract_prefix
from plugfair.tests.testhost.helpers import FAILING, PASSING, CliTestCase

MANY = '''
from plugfair.api import TestCase


class ManyTest(TestCase):
{methods}
'''


def many(count: int) -> str:
    methods = "\n".join("    def test_%02d(self):\n        pass\n" % i for i in range(count))
    return MANY.format(methods=methods)


def outcomes(stream: bytes) -> dict[str, list[str]]:
    """Final statuses of every test in a subunit v2 stream (python-subunit);
    the "exists" events stestr's worker announces first are left out."""
    found: dict[str, list[str]] = {}

    def on_test(test):
        if test["status"] != "exists":
            found.setdefault(test["id"], []).append(test["status"])

    summary = testtools.StreamToDict(on_test)
    summary.startTestRun()
    try:
        subunit.ByteStreamToStreamResult(io.BytesIO(stream)).run(summary)
    finally:
        summary.stopTestRun()
    return found


class WorkspaceCommandTest(CliTestCase):
    def test_init_then_errors_exit_2(self):
        ws = self.workspace()
        for name in (".stestr.conf", "plugfair.conf", ".stestr"):
            self.assertTrue(os.path.exists(os.path.join(ws, name)), name)
        rc, out, err = self.plugfair("workspace", "init", ws)
        self.assertEqual(2, rc, out + err)
        self.assertIn("already has", err)
        not_ws = self.useFixture(fixtures.TempDir()).path
        rc, out, err = self.plugfair("list-tests", "--workspace", not_ws)
        self.assertEqual(2, rc)
        self.assertIn("plugfair workspace init", err)

class DefaultWorkspaceTest(CliTestCase):
    """Without --workspace, outside a workspace: the user's default one."""

    def test_created_on_first_use_and_announced(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        default = os.path.join(self.home, "data", "plugfair", "workspace")
        not_ws = self.useFixture(fixtures.TempDir()).path
        rc, out, err = self.plugfair("list-tests", cwd=not_ws)
        self.assertEqual(0, rc, err)
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_one", out.split())
        self.assertIn("created the default workspace %s" % default, err)
        for name in (".stestr.conf", "plugfair.conf", ".stestr"):
            self.assertTrue(os.path.exists(os.path.join(default, name)), name)
        self.assertEqual([], os.listdir(not_ws))  # nothing written where we stood
        rc, out, err = self.plugfair("run", "--plugin", "alpha", cwd=not_ws)
        self.assertEqual(0, rc, out + err)
        self.assertIn("using the default workspace %s" % default, err)
        # the run is stored in the default workspace's repository
        self.assertTrue(os.listdir(os.path.join(default, ".stestr")))

    def test_environment_variable_and_a_foreign_directory(self):
        elsewhere = os.path.join(self.useFixture(fixtures.TempDir()).path, "mine")
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_WORKSPACE", elsewhere))
        rc, out, err = self.plugfair("list-tests", "--plugin", "plugfair")
        self.assertEqual(0, rc, err)
        self.assertIn("created the default workspace %s" % elsewhere, err)
        # a directory of something else is never taken over
        foreign = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(foreign, "notes.txt"), "w") as f:
            f.write("keep me\n")
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_WORKSPACE", foreign))
        rc, out, err = self.plugfair("list-tests")
        self.assertEqual(2, rc, out + err)
        self.assertIn("is not a plugfair workspace", err)
        self.assertIn("PLUGFAIR_WORKSPACE", err)
        self.assertEqual(["notes.txt"], os.listdir(foreign))


OWN_OPTIONS_PLUGIN = """
    def config_options(self):
        from oslo_config import cfg
        return [("{name}", [cfg.StrOpt("flavour", default="{name}-default")])]
"""

READS_OWN_OPTION = """
from plugfair.api import TestCase


class OptionTest(TestCase):
    def test_reads_own_option(self):
        self.assertEqual("{name}-default", self.conf.{name}.flavour)

    def test_reads_it_again(self):
        self.assertEqual("{name}-default", self.conf["{name}"]["flavour"])
"""


class PluginConfigurationInEveryWorkerTest(CliTestCase):
    """A plugin's tests see its own options in whichever worker runs them,
    whatever ran there before: alone, in a full run, in any order."""

    def setUp(self):
        super().setUp()
        for name in ("alpha", "beta"):
            self.add_plugin(
                name,
                {"test_opts": READS_OWN_OPTION.format(name=name)},
                body=OWN_OPTIONS_PLUGIN.format(name=name),
            )
        self.ws = self.workspace(enabled=["alpha", "beta"])

    def run_ids(self, *args):
        rc, stream, err = self.plugfair_bytes("run", "--workspace", self.ws, "--subunit", *args)
        found = outcomes(stream)
        return rc, {t: s for t, s in found.items() if not t.startswith("plugfair.contract.")}, err

    def test_same_result_alone_and_in_a_full_run(self):
        # No contract test runs first: nothing else loads the plugin.
        rc, alone, err = self.run_ids("--serial", "--regex", r"beta_pkg\.tests")
        self.assertEqual(0, rc, "%s %s" % (alone, err))
        self.assertEqual(2, len(alone))
        rc, alone_alpha, err = self.run_ids("--serial", "--regex", r"alpha_pkg\.tests\..*test_reads_it_again")
        self.assertEqual(0, rc, err)
        self.assertEqual(1, len(alone_alpha))
        rc, full, err = self.run_ids("--concurrency", "2")
        self.assertEqual(0, rc, err)
        self.assertEqual(4, len(full))
        self.assertTrue(all(s == ["success"] for s in full.values()), full)
        for test_id, status in list(alone.items()) + list(alone_alpha.items()):
            self.assertEqual(full[test_id], status, test_id)

    def test_in_random_orders(self):
        for _ in range(3):
            rc, found, err = self.run_ids("--serial", "--random", "--regex", r"_pkg\.tests")
            self.assertEqual(0, rc, "%s %s" % (found, err))
            self.assertEqual(4, len(found))
