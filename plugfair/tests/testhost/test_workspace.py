"""Workspaces and the plan file."""

from __future__ import annotations

import configparser
import os

import fixtures

from plugfair.api import ConfigError, PlugfairError, UsageError
from plugfair.testhost import context, workspace
from plugfair.tests import base


class WorkspaceTest(base.TestCase):
    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def test_init_creates_the_three_parts(self):
        path = os.path.join(self.tmp, "a", "ws")
        ws = workspace.init_workspace(path)
        self.assertEqual(path, ws.path)
        self.assertTrue(os.path.isdir(os.path.join(path, ".stestr")))
        parser = configparser.ConfigParser()
        parser.read(ws.stestr_conf)
        test_path, top_dir = workspace.suite_paths()
        self.assertEqual(test_path, parser.get("DEFAULT", "test_path"))
        self.assertEqual(top_dir, parser.get("DEFAULT", "top_dir"))
        # plain stestr in the workspace keeps a test class in one worker too
        from plugfair.interface.testids import GROUP_REGEX

        self.assertEqual(GROUP_REGEX, parser.get("DEFAULT", "group_regex"))
        self.assertTrue(os.path.isfile(os.path.join(test_path, "__init__.py")))
        self.assertTrue(os.path.isdir(os.path.join(top_dir, "plugfair")))
        with open(ws.plugfair_conf, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("[plugfair_tests]", text)
        self.assertTrue(workspace.Workspace.is_workspace(path))
        self.assertEqual(path, workspace.Workspace.resolve(path).path)
        # the configuration template parses
        context.build_test_conf([ws.plugfair_conf])

    def test_init_never_overwrites(self):
        path = os.path.join(self.tmp, "ws")
        os.makedirs(path)
        with open(os.path.join(path, "plugfair.conf"), "w") as f:
            f.write("[plugfair]\n# precious\n")
        with self.assertRaises(UsageError) as ctx:
            workspace.init_workspace(path)
        self.assertIn("plugfair.conf", str(ctx.exception))
        self.assertEqual(["plugfair.conf"], os.listdir(path))
        with open(os.path.join(path, "plugfair.conf")) as f:
            self.assertIn("precious", f.read())

    def test_init_on_a_file_is_refused(self):
        path = os.path.join(self.tmp, "file")
        open(path, "w").close()
        self.assertRaises(UsageError, workspace.init_workspace, path)

    def test_init_cleans_up_when_it_cannot_finish(self):
        def full_disk(repo_url=None):
            os.makedirs(os.path.join(repo_url, ".stestr"))
            raise OSError(28, "No space left on device")

        self.useFixture(
            fixtures.MonkeyPatch("stestr.repository.util.get_repo_initialise", full_disk)
        )
        fresh = os.path.join(self.tmp, "fresh")
        with self.assertRaises(PlugfairError) as ctx:
            workspace.init_workspace(fresh)
        self.assertIn("No space left", str(ctx.exception))
        self.assertFalse(os.path.exists(fresh))
        existing = os.path.join(self.tmp, "existing")
        os.makedirs(existing)
        open(os.path.join(existing, "keep.txt"), "w").close()
        self.assertRaises(PlugfairError, workspace.init_workspace, existing)
        self.assertEqual(["keep.txt"], os.listdir(existing))

    def test_resolve_errors_say_what_to_do(self):
        with self.assertRaises(UsageError) as ctx:
            workspace.Workspace.resolve(self.tmp)
        self.assertIn("plugfair workspace init", str(ctx.exception))
        # Outside a workspace, the default one is used (and made once).
        self.useFixture(fixtures.MonkeyPatch("os.getcwd", lambda: self.tmp))
        default = os.path.join(self.tmp, "default-ws")
        self.useFixture(fixtures.EnvironmentVariable(workspace.WORKSPACE_ENV, default))
        made = workspace.Workspace.resolve(None)
        self.assertEqual(default, made.path)
        self.assertIn("created the default workspace", made.notice)
        again = workspace.Workspace.resolve(None)
        self.assertIn("using the default workspace", again.notice)
        # ... but a file, or a directory of something else, is refused
        open(os.path.join(self.tmp, "a-file"), "w").close()
        self.useFixture(fixtures.EnvironmentVariable(
            workspace.WORKSPACE_ENV, os.path.join(self.tmp, "a-file")))
        with self.assertRaises(UsageError) as ctx:
            workspace.Workspace.resolve(None)
        self.assertIn("is not a plugfair workspace", str(ctx.exception))
        self.assertIn(workspace.WORKSPACE_ENV, str(ctx.exception))


class PlanTest(base.TestCase):
    def test_round_trip(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "plan.json")
        plan = context.Plan(
            [{"name": "alpha", "target": "a:b", "test_package": "a.tests"}],
            enabled=["alpha"],
            disabled=["beta"],
            hook_timeout=3.5,
            config_files=["/x/plugfair.conf"],
        )
        plan.write(path)
        again = context.Plan.read(path)
        self.assertEqual(plan.to_dict(), again.to_dict())
        registry = again.registry()
        self.assertEqual(["alpha"], registry.names())
        self.assertEqual("a.tests", registry.get("alpha").test_package)

    def test_bad_plans_are_config_errors(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        for name, text in (("torn.json", '{"format": 1, "rec'), ("other.json", '{"format": 99}'),
                           ("list.json", "[]")):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text)
            with self.assertRaises(ConfigError) as ctx:
                context.Plan.read(path)
            self.assertIn(context.PLAN_ENV, str(ctx.exception))
        self.assertRaises(ConfigError, context.Plan.read, os.path.join(tmp, "missing.json"))

    def test_current_reads_the_plan_named_in_the_environment(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "plan.json")
        context.Plan([{"name": "alpha", "target": "a:b"}]).write(path)
        self.useFixture(fixtures.EnvironmentVariable(context.PLAN_ENV, path))
        previous = context.reset(None)
        self.addCleanup(context.reset, previous)
        host = context.current()
        self.assertIs(host, context.current())
        self.assertEqual(["alpha"], host.listing_registry().names())
