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


class RunTest(CliTestCase):
    def setUp(self):
        super().setUp()
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("zulu", {"test_z": FAILING})
        self.add_plugin("broken", {"test_b": "import no_such_module_at_all\n", "test_ok": PASSING})
        self.ws = self.workspace(enabled=["alpha", "zulu", "broken"])

    def test_list_and_run_exit_codes(self):
        rc, out, err = self.plugfair("list-tests", "--workspace", self.ws)
        self.assertEqual(0, rc, err)
        ids = out.split()
        expected_alpha = [contract_prefix("alpha") + c for c in CHECKS + PACKAGE_CHECKS] + [
            "alpha_pkg.tests.test_a.SimpleTest.test_one",
            "alpha_pkg.tests.test_a.SimpleTest.test_two",
        ]
        self.assertEqual(expected_alpha, ids[: len(expected_alpha)])  # by plugin name
        self.assertIn("broken_pkg.tests.test_ok.SimpleTest.test_one", ids)
        self.assertIn("zulu_pkg.tests.test_z.SimpleTest.test_fails", ids)

        rc, out, err = self.plugfair("list-tests", "--workspace", self.ws, "--plugin", "alpha")
        self.assertEqual((0, expected_alpha), (rc, out.split()), err)
        # positional regexes, as with stestr, intersect with --plugin
        rc, out, err = self.plugfair(
            "list-tests", "--workspace", self.ws, "test_one", "test_loads", "--plugin", "alpha"
        )
        self.assertEqual((0, [expected_alpha[0], expected_alpha[-2]]), (rc, out.split()), err)

        rc, out, err = self.plugfair("run", "--workspace", self.ws, "--plugin", "alpha", "--serial")
        self.assertEqual(0, rc, out + err)
        self.assertIn("Passed: %d" % len(expected_alpha), out)

        rc, out, err = self.plugfair("run", "--workspace", self.ws, "--plugin", "zulu", "--concurrency", "2")
        self.assertEqual(1, rc, out + err)
        self.assertIn("this test fails on purpose", out)

        rc, out, err = self.plugfair("run", "--workspace", self.ws, "--regex", "no-such-test")
        self.assertEqual(2, rc, out + err)
        self.assertIn("No tests matched --regex 'no-such-test' (out of", err)

    def test_usage_errors_exit_2(self):
        # Refused before anything is listed or run, so in-process is enough.
        for args, message in (
            (["--plugin", "nope"], "--plugin nope: no such plugin is installed"),
            (["--regex", "("], "not a valid regular expression"),
            (["--serial", "--concurrency", "2"], "exclude each other"),
            (["--shard", "3/2"], "--shard 3/2 is invalid"),
            (["--shard", "two"], "--shard 'two' is invalid"),
            (["--include-list", "/no/such/file"], "no such file"),
            (["--concurrency", "-1"], "negative"),
            (["--timing-from", "/no/such/file", "--shard", "1/2"], "--timing-from /no/such/file: "),
            (["--timing-from", "/no/such/file"], "--timing-from balances shards: give --shard I/N"),
        ):
            rc, out, err = self.run_cli(["run", "--workspace", self.ws, *args])
            self.assertEqual(2, rc, "%s: %s" % (args, out + err))
            self.assertIn(message, out + err)

    def test_broken_tests_fail_once_and_the_rest_runs(self):
        rc, stream, err = self.plugfair_bytes("run", "--workspace", self.ws, "--subunit")
        self.assertEqual(1, rc, err)
        found = outcomes(stream)
        failed = sorted(t for t, s in found.items() if "fail" in s)
        self.assertEqual(
            [contract_prefix("broken") + "test_tests_import", "zulu_pkg.tests.test_z.SimpleTest.test_fails"],
            failed,
        )
        self.assertEqual(["success"], found["broken_pkg.tests.test_ok.SimpleTest.test_one"])
        self.assertEqual(["success"], found["alpha_pkg.tests.test_a.SimpleTest.test_two"])
        # the subunit stream passes for the healthy plugins
        rc, stream, err = self.plugfair_bytes("run", "--workspace", self.ws, "--subunit", "--plugin", "alpha")
        self.assertEqual(0, rc, err)
        self.assertTrue(all(s == ["success"] for s in outcomes(stream).values()))

    def test_workspace_configuration_applies(self):
        extra = os.path.join(self.useFixture(fixtures.TempDir()).path, "extra.conf")
        with open(extra, "w") as f:
            f.write("[plugfair]\ndisabled_plugins = zulu\n")
        rc, out, err = self.plugfair("--config-file", extra, "list-tests", "--workspace", self.ws)
        self.assertEqual(0, rc, err)
        self.assertNotIn("zulu", out)
        self.assertIn("alpha_pkg", out)
        rc, out, err = self.plugfair("--config-file", extra, "list-tests", "--workspace", self.ws, "--plugin", "zulu")
        self.assertEqual(2, rc)
        self.assertIn("disabled by configuration", err)
        # inside the workspace, --workspace is not needed
        rc, out, err = self.plugfair("list-tests", "--plugin", "zulu", cwd=self.ws)
        self.assertEqual(0, rc, err)
        self.assertIn("zulu_pkg.tests.test_z.SimpleTest.test_fails", out.split())


