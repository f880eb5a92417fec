"""Profiles: the shipped ones, user files, malformed files and host scans."""

from __future__ import annotations

import importlib
import json
import os

import fixtures

import plugfair.api
from plugfair.api import PluginDistribution
from plugfair.conformance import hostscan, profiles
from plugfair.tests import base
from plugfair.tests.conformance.util import check, write_tree

#: Tempest 47.0.0, doc/source/plugins/plugin.rst, "Stable Tempest APIs
#: plugins may use" (see shared/reference/tempest-plugin-interface.md).
TEMPEST_47 = [
    "tempest.lib.*",
    "tempest.config",
    "tempest.test_discover.plugins",
    "tempest.common.credentials_factory",
    "tempest.common.compute",
    "tempest.common.identity",
    "tempest.common.image",
    "tempest.common.object_storage",
    "tempest.clients",
    "tempest.test",
    "tempest.scenario.manager",
]


class TestShippedProfiles(base.TestCase):
    def test_names(self):
        self.assertEqual(["plugfair", "tempest"], profiles.builtin_names())

    def test_tempest_is_tempest_47s_list(self):
        prof = profiles.load("tempest")
        self.assertEqual(TEMPEST_47, list(prof.stable))
        self.assertEqual("tempest.test_plugins", prof.plugin_group)
        # Tempest plugins are loaded through the plugfair plugin hosting
        # them, and judged through Tempest's interface, described here.
        self.assertTrue(prof.dynamic)
        self.assertTrue(prof.idempotent_ids)
        interface = prof.interface
        assert interface is not None
        self.assertEqual(("register_opts", "get_service_clients"), (interface.register_opts, interface.service_clients))
        for group in ("service_available", "enforce_scope", "compute-feature-enabled", "identity", "DEFAULT"):
            self.assertTrue(interface.host_group(group), group)
        # A plugin's own feature group is its own.
        self.assertFalse(interface.host_group("dns-feature-enabled"))
        self.assertIn("identity.v3", interface.unique_service_keys["service_version"])

    def test_tempest_interface_matches_installed_tempest(self):
        # The data is Tempest 47's; when a Tempest is installed, it must
        # agree with it (this fails when Tempest adds a group or client).
        try:
            config = importlib.import_module("tempest.config")
            clients = importlib.import_module("tempest.lib.services.clients")
        except ImportError:
            self.skipTest("Tempest is not installed: pip install 'plugfair[tempest]'")
        interface = profiles.load("tempest").interface
        assert interface is not None
        groups = {str(getattr(g, "name", g) or "DEFAULT") for g, _opts in config._opts}
        self.assertEqual(set(), {g for g in groups if not interface.host_group(g)})
        versions = sorted(clients.tempest_modules())
        self.assertEqual(versions, sorted(interface.unique_service_keys["service_version"]))
        names = sorted(v.replace(".", "_").replace("-", "_") for v in versions)
        self.assertEqual(names, sorted(interface.unique_service_keys["name"]))

    def test_plugfair_exports_are_plugfair_api_all(self):
        prof = profiles.load("plugfair")
        self.assertEqual(["plugfair.api"], list(prof.stable))
        notes = hostscan.scan(prof)
        self.assertEqual([], notes)
        self.assertEqual(set(plugfair.api.__all__), set(prof.exported("plugfair.api") or ()))

    def test_classification(self):
        prof = profiles.load("tempest")
        self.assertEqual("tempest.lib", prof.stable_base("tempest.lib.common.rest_client.RestClient"))
        self.assertEqual("tempest.config", prof.stable_base("tempest.config.CONF"))
        self.assertIsNone(prof.stable_base("tempest.configuration"))
        self.assertTrue(prof.is_parent("tempest.common"))
        self.assertFalse(prof.is_parent("tempest.common.waiters"))
        self.assertEqual("tempest.common.waiters", prof.first_unstable("tempest.common.waiters.wait_for"))


