"""The ``plugfair`` CLI: plugin list/show/doctor, formatters, errors, --strict."""

from __future__ import annotations

import csv
import io
import json
import os

import fixtures
import yaml  # type: ignore[import-untyped]

from plugfair import __version__
from plugfair.registry import report
from plugfair.tests import base
from plugfair.tests.foundation import test_registry, zoo

FORMATS = ("table", "json", "yaml", "csv", "value")
SHOW_FORMATS = ("table", "json", "yaml", "shell", "value")


def parse(fmt, text, columns):
    """Rows of a Lister's output as dicts, whatever the formatter."""
    if fmt == "json":
        return json.loads(text)
    if fmt == "yaml":
        return yaml.safe_load(text)
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    if fmt == "value":
        # one line per row, values separated by spaces (no value has one
        # except the capabilities, which come last)
        rows = []
        for line in text.splitlines():
            parts = line.split(" ", len(columns) - 1)
            rows.append(dict(zip(columns, parts + [""] * (len(columns) - len(parts)))))
        return rows
    cells = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]
    header, *body = cells
    return [dict(zip(header, row)) for row in body]


def parse_show(fmt, text):
    if fmt == "json":
        return json.loads(text)
    if fmt == "yaml":
        return yaml.safe_load(text)
    if fmt == "shell":
        return {k: v.strip('"').replace('\\n', '\n') for k, _, v in
                (line.partition("=") for line in text.splitlines())}
    if fmt == "value":
        return text
    return {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in text.splitlines()
        if line.startswith("|") and line.split("|")[1].strip()
    }


class CliTestCase(base.TestCase):
    """The zoo on sys.path with its real manifest already cached."""

    def setUp(self):
        super().setUp()
        self.useFixture(zoo.OnPath())
        zoo.seed_cache(zoo.zoo().records)
        self.conf_file = os.path.join(self.home, "test.conf")
        self.enable("plugfair", "good", "other")

    def enable(self, *names, disabled=(), extra=""):
        with open(self.conf_file, "w") as f:
            f.write("[plugfair]\nenabled_plugins = %s\ndisabled_plugins = %s\n%s"
                    % (", ".join(names), ", ".join(disabled), extra))

    def cli(self, *args, expect=0):
        rc, out, err = self.run_cli(["--config-file", self.conf_file, *args])
        self.assertEqual(expect, rc, "stdout:\n%s\nstderr:\n%s" % (out, err))
        return out, err


class TestPluginList(CliTestCase):
    def test_every_formatter(self):
        self.enable("plugfair", "good", "other", "import_error")
        columns = list(report.LIST_COLUMNS)
        for fmt in FORMATS:
            out, _ = self.cli("plugin", "list", "-f", fmt)
            rows = {row["Name"]: row for row in parse(fmt, out, columns)}
            self.assertEqual(sorted(columns), sorted(rows["good"]), fmt)
            if fmt != "yaml":  # yaml sorts the keys
                self.assertEqual(columns, list(rows["good"]), fmt)
            self.assertEqual(
                {"Name": "good", "Distribution": "pf-good", "Version": "1.0",
                 "API Version": "1.0", "Status": "ok",
                 "Capabilities": "config, commands, tests, quota, services"},
                rows["good"], fmt)
            self.assertEqual("failed", rows["import_error"]["Status"], fmt)
            self.assertEqual("disabled", rows["cmd_a"]["Status"], fmt)
            self.assertEqual("ok", rows["plugfair"]["Status"], fmt)
            # one row per installed plugin (both twins), ordered by name
            names = [row["Name"] for row in parse(fmt, out, columns)]
            self.assertEqual(sorted(names), names, fmt)
            self.assertEqual(2, names.count("twin"), fmt)

    def test_columns_can_be_selected(self):
        out, _ = self.cli("plugin", "list", "-f", "value", "-c", "Name", "-c", "Status")
        self.assertIn("good ok", out.splitlines())
        self.assertIn("hang disabled", out.splitlines())

    def test_statuses(self):
        self.enable("plugfair", "good", "cmd_a", "cmd_b", "api_newer_minor", "hang")
        out, _ = self.cli("plugin", "list", "-f", "json")
        status = {row["Name"]: row["Status"] for row in json.loads(out)}
        self.assertEqual("conflict", status["cmd_a"])
        self.assertEqual("incompatible", status["api_newer_minor"])
        self.assertEqual("failed", status["hang"])
        self.assertEqual("disabled", status["other"])


