"""``plugfair check`` exit codes and options."""

from __future__ import annotations

import os

import fixtures

from plugfair.tests import base
from plugfair.tests.conformance.util import write_tree


class TestExitCodes(base.TestCase):
    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.clean = write_tree(os.path.join(tmp, "clean"), {"ok/__init__.py": "from plugfair.api import Plugin\n"})
        self.dirty = write_tree(os.path.join(tmp, "dirty"), {"bad/__init__.py": "import plugfair.registry\n"})
        self.static_profile = os.path.join(tmp, "static.json")
        with open(self.static_profile, "w", encoding="utf-8") as f:
            f.write('{"name": "static", "host": {"packages": ["myhost"]}, "stable": ["myhost.api"]}')

    def test_clean_is_0(self):
        rc, out, err = self.run_cli(["check", self.clean, "--static-only"])
        self.assertEqual(0, rc, err)
        self.assertIn("0 violation(s) in 1 file(s)", out)

    def test_violations_are_1(self):
        rc, out, err = self.run_cli(["check", self.dirty, "--static-only"])
        self.assertEqual(1, rc)
        self.assertIn("bad/__init__.py:1: PF001 Imports plugfair.registry", out)

    def test_usage_errors_are_2(self):
        for argv, expected in [
            (["check"], "Nothing to check"),
            (["check", self.clean, "--select", "XX9"], "Unknown rule code"),
            (["check", self.clean, "--timeout", "0"], "must be positive"),
            (["check", self.clean, "--jobs", "-1"], "--jobs"),
            (["check", self.clean, "--format", "yaml"], "invalid choice"),
            (["check", "--profile-file", self.static_profile, self.clean, "--dynamic"], "static only"),
            (["check", "no-such-plugin-anywhere"], "not a directory, an archive"),
        ]:
            rc, out, err = self.run_cli(argv)
            self.assertEqual(2, rc, " ".join(argv))
            self.assertIn(expected, err, " ".join(argv))

    def test_short_format_option(self):
        """``-f`` as in every other plugfair command (cliff's formatters)."""
        import json

        rc, long_out, err = self.run_cli(["check", self.dirty, "--static-only", "--format", "json"])
        self.assertEqual(1, rc, err)
        rc, short_out, err = self.run_cli(["check", self.dirty, "--static-only", "-f", "json"])
        self.assertEqual(1, rc, err)
        strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "summary"}  # noqa: E731
        self.assertEqual(strip(long_out), strip(short_out))
        self.assertEqual(["PF001"], [v["code"] for v in json.loads(short_out)["violations"]])
        rc, out, err = self.run_cli(["check", self.clean, "-f", "table"])
        self.assertEqual(2, rc)
        self.assertIn("invalid choice", err)

    def test_select_and_ignore(self):
        rc, out, err = self.run_cli(["check", self.dirty, "--static-only", "--ignore", "PF001"])
        self.assertEqual(0, rc)
        rc, out, err = self.run_cli(["check", self.dirty, "--static-only", "--select", "PF0"])
        self.assertEqual(1, rc)

    def test_list_rules(self):
        rc, out, err = self.run_cli(["check", "--list-rules"])
        self.assertEqual(0, rc)
        self.assertIn("PF001 unstable-import", out)
        self.assertIn("PF202 core-names-plugin", out)

    def test_parallel_and_serial_agree(self):
        from plugfair.conformance import check as check_mod
        from plugfair.conformance.check import CheckRequest, run_check

        self.useFixture(fixtures.MonkeyPatch("plugfair.conformance.check.PARALLEL_MIN_BYTES", 0))
        serial = run_check(CheckRequest(targets=[self.dirty, self.clean], dynamic=False, jobs=1))
        parallel = run_check(CheckRequest(targets=[self.dirty, self.clean], dynamic=False, jobs=2))
        self.assertEqual([v.to_dict() for v in serial.violations], [v.to_dict() for v in parallel.violations])
        self.assertEqual([], check_mod._WORK)
