"""The quota CLI, run in-process through the real plugfair application."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import fixtures
import yaml  # type: ignore[import-untyped]

from plugfair.tests.quota import base

ALL_KEYS = [
    ("alpha", "gadgets"),
    ("alpha", "storage"),
    ("alpha", "widgets"),
    ("beta", "records"),
    ("beta", "zones"),
]


class CommandTestCase(base.QuotaTestCase):
    plugins: tuple[str, ...] = ("beta", "alpha", "off", "broken")
    extra_conf = "[plugfair]\ndisabled_plugins = off\n"

    def ok(self, *argv):
        rc, out, err = self.cli(*argv)
        self.assertEqual(0, rc, "%s\n%s" % (out, err))
        return out

    def json(self, *argv):
        return json.loads(self.ok(*argv, "-f", "json"))

    def stored(self):
        with sqlite3.connect(self.db_path) as db:
            return sorted(db.execute(
                "SELECT project_id, resource, hard_limit FROM plugfair_quota_limits"
            ))


class TestList(CommandTestCase):
    def test_list(self):
        rows = self.json("quota", "list")
        self.assertEqual(ALL_KEYS, [(r["Plugin"], r["Resource"]) for r in rows])
        storage = rows[1]
        self.assertEqual({"Plugin": "alpha", "Resource": "storage", "Default": -1,
                          "Unit": "GiB", "Description": "Storage space."}, storage)

    def test_defaults(self):
        rows = self.json("quota", "defaults")
        self.assertEqual(["alpha.gadgets", "alpha.storage", "alpha.widgets",
                          "beta.records", "beta.zones"], [r["Key"] for r in rows])
        self.assertEqual([2, -1, 10, 100, 5], [r["Limit"] for r in rows])

    def test_every_formatter(self):
        table = self.ok("quota", "list")
        self.assertIn("| alpha  | gadgets", table)
        rows = list(csv.reader(io.StringIO(self.ok("quota", "list", "-f", "csv"))))
        self.assertEqual(["Plugin", "Resource", "Default", "Unit", "Description"], rows[0])
        self.assertEqual(ALL_KEYS, [(r[0], r[1]) for r in rows[1:]])
        data = yaml.safe_load(self.ok("quota", "list", "-f", "yaml"))
        self.assertEqual(ALL_KEYS, [(r["Plugin"], r["Resource"]) for r in data])
        value = self.ok("quota", "list", "-f", "value", "-c", "Plugin", "-c", "Resource")
        self.assertEqual(["%s %s" % k for k in ALL_KEYS], value.splitlines())


class TestShow(CommandTestCase):
    def test_show(self):
        self.ok("quota", "set", "--project", "p1", "alpha.widgets=3")
        rows = self.json("quota", "show", "--project", "p1")
        self.assertEqual(ALL_KEYS, [(r["Plugin"], r["Resource"]) for r in rows])
        widgets = rows[2]
        self.assertEqual(
            {"Plugin": "alpha", "Resource": "widgets", "Limit": 3, "In Use": 0,
             "Remaining": 3, "Default": 10, "Overridden": True, "Unit": "count",
             "Usage Reason": ""},
            widgets,
        )
        zones = rows[4]
        self.assertEqual((5, 1, 4), (zones["Limit"], zones["In Use"], zones["Remaining"]))
        self.assertIsNone(rows[1]["Remaining"])  # unlimited

    def test_show_one_plugin(self):
        rows = self.json("quota", "show", "--project", "p1", "--plugin", "beta")
        self.assertEqual(ALL_KEYS[3:], [(r["Plugin"], r["Resource"]) for r in rows])

    def test_show_same_columns_for_every_plugin(self):
        a = self.json("quota", "show", "--project", "p1", "--plugin", "alpha")
        b = self.json("quota", "show", "--project", "p1", "--plugin", "beta")
        self.assertEqual(list(a[0]), list(b[0]))

    def test_show_without_project(self):
        rc, out, err = self.cli("quota", "show")
        self.assertEqual(2, rc)
        self.assertIn("--project", err)

    def test_show_disabled_or_failed_plugin(self):
        rc, _out, err = self.cli("quota", "show", "--project", "p1", "--plugin", "off")
        self.assertEqual(1, rc)
        self.assertIn("disabled by configuration", err)
        rc, _out, err = self.cli("quota", "show", "--project", "p1", "--plugin", "broken")
        self.assertEqual(1, rc)
        self.assertIn("plugin doctor broken", err)


class TestUnknownUsage(CommandTestCase):
    plugins = ("alpha", "raiser")
    extra_conf = ""

    def test_unknown_usage_is_reported_and_shown_empty(self):
        rc, out, err = self.cli("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, rc, err)
        rows = json.loads(out)
        self.assertIsNone(rows[-1]["In Use"])
        self.assertEqual(0, rows[0]["In Use"])
        self.assertIn("Usage of plugin raiser is unknown: ", err)
        self.assertIn("backend down", err)
        self.assertEqual("its usage callback raised RuntimeError: backend down", rows[-1]["Usage Reason"])
        self.assertEqual("", rows[0]["Usage Reason"])

    def test_table_notes_say_why(self):
        rc, out, err = self.cli("quota", "show", "--project", "p1")
        self.assertEqual(0, rc, err)
        lines = out.splitlines()
        things = [line for line in lines if "| things" in line][0]
        self.assertEqual("[1]", things.strip("|").split("|")[-1].strip())
        widgets = [line for line in lines if "| widgets" in line][0]
        self.assertEqual("", widgets.strip("|").split("|")[-1].strip())
        self.assertEqual(["Usage unknown:", "[1] raiser: its usage callback raised RuntimeError: backend down"],
                         lines[-2:])

    def test_no_notes_when_usage_is_known_or_the_column_is_not_shown(self):
        rc, out, err = self.cli("quota", "show", "--project", "p1", "--plugin", "alpha")
        self.assertEqual(0, rc, err)
        self.assertNotIn("Usage unknown", out)
        rc, out, err = self.cli("quota", "show", "--project", "p1", "-c", "Resource", "-c", "In Use")
        self.assertEqual(0, rc, err)
        self.assertNotIn("Usage unknown", out)

    def test_every_format_carries_the_reason(self):
        for fmt in ("csv", "value", "yaml"):
            rc, out, err = self.cli("quota", "show", "--project", "p1", "--plugin", "raiser", "-f", fmt)
            self.assertEqual(0, rc, err)
            self.assertIn("its usage callback raised RuntimeError: backend down", out, fmt)
            self.assertNotIn("Usage unknown:", out, fmt)

    def test_control_characters_are_neutralised_on_the_terminal(self):
        import importlib

        raiser = importlib.import_module("raiser_plugin")
        message = "\x1b[2J\x1b[31mred\x1b[0m\nnext line\u202egnp.exe\x07"
        self.useFixture(fixtures.MonkeyPatch("raiser_plugin.MESSAGE", message))
        self.assertEqual(message, raiser.MESSAGE)
        for fmt in ("table", "value", "csv"):
            rc, out, err = self.cli("quota", "show", "--project", "p1", "-f", fmt)
            self.assertEqual(0, rc, err)
            for char in ("\x1b", "\x07", "\u202e"):
                self.assertNotIn(char, out, fmt)
                self.assertNotIn(char, err, fmt)
            if fmt != "csv":  # (csv doubles the backslashes)
                self.assertIn("\\x1b[31mred\\x1b[0m next line\\u202egnp.exe\\x07", out, fmt)
        # the machine formats carry the text as it is, escaped by JSON
        rc, out, err = self.cli("quota", "show", "--project", "p1", "--plugin", "raiser", "-f", "json")
        self.assertEqual(0, rc, err)
        self.assertEqual("its usage callback raised RuntimeError: " + message,
                         json.loads(out)[0]["Usage Reason"])


class TestSet(CommandTestCase):
    def test_set_prints_the_new_rows(self):
        rows = self.json("quota", "set", "--project", "p1", "beta.zones=-1", "alpha.widgets=20")
        self.assertEqual([("alpha", "widgets"), ("beta", "zones")],
                         [(r["Plugin"], r["Resource"]) for r in rows])
        self.assertEqual([20, -1], [r["Limit"] for r in rows])
        self.assertEqual([("p1", "alpha.widgets", 20), ("p1", "beta.zones", -1)], self.stored())

    def bad(self, argv, expect, rc=1):
        self.ok("quota", "set", "--project", "p1", "alpha.gadgets=1")
        before = self.stored()
        code, out, err = self.cli("quota", "set", *argv)
        self.assertEqual(rc, code, out + err)
        self.assertIn(expect, err)
        self.assertEqual(before, self.stored())

    def test_negative(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "alpha.gadgets=-2"], "negative")

    def test_not_an_integer(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "alpha.gadgets=2.5"], "not an integer")
        self.bad(["--project", "p1", "alpha.widgets=many"], "not an integer")

    def test_too_large(self):
        self.bad(["--project", "p1", "alpha.widgets=2147483648"], "maximum 2147483647")

    def test_unknown_key(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "alpha.sprockets=1"],
                 "declares no resource 'sprockets'")

    def test_disabled_plugin_key(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "off.switches=1"],
                 "disabled by configuration")

    def test_failed_plugin_key(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "broken.things=1"], "not usable")

    def test_missing_project(self):
        self.bad(["alpha.widgets=4"], "No project given", rc=2)

    def test_no_pairs(self):
        self.bad(["--project", "p1"], "No limits given", rc=2)

    def test_malformed_pair(self):
        self.bad(["--project", "p1", "alpha.widgets=4", "alpha.gadgets"], "not KEY=VALUE", rc=2)

    def test_every_problem_is_listed_at_once(self):
        """A malformed pair does not hide the problems of the other pairs."""
        argv = ["--project", "p1", "alpha.widgets=4", "alpha.gadgets", "beta.zones=ten",
                "alpha.sprockets=1", "=3", "alpha.widgets=5", "alpha.storage=-7"]
        code, out, err = self.cli("quota", "set", *argv)
        self.assertEqual(2, code, out + err)
        self.assertEqual([], self.stored())
        message = err[err.index("6 problems; nothing was written:"):].splitlines()
        self.assertEqual(
            ["  'alpha.gadgets' is not KEY=VALUE (e.g. compute.cores=20).",
             "  '=3' is not KEY=VALUE (e.g. compute.cores=20).",
             "  alpha.widgets is given more than once."],
            message[1:4])
        self.assertIn("declares no resource 'sprockets'", message[4])
        self.assertIn("Value of beta.zones 'ten' is not an integer", message[5])
        self.assertIn("Value of alpha.storage -7 is negative", message[6])


class TestDelete(CommandTestCase):
    def setUp(self):
        super().setUp()
        self.ok("quota", "set", "--project", "p1", "alpha.widgets=1", "beta.zones=2")
        self.ok("quota", "set", "--project", "p2", "alpha.widgets=3")

    def test_delete_keys(self):
        self.ok("quota", "delete", "--project", "p1", "beta.zones")
        self.assertEqual([("p1", "alpha.widgets", 1), ("p2", "alpha.widgets", 3)], self.stored())

    def test_delete_all(self):
        self.ok("quota", "delete", "--project", "p1")
        self.assertEqual([("p2", "alpha.widgets", 3)], self.stored())

    def test_bad_delete_writes_nothing(self):
        before = self.stored()
        for argv, rc in (
            (["alpha.widgets"], 2),
            (["--project", "p1", "alpha.widgets", "nope.x"], 1),
            (["--project", "p1", "off.switches"], 1),
        ):
            code, _out, err = self.cli("quota", "delete", *argv)
            self.assertEqual(rc, code, err)
        self.assertEqual(before, self.stored())