#: Malformed profile files, each with what the error must say.
MALFORMED = [
    ("{not json", "not valid JSON"),
    ("[]", "top level must be a JSON object"),
    ({"name": "x", "stable": ["x.api"]}, "'host' is required"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": []}, "at least one module"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["y.api"]}, "outside the host packages"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "stabel": []}, "unknown key"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x api"]}, "not a dotted module name"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "format": 9}, "format 9"),
    (
        {"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "deprecated": [{"name": "x.a"}]},
        "'since' is required",
    ),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "dynamic": "yes"}, "true or false"),
    ({"host": {"packages": ["x"]}, "stable": ["x.api"]}, "'name' is required"),
    (
        {"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "plugin_interface": {}},
        "needs 'host.plugin_group'",
    ),
    (
        {
            "name": "x",
            "host": {"packages": ["x"], "plugin_group": "x.plugins"},
            "stable": ["x.api"],
            "plugin_interface": {"register_opt": "r"},
        },
        "unknown key(s) in 'plugin_interface'",
    ),
    (
        {
            "name": "x",
            "host": {"packages": ["x"], "plugin_group": "x.plugins"},
            "stable": ["x.api"],
            "plugin_interface": {"host_groups": "service_available"},
        },
        "host_groups' must be a list",
    ),
    (
        {
            "name": "x",
            "host": {"packages": ["x"], "plugin_group": "x.plugins"},
            "stable": ["x.api"],
            "plugin_interface": {"unique_service_keys": {"service_version": ["a"]}},
        },
        "needs 'service_clients'",
    ),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "idempotent_ids": 1}, "true or false"),
    ({"name": "a b", "host": {"packages": ["x"]}, "stable": ["x.api"]}, "name 'a b' must be 1-64"),
    ({"name": "x", "host": {"packages": ["x.y"]}, "stable": ["x.api"]}, "top-level package names"),
    ({"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "description": 3}, "must be a string"),
    (
        {"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "exports": {"x.api": ["a b"]}},
        "'a b' is not an identifier",
    ),
    (
        {"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "exports": {"x.b": "__all__"}},
        "not an exact 'stable' entry",
    ),
    (
        {"name": "x", "host": {"packages": ["x"]}, "stable": ["x.api"], "alternatives": {"x": 1}},
        "'alternatives' must map dotted names to strings",
    ),
    (
        {
            "name": "x",
            "host": {"packages": ["x"]},
            "stable": ["x.api"],
            "deprecated": [{"name": "y.a", "since": "1", "removed_in": "2"}],
        },
        "'deprecated[0].name': 'y.a' must be a dotted name inside the host packages",
    ),
    (
        {
            "name": "x",
            "host": {"packages": ["x"]},
            "stable": ["x.api"],
            "deprecated": [{"name": "x.a", "since": "1", "removed_in": "2", "kwarg": "a-b"}],
        },
        "'deprecated[0].kwarg': 'a-b' is not an identifier",
    ),
]


class TestProfileFiles(base.TestCase):
    def write(self, data):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "profile.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(data if isinstance(data, str) else json.dumps(data))
        return path

    def test_user_profile(self):
        path = self.write(
            {
                "name": "myhost",
                "host": {"packages": ["myhost"], "name": "My Host"},
                "stable": ["myhost.public", "myhost.sdk.*"],
                "alternatives": {"myhost.internal": "myhost.public.Thing"},
            }
        )
        prof = profiles.load_file(path)
        found = check("from myhost.internal import x\nfrom myhost.sdk.client import C\n", prof=prof)
        self.assertEqual([("PF001", "myhost.internal.x")], [(v.code, v.name) for v in found])
        self.assertEqual("myhost.public.Thing", found[0].alternative)
        self.assertIn("My Host", found[0].message)

    def test_malformed_profiles_name_the_problem(self):
        for data, expected in MALFORMED:
            path = self.write(data)
            with self.assertRaises(profiles.ProfileError) as ctx:
                profiles.load_file(path)
            self.assertIn(expected, str(ctx.exception), str(data))
            self.assertIn(path, str(ctx.exception))
            self.assertEqual(2, getattr(ctx.exception, "exit_code", None))

    def test_the_schema_is_shipped_and_valid(self):
        # Profiles are checked against a JSON Schema that ships in the
        # package, with jsonschema a runtime dependency.
        import configparser

        import jsonschema  # type: ignore[import-untyped]

        with open(profiles.data_path("schemas", profiles.SCHEMA), encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        for name in profiles.builtin_names():
            with open(profiles.data_path("profiles", name + ".json"), encoding="utf-8") as f:
                jsonschema.Draft202012Validator(schema).validate(json.load(f))
        setup_cfg = os.path.join(os.path.dirname(profiles.data_path()), "..", "setup.cfg")
        if os.path.exists(setup_cfg):
            cfg = configparser.ConfigParser()
            cfg.read(setup_cfg)
            self.assertIn("jsonschema>=4.0,<5", cfg.get("options", "install_requires").split())

    def test_missing_file(self):
        with self.assertRaises(profiles.ProfileError) as ctx:
            profiles.load_file("/nonexistent/profile.json")
        self.assertIn("cannot read it", str(ctx.exception))

    def test_unknown_builtin(self):
        with self.assertRaises(profiles.ProfileError) as ctx:
            profiles.load("nope")
        self.assertIn("plugfair, tempest", str(ctx.exception))

    def test_cli_exits_2_with_a_clear_message(self):
        path = self.write({"name": "x", "host": {"packages": ["x"]}, "stable": "x.api"})
        rc, out, err = self.run_cli(["check", "--profile-file", path, "."])
        self.assertEqual(2, rc)
        self.assertIn("'stable' must be a list", err)
        self.assertEqual("", out)


class TestDeprecationScan(base.TestCase):
    """The host's own ``deprecated`` helper, read statically."""

    def setUp(self):
        super().setUp()
        self.useFixture(
            PluginDistribution(
                "fakehost",
                {},
                {
                    "fakehost.api": """
                        from fakehost._impl import old, new, Thing
                        __all__ = ["old", "new", "Thing"]
                    """,
                    "fakehost._impl": """
                        from plugfair.api import deprecated

                        @deprecated(since="1.1", removed_in="2.0", alternative="fakehost.api.new")
                        def old():
                            pass

                        def new():
                            pass

                        class Thing:
                            @deprecated(since="1.3", removed_in="3.0")
                            def legacy(self):
                                pass

                            def current(self):
                                pass
                    """,
                },
            )
        )
        self.profile = profiles.parse(
            {
                "name": "fakehost",
                "host": {"packages": ["fakehost"]},
                "stable": ["fakehost.api"],
                "exports": {"fakehost.api": "__all__"},
                "scan_deprecated": True,
            },
            source="test",
        )

    def test_scan_finds_reexported_deprecations(self):
        self.assertEqual([], hostscan.scan(self.profile))
        found = {d.name: d.removed_in for d in self.profile.deprecated}
        self.assertEqual({"fakehost.api.old": "2.0", "fakehost.api.Thing.legacy": "3.0"}, found)
        self.assertEqual(frozenset({"old", "new", "Thing"}), self.profile.exported("fakehost.api"))

    def test_uses_are_reported_with_the_removal_version(self):
        hostscan.scan(self.profile)
        found = check(
            """
            from fakehost.api import old, new
            import fakehost.api as api
            api.Thing.legacy
            api.Thing.current
            api.new()
            """,
            prof=self.profile,
        )
        self.assertEqual([("PF005", 2, "2.0"), ("PF005", 4, "3.0")], [(v.code, v.line, v.removed_in) for v in found])
        self.assertEqual("fakehost.api.new", found[0].alternative)

    def test_the_helper_marks_what_the_scan_reads(self):
        import importlib

        impl = importlib.import_module("fakehost._impl")
        self.assertEqual(
            {"since": "1.1", "removed_in": "2.0", "alternative": "fakehost.api.new"},
            impl.old.__plugfair_deprecated__,
        )

    def test_host_not_installed_is_a_note(self):
        prof = profiles.parse(
            {"name": "gone", "host": {"packages": ["gonehost"]}, "stable": ["gonehost.api"], "scan_deprecated": True},
            source="test",
        )
        notes = hostscan.scan(prof)
        self.assertEqual(1, len(notes))
        self.assertIn("gonehost.api was not found", notes[0])


class TestModuleFile(base.TestCase):
    def test_finds_without_importing(self):
        root = self.useFixture(fixtures.TempDir()).path
        write_tree(root, {"noimport/__init__.py": "raise SystemExit('imported!')\n", "noimport/sub.py": ""})
        self.assertEqual(os.path.join(root, "noimport", "sub.py"), hostscan.module_file("noimport.sub", [root]))
        self.assertIsNone(hostscan.module_file("noimport.missing", [root]))