class ShardTest(CliTestCase):
    def test_shards_cover_the_suite_and_merge_with_stestr_load(self):
        self.add_plugin("alpha", {"test_a": many(7)})
        self.add_plugin("beta", {"test_b": many(5)})
        enabled = ["alpha", "beta"]
        ws = self.workspace(enabled=enabled)
        rc, out, err = self.plugfair("list-tests", "--workspace", ws)
        self.assertEqual(0, rc, err)
        suite = out.split()
        self.assertEqual(len(suite), len(set(suite)))
        rc, out, err = self.plugfair("list-tests", "--workspace", ws, "--shard", "%d/%d" % (len(suite) + 1, len(suite) + 1))
        self.assertEqual((0, ""), (rc, out), err)
        self.assertIn("is empty", err)

        # Each shard runs on its own "machine": a fresh workspace.
        streams = []
        for i in (1, 2, 3):
            node = self.workspace(enabled=enabled)
            rc, listed, err = self.plugfair("list-tests", "--workspace", node, "--shard", "%d/3" % i)
            self.assertEqual(0, rc, err)
            rc, stream, err = self.plugfair_bytes("run", "--workspace", node, "--shard", "%d/3" % i, "--subunit")
            self.assertEqual(0, rc, err)
            self.assertEqual(sorted(listed.split()), sorted(outcomes(stream)))
            path = os.path.join(node, "shard-%d.subunit" % i)
            with open(path, "wb") as f:
                f.write(stream)
            streams.append(path)
        # The shards are disjoint and add up to the suite.
        ran = [t for p in streams for t in outcomes(open(p, "rb").read())]
        self.assertEqual(len(ran), len(set(ran)), "a test ran in two shards")
        self.assertEqual(sorted(suite), sorted(ran))

        # The next CI run balances its shards by the streams of this one,
        # on machines whose workspaces have no timing data of their own.
        balanced: list[str] = []
        for i in (1, 2, 3):
            node = self.workspace(enabled=enabled)
            args = [a for p in streams for a in ("--timing-from", p)]
            rc, listed, err = self.plugfair("list-tests", "--workspace", node, "--shard", "%d/3" % i, *args)
            self.assertEqual(0, rc, err)
            balanced.extend(listed.split())
        self.assertEqual(sorted(suite), sorted(balanced))

        # Merge them into one run of one repository with plain stestr, as
        # the documentation says: the streams concatenated on stdin.
        merged = self.useFixture(fixtures.TempDir()).path
        stestr = [sys.executable, "-c", "import sys; from stestr.cli import main; sys.exit(main())"]
        subprocess.run(stestr + ["init"], cwd=merged, check=True, capture_output=True)
        joined = b"".join(open(p, "rb").read() for p in streams)
        load = subprocess.run(stestr + ["load"], cwd=merged, input=joined, capture_output=True)
        self.assertEqual(0, load.returncode, (load.stdout + load.stderr).decode())
        last = subprocess.run(stestr + ["last", "--subunit"], cwd=merged, capture_output=True)
        merged_ids = outcomes(last.stdout)
        self.assertEqual(sorted(suite), sorted(merged_ids))
        self.assertTrue(all(s == ["success"] for s in merged_ids.values()))

        # After a run the repository has timing data; shards still cover
        # the suite exactly once.
        rc, out, err = self.plugfair("run", "--workspace", ws, "--serial")
        self.assertEqual(0, rc, out + err)
        timed = []
        for i in (1, 2):
            rc, out, err = self.plugfair("list-tests", "--workspace", ws, "--shard", "%d/2" % i)
            self.assertEqual(0, rc, err)
            timed.append(out.split())
        self.assertEqual(sorted(suite), sorted(timed[0] + timed[1]))


class EveryInstalledPluginTest(CliTestCase):
    def test_fresh_workspace_lists_every_enabled_plugin(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        ws = self.workspace()  # no restriction: every installed plugin
        rc, out, err = self.plugfair("plugin", "list", "-f", "value", "-c", "Name", "-c", "Status")
        self.assertEqual(0, rc, err)
        plugins = [line.split()[0] for line in out.splitlines() if line.strip()]
        self.assertIn("alpha", plugins)
        rc, out, err = self.plugfair("list-tests", "--workspace", ws)
        self.assertEqual(0, rc, err)
        ids = out.split()
        # Every installed plugin, in-tree or not, gets the same contract
        # tests, in plugin-name order.
        order = []
        for name in plugins:
            self.assertIn(contract_prefix(name) + "test_loads", ids)
            order.append(ids.index(contract_prefix(name) + "test_loads"))
        self.assertEqual(sorted(order), order)
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_one", ids)

    def test_plain_stestr_works_in_a_workspace(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("beta", {"test_b": PASSING})
        ws = self.workspace(enabled=["alpha"])
        stestr = [sys.executable, "-c", "import sys; from stestr.cli import main; sys.exit(main())"]
        proc = subprocess.run(stestr + ["list"], cwd=ws, env=self.env(), capture_output=True)
        self.assertEqual(0, proc.returncode, (proc.stdout + proc.stderr).decode())
        ids = proc.stdout.decode().split()
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_one", ids)
        self.assertFalse([i for i in ids if "beta" in i], ids)  # ./plugfair.conf applies