class TestPluginShow(CliTestCase):
    def test_every_formatter(self):
        for fmt in SHOW_FORMATS:
            out, _ = self.cli("plugin", "show", "good", "-f", fmt)
            data = parse_show(fmt, out)
            if fmt == "value":
                self.assertIn("pf_good.plugin:GoodPlugin", data)
                continue
            self.assertEqual("good", data["name"], fmt)
            self.assertEqual("pf-good", data["distribution"], fmt)
            self.assertEqual("good = pf_good.plugin:GoodPlugin", data["entry_point"], fmt)
            self.assertEqual("ok", data["status"], fmt)
            if fmt not in ("table", "shell"):  # these show multi-line cells their way
                self.assertEqual("good fail\ngood hello", data["commands"], fmt)
                self.assertEqual("good\ngood_extra", data["config_groups"], fmt)
                self.assertEqual("good.widgets", data["quota_resources"], fmt)
                self.assertEqual("goodsvc", data["services"], fmt)
                self.assertEqual("pf_good.tests", data["test_package"], fmt)
                self.assertEqual("", data["problems"], fmt)

    def test_a_failed_plugin_shows_its_problem(self):
        self.enable("plugfair", "sys_exit")
        out, _ = self.cli("plugin", "show", "sys_exit", "-f", "json")
        data = json.loads(out)
        self.assertEqual("failed", data["status"])
        self.assertIn("sys.exit(3)", data["problems"])

    def test_no_such_plugin(self):
        out, err = self.cli("plugin", "show", "nosuch", expect=1)
        self.assertIn("No plugin named 'nosuch' is installed", err)
        self.assertIn("plugfair plugin list", err)
        self.assertEqual("", out)

    def test_missing_argument_is_a_usage_error(self):
        _, err = self.cli("plugin", "show", expect=2)
        self.assertIn("the following arguments are required: name", err)


class TestDoctor(CliTestCase):
    def test_every_failure_kind_with_reason_and_remedy(self):
        self.enable("plugfair", "good", "other", *test_registry.FAILURES)
        out, _ = self.cli("plugin", "doctor", "-f", "json", expect=1)
        rows = json.loads(out)
        self.assertEqual(list(report.DOCTOR_COLUMNS), list(rows[0]))
        by_plugin = {row["Plugin"]: row for row in rows}
        self.assertEqual(sorted(test_registry.FAILURES), sorted(by_plugin))
        for name, (status, _, reason, remedy) in test_registry.FAILURES.items():
            row = by_plugin[name]
            self.assertEqual(status, row["Status"], name)
            self.assertIn(reason, row["Problem"], name)
            self.assertIn(remedy, row["Remedy"], name)

    def test_collisions(self):
        self.enable("plugfair", "good", "twin", "cmd_a", "cmd_b", "svc_a", "svc_b")
        out, _ = self.cli("plugin", "doctor", "-f", "json", expect=1)
        rows = json.loads(out)
        self.assertEqual(["cmd_a", "cmd_b", "svc_a", "svc_b", "twin", "twin"],
                         [row["Plugin"] for row in rows])
        for row in rows:
            self.assertEqual("conflict", row["Status"])
            self.assertIn("Neither is used", row["Remedy"])
        self.assertIn("pf-twin-a", rows[-1]["Problem"])
        self.assertIn("pf-twin-b", rows[-1]["Problem"])
        self.assertIn("twin@pf-twin-b", rows[-1]["Remedy"])
        self.assertIn("'shared cmd' is claimed by plugin 'cmd_a' (distribution pf-cmd-a) "
                      "and plugin 'cmd_b' (distribution pf-cmd-b)", rows[0]["Problem"])

    def test_every_formatter(self):
        self.enable("plugfair", "good", "import_error", "hang")
        for fmt in FORMATS:
            out, _ = self.cli("plugin", "doctor", "-f", fmt, expect=1)
            self.assertIn("needs libfoo", out, fmt)
            self.assertIn("did not finish within", out, fmt)
            if fmt != "value":
                rows = parse(fmt, out, list(report.DOCTOR_COLUMNS))
                self.assertEqual(["hang", "import_error"], [row["Plugin"] for row in rows])

    def test_no_problems(self):
        out, _ = self.cli("plugin", "doctor")
        self.assertEqual("No problems found in %d installed plugin(s)."
                         % len(zoo.zoo().records), out.strip())
        out, _ = self.cli("plugin", "doctor", "-f", "json")
        self.assertEqual([], json.loads(out))

    def test_one_plugin(self):
        self.enable("plugfair", "good", "import_error", "hang")
        out, _ = self.cli("plugin", "doctor", "hang", "-f", "json", expect=1)
        self.assertEqual(["hang"], [row["Plugin"] for row in json.loads(out)])
        out, _ = self.cli("plugin", "doctor", "good")
        self.assertEqual("No problems found in plugin good.", out.strip())
        out, _ = self.cli("plugin", "doctor", "other", "-f", "json", expect=1)
        (row,) = json.loads(out)
        self.assertEqual("disabled", row["Status"])
        _, err = self.cli("plugin", "doctor", "nosuch", expect=1)
        self.assertIn("No plugin named 'nosuch'", err)


