"""Dynamic checks (PF101-PF110): plugins loaded in a child process."""

from __future__ import annotations

import os
import sys
import types
from typing import Any

import fixtures

from plugfair.api import PluginDistribution
from plugfair.conformance.check import CheckRequest, run_check
from plugfair.registry import manifest
from plugfair.tests import base
from plugfair.tests.conformance.util import build_wheel, write_tree

GOOD = """
from oslo_config import cfg

from plugfair.api import Command, Plugin, QuotaResource


class Hello(Command):
    '''Say hello.'''

    def take_action(self, parsed_args):
        return 0


class GoodPlugin(Plugin):
    name = "dyngood"
    api_version = "1.0"
    description = "A well-behaved plugin."

    def config_options(self):
        return [("dyngood", [cfg.StrOpt("greeting", default="hi")])]

    def service_clients(self):
        return {"dyngood": lambda conf: object()}

    def cli_commands(self):
        return {"dyngood hello": Hello}

    def test_package(self):
        return "dyngood.tests"

    def quota_resources(self):
        return [QuotaResource("widgets", 10)]

    def quota_usage(self, project_id, names):
        # Reads its own option: the host registers options before this.
        return {"widgets": len(self.conf.dyngood.greeting)}
"""
GOOD_TESTS = """
import unittest


class TestIt(unittest.TestCase):
    def test_one(self):
        pass

    def test_two(self):
        pass
"""
GOOD_MODULES = {
    "dyngood.plugin": GOOD,
    "dyngood.tests": "",
    "dyngood.tests.test_it": GOOD_TESTS,
}

BAD = """
from oslo_config import cfg

from plugfair.api import Command, Plugin


class Cmd(Command):
    '''A command.'''

    def take_action(self, parsed_args):
        return 0


class Mismatch(Plugin):
    name = "other"
    api_version = "1.0"


class NotAPlugin:
    name = "notplugin"


class Future(Plugin):
    name = "future"
    api_version = "1.99"


class BadHook(Plugin):
    name = "badhook"
    api_version = "1.0"

    def cli_commands(self):
        return ["not", "a", "mapping"]


class Foreign(Plugin):
    name = "foreign"
    api_version = "1.0"

    def config_options(self):
        return [("plugfair", [cfg.StrOpt("hijack")])]


class Noun(Plugin):
    name = "noun"
    api_version = "1.0"

    def cli_commands(self):
        return {"plugin frobnicate": Cmd}


class Clash(Plugin):
    name = "clash"
    api_version = "1.0"
    config_groups = ("quota",)

    def cli_commands(self):
        return {"check": Cmd}
"""
ZONE = """
from plugfair.api import Plugin


class ZonePlugin(Plugin):
    name = "zonemgr"
    api_version = "1.0"

    def service_clients(self):
        return {"dns": lambda conf: None}

    def test_package(self):
        return "dynbad.ztests"
"""
BADTESTS = """
from plugfair.api import Plugin


class P(Plugin):
    name = "badtests"
    api_version = "1.0"

    def test_package(self):
        return "dynbad.bt.tests"
"""
PATCHER = """
import plugfair.registry.validate as validate
from plugfair.api import Plugin

validate.HOOK_ORDER = list(validate.HOOK_ORDER)


class P(Plugin):
    name = "patcher"
    api_version = "1.0"
"""
BAD_PLUGINS = {
    "mismatch": "dynbad.p:Mismatch",
    "notplugin": "dynbad.p:NotAPlugin",
    "missingattr": "dynbad.p:Nope",
    "future": "dynbad.p:Future",
    "brokenimport": "dynbad.broken:P",
    "badhook": "dynbad.p:BadHook",
    "foreign": "dynbad.p:Foreign",
    "zonemgr": "dynbad.zone:ZonePlugin",
    "noun": "dynbad.p:Noun",
    "clash": "dynbad.p:Clash",
    "badtests": "dynbad.bt:P",
    "patcher": "dynbad.patcher:P",
    "vague": "dynbad.vague:Vague",
}
BAD_MODULES = {
    "dynbad.vague": "from plugfair.api import Plugin\n\n\nclass Vague(Plugin):\n    name = 'vague'\n",
    "dynbad.p": BAD,
    "dynbad.broken": "import no_such_module_anywhere\n",
    "dynbad.zone": ZONE,
    "dynbad.ztests": "",
    "dynbad.bt": BADTESTS,
    "dynbad.bt.tests": "",
    "dynbad.bt.tests.test_broken": "import no_such_test_dependency\n",
    "dynbad.patcher": PATCHER,
}


