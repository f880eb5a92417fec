"""``plugin list`` without cliff prints exactly what cliff prints.

:mod:`plugfair.cli.fasttable` renders the table only when it can render
it as cliff's table formatter does; these tests hold it to cliff's output,
byte for byte, on random tables and across the widths cliff fits tables
to, and check that it declines whatever only cliff prints right.
"""

from __future__ import annotations

import configparser
import io
import os
import random

import fixtures
from cliff.app import App
from cliff.commandmanager import CommandManager

from plugfair.cli import fasttable, main
from plugfair.cli.app import PlugfairApp
from plugfair.interface.commands import Lister
from plugfair.registry.core import Registry
from plugfair.registry.records import PluginRecord
from plugfair.tests import base
from plugfair.tests.foundation import test_cli

WIDTH_VARIABLES = ("COLUMNS", "CLIFF_MAX_TERM_WIDTH", "CLIFF_FIT_WIDTH")


def cliff_table(columns, rows, *args):
    """What cliff prints for ``(columns, rows)`` with a plugfair Lister."""

    class Table(Lister):
        def take_action(self, parsed_args):
            return columns, rows

    manager = CommandManager("plugfair.tests.none")
    manager.add_command("table", Table)
    out = io.StringIO()
    app = App("test", "1", manager, stdout=out, stderr=io.StringIO(), deferred_help=True)
    app.registry = None  # type: ignore[attr-defined]  # what plugfair's Lister reads
    rc = app.run(["table", *args])
    assert rc == 0, rc
    return out.getvalue()


def random_table(rng):
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_.,:;()[]!?"
    ncols = rng.randint(1, 7)
    columns = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(ncols)]
    rows = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(ncols)]
            for _ in range(rng.randint(0, 12))]
    return columns, rows


class TestSameBytesAsCliff(base.TestCase):
    def setUp(self):
        super().setUp()
        for name in WIDTH_VARIABLES:
            self.useFixture(fixtures.EnvironmentVariable(name))

    def check(self, columns, rows):
        """The fast table equals cliff's, or it declines; which it did."""
        fast = fasttable.render(columns, rows)
        theirs = cliff_table(columns, rows)
        if fast is not None:
            self.assertEqual(theirs, fast, repr((columns, rows, {k: os.environ.get(k) for k in WIDTH_VARIABLES})))
        return fast is not None

    def test_random_tables_at_every_width(self):
        rng = random.Random(15)
        rendered = declined = 0
        for _ in range(60):
            columns, rows = random_table(rng)
            for env in ({}, {"COLUMNS": str(rng.randint(20, 200))}, {"CLIFF_MAX_TERM_WIDTH": "60"},
                        {"CLIFF_FIT_WIDTH": "1"}, {"COLUMNS": "0", "CLIFF_MAX_TERM_WIDTH": "300"}):
                with fixtures.EnvironmentVariable("COLUMNS", env.get("COLUMNS")), \
                        fixtures.EnvironmentVariable("CLIFF_MAX_TERM_WIDTH", env.get("CLIFF_MAX_TERM_WIDTH")), \
                        fixtures.EnvironmentVariable("CLIFF_FIT_WIDTH", env.get("CLIFF_FIT_WIDTH")):
                    if self.check(columns, rows):
                        rendered += 1
                    else:
                        declined += 1
        # both branches were taken: narrow widths make cliff wrap
        self.assertGreater(rendered, 150)
        self.assertGreater(declined, 10)

    def test_it_declines_what_only_cliff_prints_right(self):
        for columns, rows in (
            (["Name"], [["two\nlines"]]),
            (["Name"], [["tab\there"]]),
            (["Name"], [["wide \u4e2d\u6587"]]),
            (["Name"], [["escape \x1b[31m"]]),
            (["Name"], [[42]]),
            (["Name", "Other"], [["short row"]]),
        ):
            self.assertIsNone(fasttable.render(columns, rows), repr(rows))
        with fixtures.EnvironmentVariable("COLUMNS", "20"):
            self.assertIsNone(fasttable.render(["Name"], [["x" * 30]]))
            self.assertFalse(self.check(["Name"], [["x" * 30]]))
        with fixtures.EnvironmentVariable("CLIFF_MAX_TERM_WIDTH", "not a number"):
            self.assertIsNone(fasttable.render(["Name"], [["x"]]))

    def test_an_empty_table(self):
        self.assertTrue(self.check(["Name", "Status"], []))


