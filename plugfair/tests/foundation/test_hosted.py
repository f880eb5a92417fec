"""Hosted plugins (API 1.1): a plugin contributes plugins of its own.

Each hosted plugin is probed with its own deadline and judged, selected,
reported and loaded exactly like a directly installed plugin.
"""

from __future__ import annotations

import fixtures
from oslo_config import cfg

from plugfair.api import HostedPlugin, Plugin, PluginLoadError, PluginValidationError
from plugfair.interface.testing import PluginDistribution
from plugfair.registry import manifest
from plugfair.registry import records as r
from plugfair.registry.core import Registry
from plugfair.tests import base

HOST = '''
from plugfair.api import HostedPlugin, Plugin


def _load(name):
    def load():
        import importlib
        module = importlib.import_module("guests_pkg.%s" % name)
        return module.Guest
    return load


class Host(Plugin):
    name = "host"
    api_version = "1.1"
    description = "Hosts the guests."

    def hosted_plugins(self):
        return [
            HostedPlugin(name, _load(name), distribution="guest-dist-%s" % name,
                         version="2.%d" % i, module="guests_pkg.%s" % name,
                         origin="guests: %s" % name)
            for i, name in enumerate(GUESTS)
        ]
'''

GUEST = '''
from oslo_config import cfg
from plugfair.api import Plugin


class Guest(Plugin):
    name = "{name}"
    api_version = "1.1"
    description = "Guest {name}."

    def config_options(self):
        return [("{name}", [cfg.StrOpt("colour", default="{name}-blue")])]

    def test_packages(self):
        return ["guests_pkg.{name}_tests"]
'''


class HostedTestCase(base.TestCase):
    def install(self, guests, extra_modules=None):
        modules = {
            "host_pkg.plugin": HOST.replace("GUESTS", repr(list(guests))),
            "guests_pkg.__init__": "",
        }
        for name in guests:
            modules["guests_pkg.%s" % name] = GUEST.format(name=name)
            modules["guests_pkg.%s_tests.__init__" % name] = ""
        modules.update(extra_modules or {})
        self.useFixture(PluginDistribution("host-dist", {"host": "host_pkg.plugin:Host"}, modules))

    def all_records(self, timeout=3.0):
        """The records of the distributions these tests install."""
        found = manifest.build(list(__import__("sys").path), timeout=timeout)
        ours = ("host-dist", "guest-dist", "alpha-dist", "badhost")
        return [rec for rec in found if rec.distribution.startswith(ours)]

    def records(self, timeout=3.0):
        return {rec.name: rec for rec in self.all_records(timeout)}


class TestProbe(HostedTestCase):
    def test_each_hosted_plugin_is_a_plugin_of_its_own(self):
        self.install(["alpha", "beta"])
        recs = self.records()
        self.assertEqual(["alpha", "beta"], recs["host"].hosted)
        self.assertIn("hosts", recs["host"].capabilities)
        for i, name in enumerate(["alpha", "beta"]):
            rec = recs[name]
            self.assertEqual(r.STATUS_OK, rec.status, rec.problems)
            self.assertEqual(("host", "guest-dist-%s" % name, "2.%d" % i), (rec.host, rec.distribution, rec.version))
            self.assertEqual("guests: %s" % name, rec.origin)
            self.assertEqual(["guests_pkg.%s_tests" % name], rec.test_packages)
            self.assertEqual({name: ["colour"]}, rec.config_groups)
            self.assertEqual(["config", "tests"], rec.capabilities)

    def test_a_broken_hosted_plugin_fails_alone(self):
        broken = {
            "guests_pkg.raising": "raise ImportError('needs libguest')\n",
            "guests_pkg.exiting": "import os\nos._exit(9)\n",
            "guests_pkg.hanging": "import time\ntime.sleep(60)\n",
            "guests_pkg.mismatch": GUEST.format(name="someone_else"),
            "guests_pkg.mismatch_tests.__init__": "",
        }
        self.install(["alpha", "raising", "exiting", "hanging", "mismatch", "omega"], broken)
        recs = self.records(timeout=1.5)
        for good in ("host", "alpha", "omega"):
            self.assertEqual(r.STATUS_OK, recs[good].status, "%s %s" % (good, recs[good].problems))
        expect = {
            "raising": "needs libguest",
            "exiting": "the process ended",
            "hanging": "did not finish within",
            "mismatch": "must be equal",
        }
        for name, why in expect.items():
            self.assertEqual(r.STATUS_FAILED, recs[name].status, name)
            self.assertEqual("host", recs[name].host, name)
            self.assertIn(why, recs[name].problems[0].reason, name)

    def test_bad_declarations_fail_the_host_with_a_reason(self):
        for body, why in (
            ("return 3", "return a list of plugfair.api.HostedPlugin"),
            ("return [HostedPlugin('Bad Name', lambda: None, distribution='d', version='1', "
             "module='m')]", "hosted plugin name"),
            ("return [HostedPlugin('twice', lambda: None, distribution='d', version='1', "
             "module='m')] * 2", "declared twice"),
            ("return [HostedPlugin('x', 'not callable', distribution='d', version='1', "
             "module='m')]", "load is not callable"),
            ("return [HostedPlugin('x', lambda: None, distribution='', version='1', "
             "module='m')]", "distribution must be"),
            ("return [HostedPlugin('x', lambda: None, distribution='d', version='1', "
             "module='no spaces allowed')]", "module must be a dotted module name"),
        ):
            source = (
                "from plugfair.api import HostedPlugin, Plugin\n\n"
                "class Host(Plugin):\n    name = 'badhost'\n    api_version = '1.1'\n"
                "    def hosted_plugins(self):\n        %s\n" % body
            )
            with fixtures.TempDir() as tmp:
                self.useFixture(PluginDistribution(
                    "badhost-%d" % len(why), {"badhost": "badhost_pkg%d.plugin:Host" % len(why)},
                    {"badhost_pkg%d.plugin" % len(why): source}, directory=tmp.path))
                recs = self.records()
                self.assertEqual(r.STATUS_FAILED, recs["badhost"].status, body)
                self.assertIn(why, recs["badhost"].problems[0].reason, body)

    def test_validation_of_declarations(self):
        def load() -> type[Plugin]:
            return Plugin

        ok = HostedPlugin("good_name", load, distribution="d", version="1", module="pkg.mod")
        self.assertIs(ok, ok.validate("host"))
        with self.assertRaises(PluginValidationError):
            HostedPlugin("x", load, distribution="d", version="1" * 300,
                         module="pkg").validate("host")
        with self.assertRaises(PluginValidationError):
            HostedPlugin("x", load, distribution="d", version="1", module="pkg",
                         origin=7).validate("host")  # type: ignore[arg-type]