class TestStrict(CliTestCase):
    def test_problems_fail_the_run_but_the_output_is_there(self):
        self.enable("plugfair", "good", "import_error")
        out, err = self.cli("--strict", "plugin", "list", "-f", "json", expect=1)
        self.assertIn("good", [row["Name"] for row in json.loads(out)])
        self.assertIn("--strict: 1 plugin(s) have problems: import_error", err)
        out, err = self.cli("--strict", "good", "hello", expect=1)
        self.assertEqual("Hello, world!\n", out)
        out, err = self.cli("--strict", "--help", expect=1)
        self.assertIn("good hello", out)
        self.assertIn("--strict", err)
        # without --strict the same runs succeed
        self.cli("plugin", "list")
        self.cli("--help")

    def test_no_problems_no_failure(self):
        out, _ = self.cli("--strict", "plugin", "list", "-f", "value", "-c", "Name")
        self.assertIn("good", out.split())
        self.cli("--strict", "--help")

    def test_disabled_plugins_are_no_problem(self):
        self.enable("plugfair", "good", "import_error", disabled=["import_error"])
        self.cli("--strict", "plugin", "list")


class TestHelp(CliTestCase):
    def test_help_names_the_provider_of_each_command(self):
        for args in (["--help"], ["-h"], ["help"], []):
            out, _ = self.cli(*args)
            lines = out.splitlines()
            good = [line for line in lines if line.strip().startswith("good hello")]
            self.assertEqual(1, len(good), str(args))
            self.assertIn("Say hello from the good plugin. [good]", good[0])
            self.assertIn("[other]", [line for line in lines if "other run" in line][0])
            self.assertIn("plugin list List every installed plugin, with its status and "
                          "capabilities. [plugfair]", " ".join(out.split()))
            for flag in ("--config-file PATH", "--config-dir DIR", "--strict", "--no-cache"):
                self.assertIn(flag, out)

    def test_global_options_alone_print_the_help(self):
        # never cliff's interactive shell
        for args in (["--debug"], ["-q"], ["--deb"], ["--strict"]):
            out, _ = self.cli(*args)
            self.assertIn("good hello", out, str(args))
        rc, out, _ = self.run_cli(["--nosuch"])
        self.assertEqual(2, rc)

    def test_help_mentions_problems(self):
        self.enable("plugfair", "good", "import_error")
        out, _ = self.cli("--help")
        self.assertIn("1 plugin(s) have problems (run 'plugfair plugin doctor' for remedies):",
                      out)
        # the reason itself is shown, on one line
        self.assertRegex(out, r"\n  import_error: importing \S+ raised \w+Error: ")

    def test_help_for_a_command(self):
        out, _ = self.cli("help", "good", "hello")
        self.assertIn("--name", out)
        out, _ = self.cli("good", "hello", "--help")
        self.assertIn("--name", out)

    def test_version(self):
        out, _ = self.cli("--version")
        self.assertEqual("plugfair %s\n" % __version__, out)


