"""Discovery of every plugin's tests, with real distributions."""

from __future__ import annotations

import unittest

import testtools

from plugfair.testhost import discovery
from plugfair.testhost.contract import CHECKS, PACKAGE_CHECKS
from plugfair.testhost.namespaces import contract_prefix
from plugfair.tests.testhost.helpers import FAILING, PASSING, TesthostTestCase

UUID_A = "7f0d1c3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
UUID_B = "11111111-2222-4333-8444-555555555555"

WITH_ID = '''
from plugfair.api import TestCase, idempotent_id


class IdTest(TestCase):
    @idempotent_id("{uuid}")
    def test_with_id(self):
        pass
'''


COMMANDS = '''
    def cli_commands(self):
        from {package}.commands import Good, NoDoc, Broken
        return {{"thing list": Good, "thing nodoc": NoDoc, "thing broken": Broken}}
'''

COMMAND_MODULE = '''
from plugfair.api import Command


class Good(Command):
    """List things."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--limit", type=int, help="At most this many.")
        return parser

    def take_action(self, parsed_args):
        return 0


class NoDoc(Command):
    def take_action(self, parsed_args):
        return 0


class Broken(Command):
    """Break while building the parser."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument("--limit")
        parser.add_argument("--limit", "-l", action="store_true")  # conflicts
        raise RuntimeError("parser construction failed")

    def take_action(self, parsed_args):
        return 0
'''


def fixed_commands(*, keep_conflict: bool = False) -> str:
    """COMMAND_MODULE with help for every command and a parser that builds.

    :param keep_conflict: keep Broken's conflicting ``--limit`` option.
    """
    source = COMMAND_MODULE.replace(
        "class NoDoc(Command):", 'class NoDoc(Command):\n    """Has help now."""\n'
    ).replace('raise RuntimeError("parser construction failed")', "return parser")
    if not keep_conflict:
        source = source.replace(
            '        parser.add_argument("--limit", "-l", action="store_true")  # conflicts\n', ""
        )
    return source


class Outcome:
    """Run a suite and sort the outcomes by test id."""

    def __init__(self, suite: unittest.TestSuite) -> None:
        self.result = testtools.TestResult()
        suite.run(self.result)
        self.failed = {t.id(): text for t, text in self.result.failures + self.result.errors}
        self.skipped = {
            t.id(): reason for reason, tests in self.result.skip_reasons.items() for t in tests
        }


class DiscoveryTestCase(TesthostTestCase):
    def suite(self, enabled, **kw):
        host = self.host(enabled, **kw)
        self.loader = unittest.TestLoader()
        return discovery.build_suite(self.loader, "test*.py", host)

    def ids(self, suite):
        return [t.id() for t in discovery.iter_tests(suite)]


