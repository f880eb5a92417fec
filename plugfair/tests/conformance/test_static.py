"""Each static rule (PF000-PF006): what it finds, and what it leaves alone."""

from __future__ import annotations

from plugfair.conformance import profiles
from plugfair.tests import base
from plugfair.tests.conformance.util import check, codes


class TestUnparsable(base.TestCase):
    def test_syntax_error_is_reported_with_its_line(self):
        found = check("import plugfair.api\n\ndef broken(:\n    pass\n")
        self.assertEqual([("PF000", 3)], codes(found))

    def test_valid_file_is_not(self):
        self.assertEqual([], check("import plugfair.api\n"))

    def test_null_bytes_are_reported(self):
        found = check("import plugfair.api\x00\n")
        self.assertEqual(["PF000"], [v.code for v in found])


class TestUnstableImport(base.TestCase):
    def test_internal_module_with_alternative(self):
        (v,) = check("from plugfair.registry import core\n")
        self.assertEqual(("PF001", 1, "plugfair.registry.core"), (v.code, v.line, v.name))
        self.assertIn("plugfair.api.Registry", v.alternative)
        self.assertIn("myplugin/mod.py", v.path)

    def test_every_import_form(self):
        found = check(
            """
            import plugfair.registry.core
            import plugfair.config as cfgmod
            from plugfair import registry
            from plugfair.interface.plugin import Plugin
            import importlib
            importlib.import_module("plugfair.cli.app")
            __import__("plugfair.quota")
            from importlib import import_module as im
            im("plugfair." + "scaffold")
            im(".registry", "plugfair")
            import pkgutil
            pkgutil.resolve_name("plugfair.registry.core:Registry")
            """
        )
        self.assertEqual(
            [
                ("PF001", "plugfair.registry.core"),
                ("PF001", "plugfair.config"),
                ("PF001", "plugfair.registry"),
                ("PF001", "plugfair.interface.plugin.Plugin"),
                ("PF001", "plugfair.cli.app"),
                ("PF001", "plugfair.quota"),
                ("PF001", "plugfair.scaffold"),
                ("PF001", "plugfair.registry"),
                ("PF001", "plugfair.registry.core.Registry"),
            ],
            [(v.code, v.name) for v in found],
        )
        # The suggestion for a re-exported name is its public spelling.
        self.assertIn("plugfair.api", found[3].alternative)

    def test_relative_import_that_reaches_the_host(self):
        # A file placed inside the host's package tree: "..registry" is
        # plugfair.registry, however it is spelled.
        found = check("from .. import registry\nfrom ..api import Plugin\n", module="plugfair.contrib.mod")
        self.assertEqual([("PF001", "plugfair.registry")], [(v.code, v.name) for v in found])

    def test_dunder_import_with_level(self):
        found = check("__import__('registry', globals(), locals(), [], 2)\n", module="plugfair.contrib.mod")
        self.assertEqual(["plugfair.registry"], [v.name for v in found])

    def test_dunder_import_fromlist(self):
        found = check("__import__('plugfair.registry', fromlist=['core'])\n")
        self.assertEqual(["plugfair.registry", "plugfair.registry.core"], [v.name for v in found])

    def test_use_through_the_top_package(self):
        found = check("import plugfair.api\nplugfair.registry.core.Registry\nplugfair.registry.core.Registry\n")
        self.assertEqual([("PF001", 2, "plugfair.registry")], [(v.code, v.line, v.name) for v in found])

    def test_sys_modules_lookup(self):
        found = check("import sys\nsys.modules['plugfair.registry.core']\n")
        self.assertEqual([("PF001", "plugfair.registry.core")], [(v.code, v.name) for v in found])

    def test_name_not_exported_by_the_stable_module(self):
        found = check("from plugfair.api import importlib\nimport plugfair.api as api\napi.TYPE_CHECKING\n")
        self.assertEqual(
            [("PF001", "plugfair.api.importlib"), ("PF001", "plugfair.api.TYPE_CHECKING")],
            [(v.code, v.name) for v in found],
        )

    def test_host_version_gets_its_alternative(self):
        (v,) = check("from plugfair import __version__\n")
        self.assertEqual("plugfair.__version__", v.name)
        self.assertIn("API_VERSION", v.alternative)

    def test_stable_interface_is_clean(self):
        found = check(
            """
            import plugfair
            import plugfair.api
            import plugfair.api as api
            from plugfair import api as api2
            from plugfair.api import Plugin, QuotaResource, PluginDistribution
            from plugfair.api import *
            api.Plugin, api2.Command, plugfair.api.ServiceClients, api.__name__
            import importlib
            importlib.import_module("plugfair.api")
            """
        )
        self.assertEqual([], found)

    def test_deprecated_names_are_deprecations_not_private(self):
        found = check("from plugfair.api import Registry, Enforcer\n")
        self.assertEqual(["PF005", "PF005"], [v.code for v in found])
        self.assertIn("ServiceClients", found[0].alternative)
        self.assertIn("2.0", found[0].message)

    def test_tempest_profile(self):
        found = check(
            """
            from tempest import config, clients, test
            from tempest.lib import decorators
            from tempest.lib.common.utils import data_utils
            from tempest.common import compute, credentials_factory, identity, image, object_storage
            from tempest.scenario import manager
            from tempest.test_discover import plugins
            from tempest.common import waiters
            from tempest.scenario import test_minimum_basic
            from tempest.api.compute import base
            from tempest import exceptions
            from tempest.common.utils.linux import remote_client
            """,
            profile="tempest",
        )
        self.assertEqual(
            [
                ("PF001", 8, "tempest.common.waiters"),
                ("PF001", 9, "tempest.scenario.test_minimum_basic"),
                ("PF001", 10, "tempest.api.compute.base"),
                ("PF001", 11, "tempest.exceptions"),
                ("PF001", 12, "tempest.common.utils.linux.remote_client"),
            ],
            [(v.code, v.line, v.name) for v in found],
        )
        self.assertEqual("tempest.lib.common.utils.linux.remote_client", found[-1].alternative)

    def test_star_import_from_a_parent_package(self):
        found = check("from tempest.common import *\n", profile="tempest")
        self.assertEqual([("PF001", "tempest.common")], [(v.code, v.name) for v in found])

    def test_unrelated_file_is_skipped_quickly(self):
        self.assertEqual([], check("import os\nos.path.join('a', 'b')\n"))