class TestCommands(CliTestCase):
    def test_plugin_command_runs(self):
        out, _ = self.cli("good", "hello", "--name", "there")
        self.assertEqual("Hello, there!\n", out)
        out, _ = self.cli("other", "run")
        self.assertEqual("other ran\n", out)

    def test_usage_error_from_a_command(self):
        _, err = self.cli("good", "fail", expect=2)
        self.assertIn("good fail always fails", err)

    def test_unknown_command(self):
        out, err = self.cli("nosuch", expect=1)
        self.assertIn("'nosuch' is not a plugfair command. See 'plugfair --help'.", err)
        self.assertEqual("", out)

    def test_did_you_mean(self):
        _, err = self.cli("plugin", "lst", expect=1)
        self.assertIn("Did you mean: plugin list", err)
        _, err = self.cli("good", "helo", expect=1)
        self.assertIn("Did you mean: good hello", err)

    def test_unique_prefixes_are_accepted(self):
        out, _ = self.cli("go", "hel")
        self.assertEqual("Hello, world!\n", out)

    def test_command_of_a_failed_plugin(self):
        self.enable("plugfair", "good", "late_fail")
        _, err = self.cli("late", "go", expect=1)
        self.assertIn("'late go' is provided by plugin 'late_fail', which is not usable "
                      "(failed). Run 'plugfair plugin doctor late_fail'.", err)

    def test_command_named_after_a_plugin_that_failed_to_load(self):
        # It failed at import: its commands are unknown, but the first word
        # names it, so the user learns why instead of "not a command".
        self.enable("plugfair", "good", "import_error", "sys_exit")
        _, err = self.cli("import_error", "hello", expect=1)
        self.assertIn("'import_error' names plugin 'import_error', which failed to load", err)
        self.assertIn("ImportError: needs libfoo", err)
        self.assertIn("Run 'plugfair plugin doctor import_error'.", err)
        self.assertNotIn("is not a plugfair command", err)
        _, err = self.cli("sys_exit", expect=1)
        self.assertIn("sys.exit(3)", err)
        self.enable("plugfair", "good", "other", disabled=["other"])
        _, err = self.cli("other", "nothing", "here", expect=1)
        self.assertIn("names plugin 'other', which is disabled by configuration", err)

    def test_command_of_a_disabled_plugin(self):
        self.enable("plugfair", "good", "other", disabled=["other"])
        _, err = self.cli("other", "run", expect=1)
        self.assertIn("'other run' is provided by plugin 'other', which is disabled by "
                      "configuration", err)

    def test_command_of_colliding_plugins(self):
        self.enable("plugfair", "good", "cmd_a", "cmd_b")
        _, err = self.cli("shared", "cmd", expect=1)
        self.assertIn("more than one plugin (cmd_a from pf-cmd-a, cmd_b from pf-cmd-b), so "
                      "neither is used", err)
        out, _ = self.cli("cmda", "solo")
        self.assertEqual("cmd_a ran\n", out)
        self.enable("plugfair", "good", "cmd_a", "cmd_b", disabled=["cmd_b"])
        out, _ = self.cli("shared", "cmd")
        self.assertEqual("cmd_a ran\n", out)

    def test_contested_commands_stay_reachable_under_their_plugins_names(self):
        self.enable("plugfair", "good", "cmd_a", "cmd_b")
        out, _ = self.cli("cmd_a", "shared", "cmd")
        self.assertEqual("cmd_a ran\n", out)
        out, _ = self.cli("cmd_b", "shared", "cmd")
        self.assertEqual("cmd_b ran\n", out)
        _, err = self.cli("shared", "cmd", expect=1)
        self.assertIn("Run it as 'plugfair cmd_a shared cmd' or 'plugfair cmd_b shared cmd'", err)
        self.assertIn("command_providers = shared cmd:<plugin>", err)
        out, _ = self.cli("--help")
        self.assertIn("Contested commands", out)
        self.assertIn("cmd_a shared cmd, cmd_b shared cmd", out)
        # an uncontested command is reachable under its plugin's name too
        out, _ = self.cli("cmd_a", "cmda", "solo")
        self.assertEqual("cmd_a ran\n", out)

    def test_operator_picks_a_provider_in_configuration(self):
        self.enable("plugfair", "good", "cmd_a", "cmd_b",
                    extra="command_providers = shared cmd:cmd_b\n")
        out, _ = self.cli("shared", "cmd")
        self.assertEqual("cmd_b ran\n", out)
        out, _ = self.cli("cmd_a", "shared", "cmd")
        self.assertEqual("cmd_a ran\n", out)
        out, _ = self.cli("--help")
        self.assertNotIn("Contested commands", out)
        self.assertIn("shared cmd", out)
        out, _ = self.cli("--strict", "plugin", "list")  # resolved: no problem left
        # a malformed entry is refused with the file named, not ignored
        self.enable("plugfair", "good", extra="command_providers = shared cmd\n")
        _, err = self.cli("plugin", "list", expect=1)
        self.assertIn("command_providers", err)

    def test_command_of_a_duplicated_plugin_name(self):
        self.enable("plugfair", "twin")
        _, err = self.cli("twin", "go", expect=1)
        self.assertIn("plugin 'twin', which is not usable (conflict)", err)
        self.enable("plugfair", "twin", disabled=["twin@pf-twin-b"])
        self.cli("twin", "go")

    def test_plugin_that_fails_when_its_command_runs(self):
        # The manifest says "good" is fine, but it cannot be imported now.
        self.useFixture(fixtures.MonkeyPatch(
            "sys.path", [p for p in __import__("sys").path if p != zoo.zoo().path]))
        zoo.seed_cache(zoo.zoo().records)
        _, err = self.cli("good", "hello", expect=1)
        self.assertIn("Plugin 'good' failed: importing it raised ModuleNotFoundError", err)

    def test_bad_global_option(self):
        out, err = self.cli("--nosuch-option", "plugin", "list", expect=2)
        self.assertIn("unrecognized option '--nosuch-option'", err)
        self.assertEqual("", out)
        # abbreviations of real options still work
        out, _ = self.cli("--deb", "plugin", "list", "-f", "value", "-c", "Name")
        self.assertIn("good", out.split())

    def test_malformed_config_file(self):
        with open(self.conf_file, "w") as f:
            f.write("[plugfair]\nenabled_plugins = good\noops\n")
        for args in (["plugin", "list"], ["--help"], ["nosuch"]):
            _, err = self.cli(*args, expect=1)
            self.assertIn("%s:3" % self.conf_file, err, str(args))
            self.assertIn("malformed", err, str(args))

    def test_config_dir(self):
        conf_dir = os.path.join(self.home, "conf.d")
        os.mkdir(conf_dir)
        with open(os.path.join(conf_dir, "a.conf"), "w") as f:
            f.write("[plugfair]\nenabled_plugins = plugfair, good\n[good]\ngreeting = Hey\n")
        rc, out, err = self.run_cli(["--config-dir", conf_dir, "good", "hello"])
        self.assertEqual((0, "Hey, world!\n"), (rc, out), err)
        rc, out, err = self.run_cli(["--config-dir", conf_dir, "other", "run"])
        self.assertEqual(1, rc)
        self.assertIn("disabled by configuration", err)

    def test_missing_config_file(self):
        rc, _, err = self.run_cli(["--config-file", "/nonexistent/x.conf", "plugin", "list"])
        self.assertEqual(1, rc)
        self.assertIn("Config file /nonexistent/x.conf does not exist", err)


