"""The identity commands against Keystone: every formatter, and end to end.

The formatter tests run the command classes in-process on a cliff
application (cliff is a public library), sharing the test's authenticated
client; a few tests run the real ``plugfair`` command in a child process.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from typing import Any

from cliff.app import App
from cliff.commandmanager import CommandManager

from plugfair_plugins.identity import commands, opts
from plugfair_plugins.identity.tests import base

FORMATS_LIST = ("table", "csv", "json", "value", "yaml")
FORMATS_SHOW = ("table", "shell", "json", "value", "yaml")


def _plugfair() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "plugfair")
    return beside if os.path.exists(beside) else shutil.which("plugfair")


class _Services:
    """The part of the registry the commands use, with a shared client."""

    def __init__(self, identity: Any) -> None:
        self.identity = identity

    def service_client(self, service: str) -> Any:
        assert service == "identity", service
        return self.identity


class FormatterTest(base.IdentityTestCase):
    def run_command(self, name: str, *argv: str) -> str:
        out = io.StringIO()
        app = App("plugfair", "0", CommandManager(None), stdout=out, stderr=io.StringIO(),
                  deferred_help=True)
        app.registry = _Services(self.identity)  # type: ignore[attr-defined]
        app.conf = self.conf  # type: ignore[attr-defined]
        cmd = commands.commands()[name](app, None)
        parsed = cmd.get_parser("plugfair " + name).parse_args(list(argv))
        self.assertEqual(0, cmd.run(parsed))
        return out.getvalue()

    def test_project_commands_with_every_formatter(self) -> None:
        name = base.unique_name("plugfair-cli")
        created = json.loads(self.run_command("project create", name, "--description",
                                              "cli test", "--tag", "t1", "-f", "json"))
        self.addCleanup(self.ignore_missing, self.identity.delete_project, created["id"])
        self.assertEqual((name, "cli test", "t1", True),
                         (created["name"], created["description"], created["tags"],
                          created["enabled"]))
        rows = json.loads(self.run_command("project list", "-f", "json"))
        self.assertEqual(["Description", "Domain ID", "Enabled", "ID", "Name"], sorted(rows[0]))
        self.assertIn(created["id"], [r["ID"] for r in rows])
        for fmt in FORMATS_LIST:
            self.assertIn(created["id"], self.run_command("project list", "-f", fmt), fmt)
        for fmt in FORMATS_SHOW:
            out = self.run_command("project show", created["id"], "-f", fmt)
            self.assertIn(name, out, fmt)
        disabled = json.loads(self.run_command(
            "project create", base.unique_name("plugfair-off"), "--disable", "-f", "json"))
        self.addCleanup(self.ignore_missing, self.identity.delete_project, disabled["id"])
        self.assertIs(False, disabled["enabled"])
        self.assertEqual("False\n", self.run_command(
            "project show", disabled["id"], "-f", "value", "-c", "enabled"))

    def test_token_issue_with_every_formatter(self) -> None:
        for fmt in FORMATS_SHOW:
            out = self.run_command("token issue", "-f", fmt)
            self.assertIn(self.identity.issue_token()["user_id"], out, fmt)


class EndToEndTest(base.IdentityTestCase):
    def setUp(self) -> None:
        super().setUp()
        exe = _plugfair()
        if exe is None:
            self.skipTest("the plugfair command is not installed")
        self.exe = exe
        # A config file with this run's [identity] settings (the plugin's
        # own options), so the child process reaches the same Keystone.
        self.conf_file = os.path.join(self.make_temp_dir(), "plugfair.conf")
        group = self.conf[opts.GROUP]
        with open(self.conf_file, "w", encoding="utf-8") as f:
            f.write("[%s]\n" % opts.GROUP)
            for opt in opts.list_opts():
                value = group[opt.dest]
                if value not in (None, "", []):
                    f.write("%s = %s\n" % (opt.dest, value))

    def plugfair(self, *args: str, expect: int = 0) -> str:
        proc = subprocess.run([self.exe, "--config-file", self.conf_file, *args],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(expect, proc.returncode,
                         "plugfair %s: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
        return proc.stdout if expect == 0 else proc.stderr

    def test_project_create_and_delete(self) -> None:
        name = base.unique_name("plugfair-cli")
        project_id = self.plugfair("project", "create", name, "-f", "value", "-c", "id").strip()
        self.addCleanup(self.ignore_missing, self.identity.delete_project, project_id)
        self.assertEqual(name, self.identity.get_project(project_id)["name"])
        # One unknown reference: nothing is deleted, and the error says why.
        err = self.plugfair("project", "delete", name, "no-such-" + name, expect=1)
        self.assertIn("No project has the ID or name", err)
        self.identity.get_project(project_id)
        self.plugfair("project", "delete", name)
        self.assertNotIn(project_id, [p["id"] for p in self.identity.list_projects()])

    def test_token_issue(self) -> None:
        token = json.loads(self.plugfair("token", "issue", "-f", "json"))
        self.assertEqual(["expires", "id", "project_id", "system", "user_id"], sorted(token))
        self.assertTrue(self.identity.check_token(token["id"]))
