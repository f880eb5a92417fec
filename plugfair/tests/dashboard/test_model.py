"""The bars' states and labels, from quota rows."""

from __future__ import annotations

import testtools

from plugfair.dashboard import model
from plugfair.interface.errors import UsageError
from plugfair.quota.service import QuotaRow


def row(limit, in_use, unit="count"):
    return QuotaRow(
        plugin="p", resource="r", key="p.r", unit=unit, description="d",
        default=5, limit=limit, in_use=in_use,
        remaining=None if limit == -1 or in_use is None else limit - in_use,
        overridden=False,
    )


class TestResourceView(testtools.TestCase):
    def test_states_and_labels(self):
        cases = [
            (row(10, 0), "ok", "0 / 10 count"),
            (row(10, 7), "ok", "7 / 10 count"),
            (row(10, 8), "high", "8 / 10 count"),
            (row(10, 10), "full", "10 / 10 count"),
            (row(10, 12), "full", "12 / 10 count"),
            (row(0, 0), "ok", "0 / 0 count"),
            (row(0, 1), "full", "1 / 0 count"),
            (row(-1, 5, "GiB"), "unlimited", "5 GiB used (unlimited)"),
            (row(-1, None), "unlimited", "unlimited (usage unknown)"),
            (row(10, None), "unknown", "unknown / 10 count"),
        ]
        for r, state, label in cases:
            view = model.resource_view(r, project=True)
            self.assertEqual((state, label), (view["state"], view["label"]), repr(r))
            meter = view["meter"]
            self.assertLessEqual(meter["value"], meter["max"])
            self.assertGreaterEqual(meter["max"], 1)

    def test_defaults(self):
        view = model.resource_view(row(10, None), project=False)
        self.assertEqual(("default", "default: 10 count"), (view["state"], view["label"]))
        view = model.resource_view(row(-1, None), project=False)
        self.assertEqual("default: unlimited", view["label"])

    def test_meter_over_limit_is_capped(self):
        view = model.resource_view(row(4, 9), project=True)
        self.assertEqual({"max": 4, "value": 4, "low": 3.0, "high": 4}, view["meter"])


class TestCheckProject(testtools.TestCase):
    def test_values(self):
        self.assertIsNone(model.check_project(None))
        self.assertIsNone(model.check_project("   "))
        self.assertEqual("abc", model.check_project(" abc "))
        for bad in ("a\x00b", "x" * 65, "tab\there", 5):
            self.assertRaises(UsageError, model.check_project, bad)
