"""Names outside the rule, prefix claims on a group, and terminal
injection through plugin-supplied text, on every host they reach.

* An entry point named ``good|x``, ``with space`` or with a control
  character is refused cleanly and never changes another plugin's
  identity or status (classes 5 of issue 14).
* A plugin ``a`` registering options in ``[a_b]`` while plugin ``a_b``
  exists: the group is ``a_b``'s (the longest plugin name that names it),
  ``a``'s claim is a collision with a clean message, and ``a_b``'s command
  still reads its option.
* Control characters and ANSI escapes in a description, a command's
  docstring, a quota unit or description, an error message or an
  entry-point name never reach the terminal in ``--help``, ``plugin
  list/show/doctor``, a plugin command's table or the quota tables; the
  JSON formats keep the data (class 6).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import fixtures

from plugfair.interface.testing import write_distribution
from plugfair.tests import base

ESC = "\x1b"

GOOD = '''
from plugfair.api import Command, Plugin


class Hello(Command):
    """Say hello."""

    def take_action(self, parsed_args):
        self.app.stdout.write("hello from good\\n")
        return 0


class Good(Plugin):
    name = "good"
    api_version = "1.1"
    description = "A good plugin."

    def cli_commands(self):
        return {"good hello": Hello}
'''

EVIL = '''
from plugfair.api import Lister, Plugin, QuotaResource


class Things(Lister):
    """Lists \\x1b[2Jthings\\x1b[0m."""

    def take_action(self, parsed_args):
        return ("Name\\x1b[31m",), [("row\\x1b]0;owned\\x07",)]


class Evil(Plugin):
    name = "evil"
    api_version = "1.1"
    description = "Evil \\x1b[31mred\\x1b[0m \\u202eplugin"

    def cli_commands(self):
        return {"evil list": Things}

    def quota_resources(self):
        return [QuotaResource("things", 3, "t\\x1b[1mhings", "Quota \\x1b[5mblink")]

    def quota_usage(self, project_id, names):
        raise RuntimeError("usage broke \\x1b[31mRED")
'''

SHORT = '''
from oslo_config import cfg
from plugfair.api import Plugin


class A(Plugin):
    name = "aa"
    api_version = "1.1"

    def config_options(self):
        return [("aa_bb", [cfg.StrOpt("taken", default="by aa")])]
'''

LONG = '''
from oslo_config import cfg
from plugfair.api import Command, Plugin


class Show(Command):
    """Print my option."""

    def take_action(self, parsed_args):
        self.app.stdout.write(self.conf.aa_bb.mine + "\\n")
        return 0


class AB(Plugin):
    name = "aa_bb"
    api_version = "1.1"

    def config_options(self):
        return [("aa_bb", [cfg.StrOpt("mine", default="aa_bb's own")])]

    def cli_commands(self):
        return {"aabb show": Show}
'''


class NamesAndTextTest(base.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.site = self.useFixture(fixtures.TempDir()).path
        self.conf = os.path.join(self.site, "plugfair.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("[plugfair]\ndisabled_plugins = compute, dns, identity, network, volume, "
                    "tempest_bridge\n[quota]\nconnection = sqlite:///%s\n"
                    % os.path.join(self.site, "q.sqlite"))
        write_distribution(self.site, "good-dist", "1.0", {"good": "good_pkg:Good"},
                           {"good_pkg": GOOD})
        write_distribution(self.site, "evil-dist", "1.0", {
            "evil": "evil_pkg:Evil",
            "good|x": "good_pkg:Good",
            "with space": "good_pkg:Good",
            "ctl\x1bx": "good_pkg:Good",
        }, {"evil_pkg": EVIL})
        write_distribution(self.site, "aa-dist", "1.0", {"aa": "aa_pkg:A"}, {"aa_pkg": SHORT})
        write_distribution(self.site, "aa-bb-dist", "1.0", {"aa_bb": "aa_bb_pkg:AB"},
                           {"aa_bb_pkg": LONG})

    def cli(self, *argv: str) -> tuple[int, str, str]:
        env = dict(os.environ, PYTHONPATH=self.site, PYTHONIOENCODING="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "plugfair.cli.main", "--config-file", self.conf, *argv],
            env=env, capture_output=True, cwd=self.home, timeout=300, check=False,
        )
        return (proc.returncode, proc.stdout.decode("utf-8", "replace"),
                proc.stderr.decode("utf-8", "replace"))

    def assertClean(self, text: str, what: str) -> None:
        self.assertNotIn(ESC, text, what)
        self.assertNotIn("\x07", text, what)
        self.assertNotIn("\u202e", text, what)

    def test_names_outside_the_rule_are_refused_and_confuse_nobody(self) -> None:
        rc, out, err = self.cli("plugin", "list", "-f", "json")
        self.assertEqual(0, rc, err)
        status = {row["Name"]: row["Status"] for row in json.loads(out)}
        self.assertEqual("ok", status["good"])
        for name in ("good|x", "with space", "ctl\x1bx"):
            self.assertEqual("failed", status[name], name)
        rc, out, err = self.cli("good", "hello")
        self.assertEqual((0, "hello from good\n"), (rc, out), err)
        rc, out, err = self.cli("plugin", "doctor", "good")
        self.assertEqual(0, rc, out + err)

    def test_a_group_named_after_a_longer_plugin_is_that_plugins(self) -> None:
        rc, out, err = self.cli("aabb", "show")
        self.assertEqual((0, "aa_bb's own\n"), (rc, out), err)
        rc, out, err = self.cli("plugin", "doctor", "-f", "json")
        rows = {row["Plugin"]: row for row in json.loads(out)}
        self.assertNotIn("aa_bb", rows)
        self.assertIn("config group 'aa_bb' is claimed by plugin 'aa'", rows["aa"]["Problem"])
        self.assertIn("It belongs to plugin 'aa_bb'", rows["aa"]["Remedy"])
        self.assertNotIn("NoSuchOpt", out + err)

    def test_plugin_text_never_reaches_the_terminal_raw(self) -> None:
        for argv in (("--help",), ("plugin", "list"), ("plugin", "show", "evil"),
                     ("plugin", "doctor"), ("evil", "list"), ("quota", "list"),
                     ("quota", "show", "--project", "p1"), ("help", "evil", "list")):
            rc, out, err = self.cli(*argv)
            self.assertClean(out, " ".join(argv) + " (stdout)")
            self.assertClean(err, " ".join(argv) + " (stderr)")
        # the machine formats keep the data, escaped by the format
        rc, out, err = self.cli("plugin", "show", "evil", "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual("Evil \x1b[31mred\x1b[0m \u202eplugin", json.loads(out)["description"])
        rc, out, err = self.cli("evil", "list", "-f", "json")
        self.assertEqual([{"Name\x1b[31m": "row\x1b]0;owned\x07"}], json.loads(out))
