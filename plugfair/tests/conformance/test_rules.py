"""The rule catalogue and its documentation."""

from __future__ import annotations

import os
import re

import testtools

from plugfair.conformance import rules
from plugfair.tests import base

DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "doc", "source", "reference", "rules.rst")


class TestRules(base.TestCase):
    def test_codes_are_well_formed_and_unique(self):
        names = [r.name for r in rules.RULES.values()]
        self.assertEqual(len(names), len(set(names)))
        for code, rule in rules.RULES.items():
            self.assertRegex(code, r"^PF[0-2][0-9]{2}$")
            self.assertEqual(code, rule.code)
            self.assertIn(rule.kind, ("static", "dynamic", "core"))
            self.assertIn(rule.level, ("error", "warning"))
            self.assertEqual("reference/rules.html#%s" % code.lower(), rule.docs)

    @testtools.skipUnless(os.path.exists(DOCS), "documentation sources are not installed")
    def test_every_rule_has_a_documented_section(self):
        with open(DOCS, encoding="utf-8") as f:
            text = f.read()
        for code, rule in rules.RULES.items():
            self.assertIn(".. _%s:" % code.lower(), text)
            heading = "%s %s" % (code, rule.name)
            self.assertRegex(text, r"\n%s\n-{%d}\n" % (re.escape(heading), len(heading)))
            section = text.split(heading, 1)[1].split("\n.. _pf", 1)[0]
            for part in ("Rationale", "Example", "Fix"):
                self.assertIn(part, section, code)