class TestPluginListFastPath(test_cli.CliTestCase):
    def cliff_output(self, *args):
        rc, out, err = self.run_cli(["--config-file", self.conf_file, "--debug", *args])
        self.assertEqual(0, rc, err)
        return out

    def test_the_same_output_as_through_cliff(self):
        self.enable("plugfair", "good", "other", "import_error", "cmd_a", "cmd_b")
        slow = self.cliff_output("plugin", "list")  # --debug: cliff answers
        self.useFixture(fixtures.MonkeyPatch("plugfair.cli.app.PlugfairApp.run", None))
        fast, _ = self.cli("plugin", "list")  # would fail if it reached cliff
        self.assertEqual(slow, fast)
        self.assertIn("| import_error ", fast)

    def test_strict(self):
        self.enable("plugfair", "good", "import_error")
        rc, slow, slow_err = self.run_cli(["--config-file", self.conf_file, "--debug", "--strict",
                                           "plugin", "list"])
        self.assertEqual(1, rc)
        self.useFixture(fixtures.MonkeyPatch("plugfair.cli.app.PlugfairApp.run", None))
        rc, fast, fast_err = self.run_cli(["--config-file", self.conf_file, "--strict", "plugin", "list"])
        self.assertEqual((1, slow), (rc, fast))
        self.assertIn("--strict: 1 plugin(s) have problems: import_error.", fast_err)

    def test_cliff_answers_whatever_else_is_asked(self):
        ran = []
        real = PlugfairApp.run

        def run(app, argv):
            ran.append(argv)
            return real(app, argv)

        self.useFixture(fixtures.MonkeyPatch("plugfair.cli.app.PlugfairApp.run", run))
        for args in (["plugin", "list", "-f", "json"], ["plugin", "list", "--max-width", "40"],
                     ["-q", "plugin", "list"], ["plugin", "lis"]):
            self.cli(*args)
        self.assertEqual(4, len(ran))
        # a configuration the registry warns about goes to cliff, which logs
        self.enable("plugfair", "good", "not_installed")
        _, err = self.cli("plugin", "list")
        self.assertEqual(5, len(ran))
        self.assertIn("names plugin 'not_installed', which is not installed", err)



class TestOnlyPlugfairsOwnCommand(base.TestCase):
    def registry(self, *records, **kwargs):
        return Registry(records, **kwargs)

    def test_only_when_plugfair_itself_provides_the_command(self):
        own = PluginRecord(name="plugfair", target=main.BUILTIN_TARGET, distribution="plugfair",
                           commands={"plugin list": "List plugins."})
        other = PluginRecord(name="impostor", target="impostor:P", distribution="impostor",
                             commands={"plugin list": "List plugins, differently."})
        look_alike = PluginRecord(name="plugfair", target="impostor:P", distribution="impostor",
                                  commands={"plugin list": "List plugins, differently."})
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", out))
        self.assertEqual(0, main._plugin_list(self.registry(own), False))
        self.assertIn("| plugfair |", out.getvalue())
        for registry in (
            self.registry(own, other, command_providers={"plugin list": "impostor"}),
            self.registry(own, other),  # contested: nobody has it
            self.registry(look_alike),
            self.registry(own, look_alike),
        ):
            self.assertIsNone(main._plugin_list(registry, False))


class TestBuiltinTarget(base.TestCase):
    def test_it_is_plugfairs_own_entry_point(self):
        from plugfair.cli.builtin import PlugfairPlugin

        self.assertEqual(main.BUILTIN_TARGET, "%s:%s" % (PlugfairPlugin.__module__, PlugfairPlugin.__qualname__))
        setup_cfg = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
            main.__file__)))), "setup.cfg")
        parser = configparser.ConfigParser()
        parser.read(setup_cfg)
        entries = dict(line.split(" = ") for line in parser["options.entry_points"]["plugfair.plugins"]
                       .strip().splitlines())
        self.assertEqual(main.BUILTIN_TARGET, entries["plugfair"])