class _Installed(base.TestCase):
    """Installs distributions once per class and probes them once."""

    DISTRIBUTIONS: list[tuple[str, dict[str, str], dict[str, str]]] = []
    _fixtures: list[PluginDistribution]
    registry: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._fixtures = []
        for name, plugins, modules in cls.DISTRIBUTIONS:
            fixture = PluginDistribution(name, plugins, modules)
            fixture.setUp()
            cls._fixtures.append(fixture)
        records = manifest.build(list(sys.path), timeout=3.0)
        cls.registry = types.SimpleNamespace(records=lambda: records)

    @classmethod
    def tearDownClass(cls):
        for fixture in reversed(cls._fixtures):
            fixture.cleanUp()
        super().tearDownClass()

    def check(self, *targets, **kwargs):
        kwargs.setdefault("hook_timeout", 3.0)
        return run_check(CheckRequest(targets=targets, **kwargs), registry=self.registry)


class TestGoodPlugin(_Installed):
    DISTRIBUTIONS = [("dyngood-plugin", {"dyngood": "dyngood.plugin:GoodPlugin"}, GOOD_MODULES)]

    def test_clean_with_tests_listed(self):
        result = self.check("dyngood")
        self.assertEqual([], [(v.code, v.message) for v in result.violations])
        (summary,) = result.targets
        self.assertEqual(["dyngood"], summary.plugins)
        self.assertEqual({"dyngood": 2}, summary.tests)
        self.assertIn(("dyngood", "test listing"), summary.checks)
        self.assertEqual(0, result.exit_code)

    def test_static_only_loads_nothing(self):
        result = self.check("dyngood", dynamic=False)
        self.assertEqual([], result.targets[0].plugins)

    def test_source_directory_and_wheel_are_loaded_from_themselves(self):
        # A copy of the plugin that is not installed: the entry point comes
        # from setup.cfg (or the wheel's metadata) and the code from the
        # target, not from the installed copy, which is left out of the
        # collision checks as the same project.
        tmp = self.useFixture(fixtures.TempDir()).path
        files = {
            "dyngood/__init__.py": "",
            "dyngood/plugin.py": GOOD.replace("A well-behaved plugin.", "From the tree."),
            "dyngood/tests/__init__.py": "",
            "dyngood/tests/test_it.py": GOOD_TESTS,
        }
        tree = write_tree(
            os.path.join(tmp, "tree"),
            dict(files, **{"setup.cfg": "[metadata]\nname = dyngood-plugin\n[options.entry_points]\n"
                           "plugfair.plugins =\n    dyngood = dyngood.plugin:GoodPlugin\n"}),
        )
        wheel = build_wheel(tmp, "dyngood-plugin", "2.0", files, "[plugfair.plugins]\ndyngood = dyngood.plugin:GoodPlugin\n")
        result = self.check(tree, wheel)
        self.assertEqual([], [(v.code, v.message) for v in result.violations])
        self.assertEqual([{"dyngood": 2}, {"dyngood": 2}], [t.tests for t in result.targets])

    def test_directory_without_entry_point(self):
        tree = write_tree(self.useFixture(fixtures.TempDir()).path, {"loose/__init__.py": ""})
        result = self.check(tree, dynamic=True)
        self.assertEqual(["PF101"], [v.code for v in result.violations])
        self.assertIn("plugfair.plugins", result.violations[0].message)

    def test_cli(self):
        rc, out, err = self.run_cli(["check", "dyngood", "--hook-timeout", "3"])
        self.assertEqual(0, rc, err)
        self.assertIn("0 violation(s)", out)
        self.assertIn("1 plugin(s) loaded", out)