class DiscoveryTest(DiscoveryTestCase):
    def test_every_plugin_in_name_order_with_its_contract_tests(self):
        self.add_plugin("zulu", {"test_z": PASSING})
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("mike")  # no tests: contract tests only
        suite = self.suite(["zulu", "alpha", "mike"])
        ids = self.ids(suite)
        expected = (
            [contract_prefix("alpha") + c for c in CHECKS + PACKAGE_CHECKS]
            + [
                "alpha_pkg.tests.test_a.SimpleTest.test_one",
                "alpha_pkg.tests.test_a.SimpleTest.test_two",
            ]
            + [contract_prefix("mike") + c for c in CHECKS]
            + [contract_prefix("zulu") + c for c in CHECKS + PACKAGE_CHECKS]
            + [
                "zulu_pkg.tests.test_z.SimpleTest.test_one",
                "zulu_pkg.tests.test_z.SimpleTest.test_two",
            ]
        )
        self.assertEqual(expected, ids)
        outcome = Outcome(suite)
        self.assertEqual({}, outcome.failed)
        self.assertEqual({}, outcome.skipped)
        self.assertEqual(len(expected), outcome.result.testsRun)

    def test_disabled_plugins_contribute_nothing(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("beta", {"test_b": PASSING})
        ids = self.ids(self.suite(["beta"]))
        self.assertFalse([i for i in ids if "alpha" in i], ids)
        self.assertIn("beta_pkg.tests.test_b.SimpleTest.test_one", ids)

    def test_unimportable_test_package_yields_one_failing_test(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin(
            "broken", {"__init__": "import no_such_module_anywhere\n", "test_b": PASSING}
        )
        self.add_plugin("zulu", {"test_z": FAILING})
        suite = self.suite(["alpha", "broken", "zulu"])
        self.assertEqual([], self.loader.errors, "errors left on the loader abort stestr's listing")
        ids = self.ids(suite)
        outcome = Outcome(suite)
        broken = contract_prefix("broken") + "test_tests_import"
        zulu = "zulu_pkg.tests.test_z.SimpleTest.test_fails"
        self.assertEqual({broken, zulu}, set(outcome.failed))
        self.assertIn("no_such_module_anywhere", outcome.failed[broken])
        self.assertIn("ModuleNotFoundError", outcome.failed[broken])
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_one", ids)
        self.assertFalse([i for i in ids if i.startswith("broken_pkg")], ids)

    def test_one_broken_module_keeps_the_plugins_other_modules(self):
        self.add_plugin(
            "alpha",
            {
                "test_good": PASSING,
                "test_bad": "raise RuntimeError('boom at import')\n",
                "test_exit": "import sys\nsys.exit(3)\n",
            },
        )
        suite = self.suite(["alpha"])
        self.assertEqual([], self.loader.errors)
        ids = self.ids(suite)
        outcome = Outcome(suite)
        check = contract_prefix("alpha") + "test_tests_import"
        self.assertEqual([check], list(outcome.failed))
        self.assertIn("boom at import", outcome.failed[check])
        self.assertIn("SystemExit", outcome.failed[check])
        self.assertIn("2 part(s)", outcome.failed[check])
        self.assertIn("alpha_pkg.tests.test_good.SimpleTest.test_one", ids)

    def test_failing_package_load_tests_is_reported(self):
        self.add_plugin(
            "alpha",
            {
                "__init__": "def load_tests(loader, tests, pattern):\n    raise ValueError('bad hook')\n",
                "test_a": PASSING,
            },
        )
        outcome = Outcome(self.suite(["alpha"]))
        self.assertEqual([contract_prefix("alpha") + "test_tests_import"], list(outcome.failed))
        self.assertIn("bad hook", list(outcome.failed.values())[0])

    def test_package_load_tests_protocol_is_honoured(self):
        self.add_plugin(
            "alpha",
            {
                "__init__": (
                    "import unittest\n"
                    "from alpha_pkg.tests import test_a\n"
                    "def load_tests(loader, tests, pattern):\n"
                    "    return loader.loadTestsFromName('alpha_pkg.tests.test_a.SimpleTest.test_two')\n"
                ),
                "test_a": PASSING,
            },
        )
        ids = self.ids(self.suite(["alpha"]))
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_two", ids)
        self.assertNotIn("alpha_pkg.tests.test_a.SimpleTest.test_one", ids)

    def test_nested_test_packages_are_not_run_twice(self):
        self.add_plugin("alpha", {"test_a": PASSING, "inner.test_i": PASSING})
        self.add_plugin(
            "inner", package="alpha_pkg", module="inner_plugin", test_package="alpha_pkg.tests.inner"
        )
        ids = self.ids(self.suite(["alpha", "inner"]))
        self.assertEqual(len(ids), len(set(ids)), ids)
        inner_test = "alpha_pkg.tests.inner.test_i.SimpleTest.test_one"
        self.assertIn(inner_test, ids)
        # it sits with its owner, after the owner's contract tests
        self.assertGreater(ids.index(inner_test), ids.index(contract_prefix("inner") + "test_loads"))

    def test_duplicated_idempotent_ids_fail_both_plugins(self):
        self.add_plugin("alpha", {"test_a": WITH_ID.format(uuid=UUID_A)})
        self.add_plugin("beta", {"test_b": WITH_ID.format(uuid=UUID_A)})
        self.add_plugin("gamma", {"test_c": WITH_ID.format(uuid=UUID_B)})
        suite = self.suite(["alpha", "beta", "gamma"])
        self.assertIn(
            "alpha_pkg.tests.test_a.IdTest.test_with_id[id-%s]" % UUID_A, self.ids(suite)
        )
        outcome = Outcome(suite)
        self.assertEqual(
            {contract_prefix(p) + "test_idempotent_ids_unique" for p in ("alpha", "beta")},
            set(outcome.failed),
        )
        text = outcome.failed[contract_prefix("alpha") + "test_idempotent_ids_unique"]
        self.assertIn(UUID_A, text)
        self.assertIn("plugin beta", text)

    def test_plugin_that_does_not_load_fails_test_loads_only(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("broken", body="\n    def config_options(self):\n        raise RuntimeError('hook exploded')\n")
        outcome = Outcome(self.suite(["alpha", "broken"]))
        self.assertEqual([contract_prefix("broken") + "test_loads"], list(outcome.failed))
        self.assertIn("hook exploded", outcome.failed[contract_prefix("broken") + "test_loads"])
        skipped = {i for i in outcome.skipped if i.startswith(contract_prefix("broken"))}
        self.assertEqual(
            {contract_prefix("broken") + c for c in CHECKS[1:5]}, skipped
        )

    def test_colliding_test_packages_are_withheld_and_reported(self):
        self.add_plugin("alpha", {"test_a": PASSING}, package="shared_pkg")
        self.add_plugin("beta", package="shared_pkg", module="beta_plugin", test_package="shared_pkg.tests")
        suite = self.suite(["alpha", "beta"])
        ids = self.ids(suite)
        self.assertFalse([i for i in ids if i.startswith("shared_pkg.")], ids)
        outcome = Outcome(suite)
        self.assertEqual(
            {contract_prefix(p) + "test_no_collisions" for p in ("alpha", "beta")},
            set(outcome.failed),
        )
        self.assertIn("test package", outcome.failed[contract_prefix("alpha") + "test_no_collisions"])

    def test_commands_must_build_their_parser_and_help(self):
        self.add_plugin(
            "alpha",
            body=COMMANDS.format(package="alpha_pkg"),
            modules={"alpha_pkg.commands": COMMAND_MODULE},
        )
        self.add_plugin("beta", body=COMMANDS.format(package="beta_pkg").replace("thing ", "widget "),
                        modules={"beta_pkg.commands": fixed_commands()})
        outcome = Outcome(self.suite(["alpha", "beta"]))
        check = contract_prefix("alpha") + "test_commands_build_parser_and_help"
        self.assertEqual([check], list(outcome.failed))
        text = outcome.failed[check]
        self.assertIn("command 'thing nodoc' has no help", text)
        self.assertIn("command 'thing broken': building its parser or --help failed: "
                      "RuntimeError: parser construction failed", text)
        self.assertIn("command 'thing broken': its parser drops an option: Ignoring option "
                      "string --limit", text)
        self.assertNotIn("'thing list'", text.split("Traceback")[-1])

    def test_a_conflicting_option_fails_the_contract_quietly(self):
        """cliff drops a conflicting option string with a UserWarning: the
        contract test reports it, and the warning stays out of the output,
        also when warnings are turned into errors."""
        import warnings

        self.add_plugin("gamma", body=COMMANDS.format(package="gamma_pkg"),
                        modules={"gamma_pkg.commands": fixed_commands(keep_conflict=True)})
        with warnings.catch_warnings(record=True) as leaked:
            warnings.simplefilter("error")
            outcome = Outcome(self.suite(["gamma"]))
        self.assertEqual([], leaked)
        check = contract_prefix("gamma") + "test_commands_build_parser_and_help"
        self.assertEqual([check], list(outcome.failed))
        self.assertIn("command 'thing broken': its parser drops an option: Ignoring option string "
                      "--limit for new action because it conflicts", outcome.failed[check])
        self.assertNotIn("building its parser or --help failed", outcome.failed[check])

TEMPEST_STYLE_ID = '''
import testtools
from testtools.testcase import WithAttributes, attr


class TempestStyle(WithAttributes, testtools.TestCase):
    # Tempest's decorator: a testtools attribute only, no plugfair marker
    @attr("id-{uuid}")
    def test_marked(self):
        pass
'''

EXITS_AT_IMPORT = '''
import os
os._exit(3)
'''


class Api11DiscoveryTest(DiscoveryTestCase):
    def test_idempotent_ids_in_tempest_form_are_recognised(self):
        self.add_plugin("alpha", {"test_a": TEMPEST_STYLE_ID.format(uuid=UUID_A)})
        self.add_plugin("beta", {"test_b": WITH_ID.format(uuid=UUID_A)})
        outcome = Outcome(self.suite(["alpha", "beta"]))
        self.assertEqual(
            {contract_prefix(p) + "test_idempotent_ids_unique" for p in ("alpha", "beta")},
            set(outcome.failed),
        )
        self.assertIn("TempestStyle.test_marked", outcome.failed[
            contract_prefix("beta") + "test_idempotent_ids_unique"])

    def test_a_test_module_that_exits_at_import_fails_alone(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("exits", {"test_bye": EXITS_AT_IMPORT, "test_ok": PASSING})
        suite = self.suite(["alpha", "exits"])
        ids = self.ids(suite)
        self.assertIn("alpha_pkg.tests.test_a.SimpleTest.test_one", ids)
        self.assertIn("exits_pkg.tests.test_ok.SimpleTest.test_one", ids)
        outcome = Outcome(suite)
        failed = contract_prefix("exits") + "test_tests_import"
        self.assertEqual([failed], list(outcome.failed))
        self.assertIn("os._exit(3)", outcome.failed[failed])

    def test_several_test_packages(self):
        body = '''
    def test_packages(self):
        return ["multi_pkg.unit", "multi_pkg.functional"]
'''
        modules = {
            "multi_pkg.unit.test_u": PASSING,
            "multi_pkg.functional.test_f": PASSING,
            "multi_pkg.other.test_not_mine": PASSING,
        }
        self.add_plugin("multi", body=body, modules=modules)
        ids = self.ids(self.suite(["multi"]))
        self.assertIn("multi_pkg.unit.test_u.SimpleTest.test_one", ids)
        self.assertIn("multi_pkg.functional.test_f.SimpleTest.test_two", ids)
        self.assertFalse([i for i in ids if ".other." in i])

    def test_tests_of_an_unprepared_plugin_fail_with_the_reason(self):
        self.add_plugin("alpha", {"test_a": PASSING})
        self.add_plugin("beta", {"test_b": PASSING})
        host = self.host(["alpha", "beta"])
        host.plan.failed_preparations["beta"] = "the cloud is not reachable"
        suite = discovery.build_suite(unittest.TestLoader(), "test*.py", host)
        outcome = Outcome(suite)
        self.assertEqual(
            ["beta_pkg.tests.test_b.SimpleTest.test_one", "beta_pkg.tests.test_b.SimpleTest.test_two"],
            sorted(outcome.failed),
        )
        self.assertIn("the cloud is not reachable", outcome.failed["beta_pkg.tests.test_b.SimpleTest.test_one"])
        self.assertNotIn(contract_prefix("beta") + "test_loads", outcome.failed)
