"""End to end: the ``plugfair`` command with this plugin installed.

The DNS plugin's quota is enforced by plugfair's own quota host, the same
way as any plugin's: ``quota set dns.zones=1`` stops the second zone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from plugfair.api import TestCase


def _plugfair() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "plugfair")
    return beside if os.path.exists(beside) else shutil.which("plugfair")


class CliTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        exe = _plugfair()
        if exe is None:
            self.skipTest("the plugfair command is not installed")
        self.exe = exe
        home = self.make_temp_dir()
        self.env = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
                        XDG_CONFIG_HOME=os.path.join(home, "config"),
                        PLUGFAIR_CACHE_DIR=os.path.join(home, "cache"))
        self.env.pop("PLUGFAIR_TESTHOST_PLAN", None)
        self.cwd = self.make_temp_dir()  # no ./plugfair.conf here

    def plugfair(self, *args: str, expect: int = 0) -> str:
        proc = subprocess.run([self.exe, *args], capture_output=True, text=True,
                              env=self.env, cwd=self.cwd, timeout=120)
        self.assertEqual(expect, proc.returncode,
                         "plugfair %s: %s%s" % (" ".join(args), proc.stdout, proc.stderr))
        return proc.stdout if expect == 0 else proc.stderr

    def test_zone_quota_is_enforced(self) -> None:
        self.plugfair("zone", "create", "a.example.", "--email", "a@example.org")
        self.plugfair("quota", "set", "--project", "demo", "dns.zones=1")
        err = self.plugfair("zone", "create", "b.example.", "--email", "a@example.org",
                            expect=1)
        self.assertIn("dns.zones: limit 1, in use 1, requested +1", err)
        self.assertEqual("a.example.\n", self.plugfair("zone", "list", "-f", "value",
                                                       "-c", "Name"))
        err = self.plugfair("zone", "create", "bad", "--email", "a@example.org", expect=2)
        self.assertIn("end with a dot", err)
