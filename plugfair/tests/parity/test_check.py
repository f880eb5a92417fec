"""Parity on the conformance checker: the same checks, the same report."""

from __future__ import annotations

import json
from typing import Any

from plugfair.tests.parity import base


class CheckParityTest(base.ParityTestCase):
    def check(self, plugin: str) -> dict[str, Any]:
        out = self.cli("check", "--format", "json", plugin, expect=None)
        report: dict[str, Any] = json.loads(out)
        return report

    def test_same_checks_and_clean(self) -> None:
        reports = {name: self.check(name) for name in [self.outside] + self.inside}
        outside = reports[self.outside]
        for name, report in reports.items():
            self.assertEqual(sorted(outside), sorted(report), name)
            self.assertEqual([], report.get("violations"), "%s: %s" % (name, report))