class TestShortFormatOption(base.TestCase):
    """Every plugfair command that has ``--format`` also takes ``-f``."""

    def format_options(self, command_class, name):
        from oslo_config import cfg

        from plugfair.cli.app import PlugfairApp

        app = PlugfairApp(conf=cfg.ConfigOpts())
        parser = command_class(app, None, cmd_name=name).get_parser("plugfair " + name)
        actions = parser._option_string_actions
        return actions.get("--format"), actions.get("-f")

    def test_every_command(self):
        from oslo_config import cfg

        from plugfair.cli.builtin import PlugfairPlugin

        checked = []
        for name, command_class in sorted(PlugfairPlugin(cfg.ConfigOpts()).cli_commands().items()):
            long_, short = self.format_options(command_class, name)
            if long_ is None:
                self.assertIsNone(short, name)
                continue
            checked.append(name)
            self.assertIs(long_, short, "plugfair %s takes --format but not -f" % name)
        self.assertIn("check", checked)
        self.assertIn("config sample", checked)
        self.assertIn("plugin list", checked)

    def test_a_command_without_the_short_option_is_caught(self):
        import argparse

        from plugfair.interface.commands import Command

        class Long(Command):
            """Only --format."""

            def get_parser(self, prog_name):
                parser = super().get_parser(prog_name)
                parser.add_argument("--format", choices=["a"])
                return parser

            def take_action(self, parsed_args):
                return 0

        long_, short = self.format_options(Long, "long")
        self.assertIsInstance(long_, argparse.Action)
        self.assertIsNone(short)


def plugfair_process(*argv, **kwargs):
    """Run the ``plugfair`` console script (a fresh interpreter)."""
    import subprocess
    import sys

    exe = os.path.join(os.path.dirname(sys.executable), "plugfair")
    command = [exe] if os.path.exists(exe) else [
        sys.executable, "-P", "-c", "import sys; from plugfair.cli.main import main; sys.exit(main(sys.argv[1:]))"]
    return subprocess.run([*command, *argv], capture_output=True, text=True, timeout=300, **kwargs)