class TestPrivateName(base.TestCase):
    def test_private_names(self):
        found = check(
            """
            from plugfair.api import _LAZY
            import plugfair.api as api
            api._LAZY
            getattr(api, '_LAZY')
            api.Plugin._secret
            """
        )
        self.assertEqual(
            [("PF002", 2), ("PF002", 4), ("PF002", 6)],
            codes(found),
        )
        self.assertEqual("plugfair.api.Plugin._secret", found[-1].name)

    def test_private_module_under_a_stable_tree(self):
        found = check("from tempest.lib.common import _internal\n", profile="tempest")
        self.assertEqual(["PF002"], [v.code for v in found])

    def test_dunders_and_public_names_are_fine(self):
        self.assertEqual(
            [], check("import plugfair.api as api\napi.__name__, api.__doc__, api.Plugin.__init__\n")
        )


class TestMonkeypatch(base.TestCase):
    def test_assignments_deletions_and_setattr(self):
        found = check(
            """
            import sys
            import plugfair.api as api
            from tempest import config
            api.Plugin = object
            api.Plugin.name += "x"
            del api.API_VERSION
            setattr(api, "UNLIMITED", 0)
            sys.modules["plugfair.api"] = None
            a, api.MAX_LIMIT = 1, 2
            """
        )
        self.assertEqual(
            [("PF003", 5), ("PF003", 6), ("PF003", 7), ("PF003", 8), ("PF003", 9), ("PF003", 10)],
            codes(found),
        )
        self.assertEqual("plugfair.api.Plugin", found[0].name)

    def test_alias_of_a_host_object(self):
        found = check("from tempest import config\nCONF = config.CONF\nCONF.compute = None\n", profile="tempest")
        self.assertEqual([("PF003", "tempest.config.CONF.compute")], [(v.code, v.name) for v in found])

    def test_shadowed_names_are_not_the_host(self):
        found = check(
            """
            import plugfair.api as api
            def f(api):
                api.x = 1
            class C:
                def g(self):
                    self.x = 1
            plugin = api.Plugin(None)
            plugin.conf = None
            for api in []:
                api.y = 1
            """
        )
        self.assertEqual([], found)