class TestBadPlugins(_Installed):
    result: Any
    DISTRIBUTIONS = [("dynbad-plugins", BAD_PLUGINS, BAD_MODULES)]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.result = run_check(
            CheckRequest(targets=["dynbad-plugins"], hook_timeout=3.0, select=["PF1"]), registry=cls.registry
        )

    def findings(self, plugin):
        return [(v.code, v.message) for v in self.result.violations if v.name == plugin]

    def assertFinds(self, plugin, code, text):
        found = self.findings(plugin)
        self.assertIn(code, [c for c, _ in found], found)
        self.assertTrue(any(text in m for c, m in found if c == code), found)

    def test_every_plugin_was_loaded(self):
        (summary,) = self.result.targets
        self.assertEqual(sorted(BAD_PLUGINS), sorted(summary.plugins))
        self.assertEqual(1, self.result.exit_code)

    def test_entry_point(self):
        self.assertFinds("notplugin", "PF101", "not a subclass of plugfair.api.Plugin")
        self.assertFinds("missingattr", "PF101", "'Nope'")

    def test_name(self):
        self.assertFinds("mismatch", "PF102", "'other'")

    def test_api_version(self):
        self.assertFinds("future", "PF103", "1.99")

    def test_load_failure(self):
        self.assertFinds("brokenimport", "PF104", "no_such_module_anywhere")

    def test_hook_result(self):
        self.assertFinds("badhook", "PF105", "cli_commands()")

    def test_foreign_config_group(self):
        self.assertFinds("foreign", "PF106", "[plugfair]")

    def test_not_namespaced(self):
        self.assertFinds("zonemgr", "PF107", "Service 'dns'")
        self.assertFinds("zonemgr", "PF107", "dynbad.ztests")
        self.assertFinds("noun", "PF107", "command group 'plugin'")

    def test_collisions_with_other_installed_plugins(self):
        self.assertFinds("clash", "PF108", "The command 'check'")
        self.assertFinds("clash", "PF108", "[quota]")

    def test_test_listing(self):
        self.assertFinds("badtests", "PF109", "no_such_test_dependency")

    def test_host_patched_at_load(self):
        self.assertFinds("patcher", "PF110", "HOOK_ORDER")

    def test_undeclared_api_version(self):
        self.assertFinds("vague", "PF114", "declares no api_version")
        self.assertEqual(["vague"], [v.name for v in self.result.violations if v.code == "PF114"])

    def test_violations_point_at_the_plugin_class(self):
        (v,) = [v for v in self.result.violations if v.name == "future"]
        self.assertTrue(v.path.endswith(os.path.join("dynbad", "p.py")), v.path)
        self.assertEqual(BAD.splitlines().index("class Future(Plugin):") + 1, v.line)


class TestIsolation(_Installed):
    DISTRIBUTIONS = [
        (
            "dyncrash-plugins",
            {"crasher": "dyncrash.c:P", "hanger": "dyncrash.h:P", "after": "dyncrash.ok:P"},
            {
                "dyncrash.c": "import os\nos._exit(7)\n",
                "dyncrash.h": "import time\ntime.sleep(120)\n",
                "dyncrash.ok": "from plugfair.api import Plugin\n\n\nclass P(Plugin):\n    name = 'after'\n"
                "    api_version = '1.0'\n",
            },
        )
    ]

    def test_a_crash_or_hang_is_a_finding_not_a_crash(self):
        result = self.check("dyncrash-plugins", timeout=3.0, select=["PF1"])
        by_plugin = {v.name: v for v in result.violations}
        self.assertEqual({"crasher", "hanger"}, set(by_plugin))
        self.assertIn("status 7", by_plugin["crasher"].message)
        self.assertIn("did not finish within 3 s", by_plugin["hanger"].message)
        self.assertEqual(["after", "crasher", "hanger"], sorted(result.targets[0].plugins))