class TestLibraryLogging(base.TestCase):
    """Libraries' INFO messages stay off the console unless asked for."""

    def test_filter(self):
        import logging

        from plugfair.cli.app import _LibraryFilter

        def record(name, level):
            return logging.LogRecord(name, level, __file__, 1, "msg", (), None)

        keep = _LibraryFilter().filter
        self.assertFalse(keep(record("alembic.runtime.plugins", logging.INFO)))
        self.assertFalse(keep(record("alembic", logging.DEBUG)))
        self.assertFalse(keep(record("stevedore.extension", logging.DEBUG)))
        self.assertTrue(keep(record("alembic.runtime.migration", logging.WARNING)))
        self.assertTrue(keep(record("sqlalchemy.engine", logging.ERROR)))
        self.assertTrue(keep(record("plugfair.cli", logging.INFO)))
        self.assertTrue(keep(record("alembicish", logging.INFO)))  # a prefix is not a parent

    def test_first_quota_command_is_quiet(self):
        """A fresh embedded store is created without alembic's chatter."""
        data = os.path.join(self.home, "data")
        proc = plugfair_process("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertTrue(os.path.exists(os.path.join(data, "plugfair", "quota.sqlite")))
        self.assertEqual("", proc.stderr)
        json.loads(proc.stdout)

    def test_db_upgrade_still_reports(self):
        proc = plugfair_process("quota", "db", "upgrade")
        self.assertEqual(0, proc.returncode, proc.stderr)
        from plugfair.quota.schema import HEAD

        self.assertIn("from revision <none> to %s" % HEAD, proc.stdout)
        self.assertEqual("", proc.stderr)

    def test_debug_shows_them(self):
        proc = plugfair_process("--debug", "quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn("Running upgrade", proc.stderr)



class TestTableWidth(CliTestCase):
    """Tables fit the terminal width, also when COLUMNS gives it."""

    def setUp(self):
        super().setUp()
        self.enable("plugfair", "good", "import_error", "hang")
        self.useFixture(fixtures.EnvironmentVariable("CLIFF_MAX_TERM_WIDTH"))
        self.useFixture(fixtures.EnvironmentVariable("CLIFF_FIT_WIDTH"))

    def doctor(self, *args, columns=None):
        self.useFixture(fixtures.EnvironmentVariable("COLUMNS", columns))
        out, _ = self.cli("plugin", "doctor", *args, expect=1)
        return out

    def widest(self, out):
        return max(len(line) for line in out.splitlines())

    @staticmethod
    def cells(out):
        """The table's text, borders and line wraps removed."""
        words = []
        for line in out.splitlines():
            if line.startswith("|"):
                words.extend(" ".join(line.strip("|").split("|")).split())
        return " ".join(words)

    def test_long_reasons_wrap_to_columns(self):
        wide = self.doctor()
        self.assertGreater(self.widest(wide), 160)  # a pipe: left as it is
        out = self.doctor(columns="80")
        self.assertLessEqual(self.widest(out), 80, out)
        reason = json.loads(self.cli("plugin", "doctor", "hang", "-f", "json", expect=1)[0])[0]["Problem"]
        self.assertGreater(len(reason), 60)
        # every word is still there (prettytable wraps at spaces)
        for word in reason.split():
            self.assertIn(word, self.cells(out))

    def test_bad_columns_are_ignored(self):
        for value in ("abc", "0", "-5", ""):
            self.assertGreater(self.widest(self.doctor(columns=value)), 160, value)

    def test_explicit_widths_win(self):
        out = self.doctor("--max-width", "120", columns="80")
        self.assertLessEqual(self.widest(out), 120)
        self.assertGreater(self.widest(out), 80)
        self.useFixture(fixtures.EnvironmentVariable("CLIFF_MAX_TERM_WIDTH", "100"))
        out = self.doctor(columns="80")
        self.assertLessEqual(self.widest(out), 100)
        self.assertGreater(self.widest(out), 80)

    def test_machine_formats_are_not_wrapped(self):
        out = self.doctor("-f", "json", columns="80")
        self.assertEqual(2, len(json.loads(out)))
        self.assertGreater(self.widest(self.doctor("-f", "value", columns="80")), 80)
