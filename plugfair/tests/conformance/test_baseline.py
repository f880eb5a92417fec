"""Baselines: adopt the check gradually, fail only on new violations."""

from __future__ import annotations

import json
import os

import fixtures

from plugfair.conformance import baseline
from plugfair.conformance.check import CheckRequest, run_check
from plugfair.tests import base
from plugfair.tests.conformance.util import write_tree


class TestBaseline(base.TestCase):
    def setUp(self):
        super().setUp()
        tmp = self.useFixture(fixtures.TempDir()).path
        self.root = write_tree(
            os.path.join(tmp, "tree"),
            {
                "legacy/__init__.py": "",
                "legacy/old.py": "from plugfair.registry import core\nfrom plugfair.config import opts\n",
            },
        )
        self.baseline = os.path.join(tmp, "baseline.json")

    def check_cli(self, *extra):
        return self.run_cli(["check", self.root, "--static-only"] + list(extra))

    def edit(self, rel, text):
        with open(os.path.join(self.root, *rel.split("/")), "w", encoding="utf-8") as f:
            f.write(text)

    def test_adopt_then_fail_only_on_new(self):
        rc, out, err = self.check_cli()
        self.assertEqual(1, rc)
        rc, out, err = self.check_cli("--write-baseline", self.baseline)
        self.assertEqual(0, rc, err)
        with open(self.baseline, encoding="utf-8") as f:
            data = json.load(f)
        self.assertEqual(2, len(data["violations"]))
        rc, out, err = self.check_cli("--baseline", self.baseline)
        self.assertEqual(0, rc, out + err)
        self.assertIn("0 violation(s)", out)
        self.assertIn("2 accepted by baseline", out)
        # Moving code does not break the baseline.
        self.edit("legacy/old.py", "\n\n# moved\nfrom plugfair.config import opts\nfrom plugfair.registry import core\n")
        rc, out, err = self.check_cli("--baseline", self.baseline)
        self.assertEqual(0, rc, out)
        # A new violation fails, and only it is reported.
        self.edit("legacy/new.py", "from plugfair.cli import app\n")
        rc, out, err = self.check_cli("--baseline", self.baseline)
        self.assertEqual(1, rc)
        self.assertEqual(1, out.count(": PF001 "))
        self.assertIn("legacy/new.py:1: PF001", out)

    def check(self, **kwargs):
        return run_check(CheckRequest(targets=[self.root], dynamic=False, **kwargs))

    def test_a_second_copy_is_new(self):
        self.check(write_baseline=self.baseline)
        self.edit("legacy/old.py", "from plugfair.registry import core\nfrom plugfair.config import opts\n"
                  "from plugfair.registry import core\n")
        result = self.check(baseline=self.baseline)
        self.assertEqual(1, result.exit_code)
        self.assertEqual([("legacy/old.py", 3)], [(v.relpath, v.line) for v in result.new])

    def test_fixed_violations_are_counted(self):
        self.check(write_baseline=self.baseline)
        self.edit("legacy/old.py", "from plugfair.api import Plugin\n")
        result = self.check(baseline=self.baseline)
        self.assertEqual(0, result.exit_code)
        self.assertEqual(2, result.baseline_unmatched)

    def test_bad_baselines_are_usage_errors(self):
        for content, expected in [
            (None, "Cannot read baseline"),
            ("{", "not valid JSON"),
            ('{"format": 1}', "is not a plugfair check baseline"),
            ('{"format": 1, "violations": [{"code": "PF001"}]}', "has no fingerprint"),
        ]:
            if content is None:
                path = self.baseline + ".missing"
            else:
                path = self.baseline
                with open(path, "w", encoding="utf-8") as f:
                    f.write(content)
            with self.assertRaises(baseline.BaselineError) as ctx:
                self.check(baseline=path)
            self.assertIn(expected, str(ctx.exception))
            self.assertEqual(2, getattr(ctx.exception, "exit_code", None))
        rc, out, err = self.check_cli("--baseline", self.baseline)
        self.assertEqual(2, rc)
        self.assertIn("has no fingerprint", err)

    def test_fingerprint_ignores_the_line_number(self):
        from plugfair.conformance.report import Violation

        a = Violation("PF001", "m", "p", "pkg/x.py", line=3, name="plugfair.cli", context="from plugfair import cli")
        b = Violation("PF001", "m", "p", "pkg/x.py", line=30, name="plugfair.cli", context="from  plugfair import cli")
        c = Violation("PF001", "m", "p", "pkg/y.py", line=3, name="plugfair.cli", context="from plugfair import cli")
        self.assertEqual(a.fingerprint, b.fingerprint)
        self.assertNotEqual(a.fingerprint, c.fingerprint)
        self.assertEqual(1, baseline.apply([a, c], __import__("collections").Counter({a.fingerprint: 2})))
