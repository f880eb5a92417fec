"""The core audit: the core names no plugin; in-tree plugins pass as any other."""

from __future__ import annotations

from plugfair.api import PluginDistribution
from plugfair.conformance import analyzer, audit, installed, profiles
from plugfair.conformance.check import CheckRequest, run_check, static_check_many
from plugfair.tests import base

SPEC = audit.AuditSpec(
    core_package="fakecore",
    in_tree_packages=("fakeplugins",),
    also_forbidden=("fakeplugins", "examples"),
    names_exempt=("fakecore/tests",),
)

PLUGIN = """
from plugfair.api import Plugin


class {cls}(Plugin):
    name = "{name}"
"""


class TestCoreAudit(base.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(
            PluginDistribution(
                "fakeplugins-dist",
                {"alpha": "fakeplugins.alpha.plugin:A", "beta": "fakeplugins.beta.plugin:B"},
                {
                    "fakeplugins": "",
                    "fakeplugins.alpha.plugin": PLUGIN.format(cls="A", name="alpha"),
                    "fakeplugins.beta.plugin": PLUGIN.format(cls="B", name="beta")
                    + "\nfrom fakeplugins.alpha import plugin as alpha_plugin\n",
                },
            )
        )
        self.useFixture(
            PluginDistribution(
                "fakecore",
                {},
                {
                    "fakecore.good": "import os\nWORD = 'alphabet'\nDOC = 'the alpha plugin is not special'\n",
                    "fakecore.bad_import": "from fakeplugins.alpha import plugin\n",
                    "fakecore.dyn": "import importlib\nimportlib.import_module('fakeplugins.beta.plugin')\n",
                    "fakecore.names": "SERVICES = ['alpha']\nfakeplugins = None\nTARGET = 'fakeplugins.beta.plugin:B'\n",
                    "fakecore.tests.test_x": "NAME = 'alpha'\nimport fakeplugins.alpha\n",
                },
            )
        )

    def audit_core(self):
        forbidden = audit.forbidden_names(SPEC)
        return audit.scan_core(SPEC, audit.core_target(SPEC), forbidden)

    def test_core_imports_and_names(self):
        found = [(v.code, v.relpath, v.name) for v in self.audit_core()]
        expected = [
            ("PF201", "fakecore/bad_import.py", "fakeplugins.alpha"),
            ("PF201", "fakecore/dyn.py", "fakeplugins.beta.plugin"),
            ("PF202", "fakecore/names.py", "alpha"),
            ("PF202", "fakecore/names.py", "fakeplugins"),
            ("PF202", "fakecore/names.py", "fakeplugins.beta.plugin:B"),
            ("PF201", "fakecore/tests/test_x.py", "fakeplugins.alpha"),
        ]
        # (Names of plugfair's real in-tree plugins could also match; the
        # fake core mentions none of them.)
        self.assertEqual(sorted(expected), sorted(found))
        self.assertNotIn("fakecore/good.py", [f[1] for f in found])

    def test_in_tree_plugins_get_the_same_checks(self):
        found_targets, notes = audit.in_tree_targets(SPEC)
        self.assertEqual(["alpha", "beta", "fakeplugins (shared files)"], [t.label for t in found_targets])
        self.assertEqual([], notes)
        prof = profiles.load("plugfair")
        others = {root: name for root, (name, _d) in installed.plugin_roots("plugfair.plugins").items()}
        violations = static_check_many(
            [(t, analyzer.Context(prof, own=t.own, others=others)) for t in found_targets], jobs=1
        )
        self.assertEqual(
            [("PF004", "fakeplugins/beta/plugin.py", "fakeplugins.alpha.plugin")],
            [(v.code, v.relpath, v.name) for v in violations],
        )

    def test_empty_or_missing_in_tree_package(self):
        self.useFixture(PluginDistribution("emptyplugins", {}, {"emptyplugins": ""}))
        spec = audit.AuditSpec("fakecore", ("emptyplugins", "absentplugins"), (), ())
        found_targets, notes = audit.in_tree_targets(spec)
        self.assertEqual(["emptyplugins (shared files)"], [t.label for t in found_targets])
        self.assertEqual(2, len(notes))
        self.assertIn("emptyplugins provides no plugin", notes[0])
        self.assertIn("absentplugins is not installed", notes[1])

    def test_shipped_spec(self):
        spec = audit.load_spec()
        self.assertEqual("plugfair", spec.core_package)
        self.assertIn("examples", spec.also_forbidden)


class TestPlugfairItself(base.TestCase):
    def test_core_audit_passes(self):
        """plugfair's own CI gate: the real core and in-tree plugins are clean."""
        result = run_check(CheckRequest(core=True, hook_timeout=10.0))
        self.assertEqual([], ["%s:%d: %s %s" % (v.path, v.line, v.code, v.message) for v in result.violations])
        self.assertEqual(0, result.exit_code)
        self.assertEqual("core", result.targets[0].kind)
        self.assertGreater(len(result.targets[0].files), 20)

    def test_core_needs_the_plugfair_profile(self):
        rc, out, err = self.run_cli(["check", "--core", "--profile", "tempest"])
        self.assertEqual(2, rc)
        self.assertIn("--core audits plugfair with the plugfair profile", err)