class TestCrossPlugin(base.TestCase):
    OTHERS = {"otherplugin": "other (distribution other-plugin)", "pp.identity": "identity (distribution pp)"}

    def test_imports_of_another_plugin(self):
        found = check(
            """
            import otherplugin.client
            from otherplugin import client
            from pp.identity import token
            import importlib
            importlib.import_module("pp.identity.token")
            """,
            own=("pp.compute",),
            others=self.OTHERS,
            module="pp.compute.mod",
        )
        self.assertEqual(["PF004"] * 4, [v.code for v in found])
        self.assertIn("identity", found[2].message)
        self.assertIn("service_client", found[0].alternative)

    def test_own_modules_and_shared_parents_are_fine(self):
        found = check(
            "from pp.compute import client\nimport pp\nfrom . import helpers\n",
            own=("pp.compute",),
            others=self.OTHERS,
            module="pp.compute.mod",
        )
        self.assertEqual([], found)

    def test_tempest_plugins_by_pattern(self):
        found = check(
            "from neutron_tempest_plugin import config\nimport my_tempest_plugin\n",
            profile="tempest",
            own=("my_tempest_plugin",),
        )
        self.assertEqual([("PF004", "neutron_tempest_plugin.config")], [(v.code, v.name) for v in found])


class TestDeprecated(base.TestCase):
    def profile(self):
        return profiles.parse(
            {
                "name": "host",
                "host": {"packages": ["host"]},
                "stable": ["host.api"],
                "deprecated": [
                    {"name": "host.api.old", "since": "1.2", "removed_in": "2.0", "alternative": "host.api.new"},
                    {"name": "host.api.Client", "kwarg": "legacy", "since": "1.1", "removed_in": "3.0"},
                ],
            },
            source="test",
        )

    def test_uses_with_removal_version(self):
        found = check(
            """
            from host.api import old
            import host.api as api
            api.old()
            api.Client(legacy=True)
            """,
            prof=self.profile(),
        )
        self.assertEqual([("PF005", 2), ("PF005", 4), ("PF005", 5)], codes(found))
        self.assertEqual({"2.0", "3.0"}, {v.removed_in for v in found})
        self.assertEqual("host.api.new", found[0].alternative)
        self.assertIn("removed in 2.0", found[0].message)

    def test_current_api_is_fine(self):
        found = check("import host.api as api\napi.new()\napi.Client(modern=True)\n", prof=self.profile())
        self.assertEqual([], found)

    def test_tempest_volume_v2(self):
        found = check(
            "from tempest.lib.services.volume.v2 import volumes_client\n"
            "from tempest.lib.services.volume.v3 import volumes_client as v3\n",
            profile="tempest",
        )
        self.assertEqual([("PF005", 1)], codes(found))
        self.assertEqual("tempest.lib.services.volume.v3", found[0].alternative)


class TestPatchedInTests(base.TestCase):
    def test_mock_and_fixture_patches_of_the_host(self):
        found = check(
            """
            from unittest import mock
            import fixtures
            import plugfair.api as api
            @mock.patch("plugfair.registry.core.Registry")
            def t(m): pass
            mock.patch.object(api, "Plugin")
            fixtures.MonkeyPatch("plugfair.api.UNLIMITED", 5)
            class T:
                def test(self):
                    self.patch(api, "MAX_LIMIT", 1)
            """
        )
        self.assertEqual([("PF006", 5), ("PF006", 7), ("PF006", 8), ("PF006", 11)], codes(found))

    def test_patching_own_code_is_fine(self):
        found = check(
            "from unittest import mock\n@mock.patch('myplugin.client.Session')\ndef t(m): pass\n"
            "mock.patch.dict('os.environ', {})\n"
        )
        self.assertEqual([], found)