class TestRegistry(HostedTestCase):
    def setUp(self):
        super().setUp()
        self.install(["alpha", "beta"])
        self.recs = self.all_records()

    def test_hosted_plugins_load_through_their_host(self):
        conf = cfg.ConfigOpts()
        registry = Registry(self.recs, conf=conf)
        self.assertEqual("Guest alpha.", registry.load("alpha").description)
        self.assertEqual("alpha-blue", conf.alpha.colour)
        self.assertIn("host", registry._instances)  # the host was loaded to reach it

    def test_selection_treats_them_as_plugins(self):
        # enabling a hosted plugin enables its host, not its siblings
        registry = Registry(self.recs, enabled=["beta"])
        self.assertEqual(["beta", "host"], registry.names())
        # disabling one hosted plugin leaves the rest
        registry = Registry(self.recs, disabled=["alpha"])
        self.assertEqual(["beta", "host"], registry.names())
        # disabling the host disables what it hosts, and says why
        registry = Registry(self.recs, disabled=["host"], enabled=["host", "alpha"])
        self.assertEqual([], registry.names())
        alpha = registry.get("alpha")
        self.assertEqual(r.STATUS_DISABLED, alpha.status)
        self.assertIn("'host', is disabled", alpha.problems[0].reason)
        with self.assertRaises(PluginLoadError):
            registry.load("alpha")

    def test_a_hosted_name_collides_like_any_name(self):
        twin = '''
from plugfair.api import Plugin

class Alpha(Plugin):
    name = "alpha"
    api_version = "1.0"
'''
        self.useFixture(PluginDistribution("alpha-dist", {"alpha": "alpha_native:Alpha"},
                                           {"alpha_native": twin}))
        registry = Registry(self.all_records())
        (col,) = [c for c in registry.collisions if c.kind == "plugin name"]
        self.assertEqual("alpha", col.item)
        self.assertEqual(["alpha-dist", "guest-dist-alpha"], sorted(d for _, d in col.claimants))
        self.assertNotIn("alpha", registry.names())
        self.assertIn("beta", registry.names())
        # the operator picks one by distribution, as for any name
        registry = Registry(self.all_records(), disabled=["alpha@alpha-dist"])
        self.assertIn("alpha", registry.names())
        self.assertEqual("host", registry.get("alpha").host)

    def test_a_hosted_plugin_of_a_broken_host_is_not_usable(self):
        recs = [rec.copy() for rec in self.recs]
        for rec in recs:
            if rec.name == "host":
                rec.status = r.STATUS_FAILED
                rec.problems.append(r.Problem("hook", "it broke", "fix it"))
        registry = Registry(recs)
        self.assertEqual(r.STATUS_FAILED, registry.get("alpha").status)
        self.assertIn("the plugin hosting it, 'host', is failed",
                      registry.get("alpha").problems[0].reason)

    def test_from_plugins_describes_hosted_plugins_too(self):
        import importlib

        host = importlib.import_module("host_pkg.plugin").Host
        registry = Registry.from_plugins([host])
        self.assertEqual(["alpha", "beta", "host"], registry.names())
        self.assertEqual("Guest beta.", registry.load("beta").description)


UNDECLARED = '''
from plugfair.api import Plugin


class Vague(Plugin):
    name = "vague"
    description = "Says nothing about the API it was written for."
'''


class TestUndeclaredApiVersion(base.TestCase):
    """API 1.1 warns about a plugin that declares no api_version: it gets
    the host's, which defeats version negotiation."""

    def test_warned_not_failed(self):
        self.useFixture(PluginDistribution("vague-dist", {"vague": "vague_pkg:Vague"},
                                           {"vague_pkg": UNDECLARED}))
        found = manifest.build(list(__import__("sys").path), timeout=5.0)
        (rec,) = [x for x in found if x.name == "vague"]
        self.assertEqual(r.STATUS_OK, rec.status)
        self.assertEqual([], rec.problems)
        (warning,) = rec.warnings
        self.assertIn("does not declare api_version", warning)
        registry = Registry(found)
        self.assertNotIn("vague", [x.name for x in registry.problems()])
        rc, out, err = self.run_cli(["plugin", "doctor", "vague", "-f", "value"])
        self.assertEqual(0, rc, out + err)
        self.assertIn("ok (warning)", out)
        self.assertIn("does not declare api_version", out)
        rc, out, err = self.run_cli(["plugin", "show", "vague", "-f", "json"])
        self.assertIn("does not declare api_version", out)
        rc, out, err = self.run_cli(["--strict", "plugin", "list"])
        self.assertEqual(0, rc, err)  # a warning is not a problem
