"""Hosted plugins, and plugins judged through their host's interface.

Two families of fake plugins:

* ``TestFakeHost``: a host of our own.  A plugfair plugin, ``fakehost``,
  hosts every entry point of group ``fakehost.test_plugins``, and a
  profile file describes that host's interface.  Nothing here needs
  Tempest: it proves the machinery is data, not a special case.
* ``TestTempestPlugins``: fake Tempest plugins (entry points in
  ``tempest.test_plugins``) hosted by whatever installed plugin hosts
  Tempest plugins, judged with the built-in ``tempest`` profile.  Skipped
  when Tempest is not installed.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import types
import unittest
from typing import Any

import fixtures
import jsonschema  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from plugfair.conformance import formats, hosted, profiles, targets
from plugfair.conformance.check import CheckRequest, run_check
from plugfair.interface.errors import UsageError
from plugfair.registry import manifest
from plugfair.tests import base
from plugfair.tests.conformance.test_formats import SARIF_SCHEMA
from plugfair.tests.conformance.util import Distributions, write_tree

ID = "0b6f4f7e-8a51-4c1d-9d3c-6f3c2a9e7b1%d"

#: Tests: one method with an idempotent id, two without; a subclass runs
#: two of them again (five tests, two methods without an id).
TESTS = """
import testtools
from testtools.testcase import WithAttributes, attr


class TestThings(WithAttributes, testtools.TestCase):
    @attr("id-%s")
    def test_with_id(self):
        pass

    def test_without_id(self):
        pass


class TestMore(TestThings):
    def test_another_without_id(self):
        pass
"""

GOOD_TESTS = """
import testtools
from testtools.testcase import WithAttributes, attr


class TestGood(WithAttributes, testtools.TestCase):
    @attr("id-%s")
    def test_one(self):
        pass

    @attr("id-%s")
    def test_two(self):
        pass
"""

# -- a host of our own -------------------------------------------------

FAKEHOST = """
import importlib.metadata

from plugfair.api import HostedPlugin, Plugin

GROUP = "fakehost.test_plugins"


def _loader(ep):
    def load():
        obj = ep.load()()
        package = obj.load_tests()
        return type(
            "Hosted", (Plugin,),
            {"name": ep.name, "api_version": "1.1", "test_packages": lambda self: [package]},
        )
    return load


class FakeHost(Plugin):
    name = "fakehost"
    api_version = "1.1"

    def hosted_plugins(self):
        found = []
        for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name):
            found.append(HostedPlugin(
                ep.name, _loader(ep), distribution=ep.dist.metadata["Name"], version=ep.dist.version,
                module=ep.module, origin="%s: %s = %s" % (GROUP, ep.name, ep.value),
            ))
        return found
"""

FH_PLUGIN = """
from oslo_config import cfg


class ForeignPlugin:
    def load_tests(self):
        return "{pkg}.tests"

    def register_opts(self, conf):
        conf.register_opts([cfg.StrOpt("endpoint")], group="{name}")
        {extra_opts}

    def get_service_clients(self):
        return {clients}
"""

FAKEHOST_PROFILE = {
    "name": "fakehost",
    "host": {"name": "Fake Host", "packages": ["fakehost_lib"], "plugin_group": "fakehost.test_plugins"},
    "stable": ["fakehost_lib.api"],
    "dynamic": True,
    "plugin_interface": {
        "register_opts": "register_opts",
        "host_groups": ["DEFAULT", "service_available", "*-feature-enabled"],
        "service_clients": "get_service_clients",
        "unique_service_keys": {"service_version": ["compute"]},
    },
    "idempotent_ids": True,
}


def _fh(name, *, extra_opts="pass", clients="[]", tests=GOOD_TESTS % (ID % 1, ID % 2), modules=None):
    pkg = "%s_pkg" % name
    plugin = FH_PLUGIN.format(pkg=pkg, name=name, extra_opts=extra_opts, clients=clients)
    mods = {"%s.plugin" % pkg: plugin, "%s.tests" % pkg: "", "%s.tests.test_it" % pkg: tests}
    mods.update(modules or {})
    return ("%s-dist" % name, mods, {"fakehost.test_plugins": {name: "%s.plugin:ForeignPlugin" % pkg}})


class _Hosting(base.TestCase):
    """Installs distributions and probes them once per class."""

    DISTRIBUTIONS: list[Any] = []
    PROBE_TIMEOUT = 10.0
    dists: Distributions
    records: list[Any]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dists = Distributions(cls.DISTRIBUTIONS)
        cls.dists.setUp()
        cls.records = manifest.build(list(sys.path), timeout=cls.PROBE_TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls.dists.cleanUp()
        super().tearDownClass()

    def check(self, *targets, **kwargs):
        kwargs.setdefault("hook_timeout", 10.0)
        registry = types.SimpleNamespace(records=lambda: self.records)
        return run_check(CheckRequest(targets=targets, **kwargs), registry=registry)

    def findings(self, result, code=None):
        return sorted((v.code, v.name, v.context) for v in result.violations if code is None or v.code == code)


class TestFakeHost(_Hosting):
    DISTRIBUTIONS = [
        ("fakehost-bridge", {"fakehost_bridge.plugin": FAKEHOST}, {"plugfair.plugins": {"fakehost": "fakehost_bridge.plugin:FakeHost"}}),
        _fh("fh_good", clients='[{"service_version": "fh_good.v1", "name": "fh_good_v1"}]'),
        _fh(
            "fh_bad",
            extra_opts='conf.register_opt(cfg.BoolOpt("fh_bad"), group="service_available")\n'
            '        conf.register_opt(cfg.BoolOpt("fancy"), group="compute-feature-enabled")\n'
            '        conf.register_opt(cfg.BoolOpt("own"), group="fh_bad-feature")',
            clients='[{"service_version": "compute"}, {"service_version": "fh_bad.v1"}, {"service_version": "fh_bad.v1"}]',
            tests=TESTS % (ID % 3),
        ),
        _fh("fh_broken", modules={"fh_broken_pkg.plugin": "import no_such_module_for_fh_broken\n"}),
    ]
    profile_file: str

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.profile_file = os.path.join(cls.dists.path, "fakehost.json")
        with open(cls.profile_file, "w", encoding="utf-8") as f:
            json.dump(FAKEHOST_PROFILE, f)

    def test_a_clean_plugin_by_hosted_name(self):
        result = self.check("fh_good", profile_file=self.profile_file)
        self.assertEqual([], [(v.code, v.message) for v in result.violations])
        (summary,) = result.targets
        self.assertEqual(["fh_good"], summary.plugins)
        self.assertEqual({"fh_good": 2}, summary.tests)
        for check in ("load", "host config groups", "service clients", "idempotent ids"):
            self.assertIn(("fh_good", check), summary.checks)
        self.assertEqual(["fh_good_pkg/__init__.py", "fh_good_pkg/plugin.py", "fh_good_pkg/tests/__init__.py",
                          "fh_good_pkg/tests/test_it.py"], summary.files)

    def test_by_distribution_name(self):
        result = self.check("fh_good-dist", profile_file=self.profile_file)
        self.assertEqual([], result.violations)
        self.assertEqual(["fh_good"], result.targets[0].plugins)

    def test_without_the_profile_it_is_a_plugfair_plugin(self):
        # No built-in profile names fakehost.test_plugins: plugfair's
        # applies, and the hosted plugin gets the generic checks only.
        result = self.check("fh_bad")
        self.assertEqual("plugfair", result.profile["name"])
        self.assertEqual([], result.violations)
        (summary,) = result.targets
        self.assertEqual(["fh_bad"], summary.plugins)
        self.assertNotIn(("fh_bad", "host config groups"), summary.checks)

    def test_host_groups_service_clients_and_ids(self):
        result = self.check("fh_bad", profile_file=self.profile_file)
        self.assertEqual(
            [
                ("PF111", "fh_bad", "compute-feature-enabled.fancy"),
                ("PF111", "fh_bad", "service_available.fh_bad"),
                ("PF112", "fh_bad", "service_version=compute"),
                ("PF112", "fh_bad", "service_version=fh_bad.v1"),
                ("PF113", "fh_bad", "fh_bad_pkg.tests.test_it.TestMore.test_another_without_id"),
                ("PF113", "fh_bad", "fh_bad_pkg.tests.test_it.TestThings.test_without_id"),
            ],
            self.findings(result),
        )
        by_context = {v.context: v for v in result.violations}
        self.assertIn("Fake Host itself", by_context["service_version=compute"].message)
        self.assertIn("a second time", by_context["service_version=fh_bad.v1"].message)
        missing = by_context["fh_bad_pkg.tests.test_it.TestThings.test_without_id"]
        self.assertIn("(2 tests run it)", missing.message)
        self.assertEqual("fh_bad_pkg/tests/test_it.py", missing.relpath)
        self.assertEqual(TESTS.splitlines().index("    def test_without_id(self):") + 1, missing.line)

    def test_duplicates_across_plugins_of_one_run(self):
        result = self.check("fh_good", "fh_bad", profile_file=self.profile_file, select=["PF112"])
        self.assertEqual(
            [("PF112", "fh_bad", "service_version=compute"), ("PF112", "fh_bad", "service_version=fh_bad.v1")],
            self.findings(result),
        )

    def test_an_import_failure_is_a_finding(self):
        result = self.check("fh_broken", profile_file=self.profile_file)
        (v,) = result.violations
        self.assertEqual(("PF104", "fh_broken"), (v.code, v.name))
        self.assertIn("no_such_module_for_fh_broken", v.message)
        self.assertEqual("fh_broken_pkg/plugin.py", v.relpath)

    def test_reports_against_their_schemas(self):
        result = self.check("fh_bad", profile_file=self.profile_file)
        texts = {}
        for fmt in ("json", "junit", "sarif"):
            out = io.StringIO()
            formats.write(result, fmt, out)
            texts[fmt] = out.getvalue()
            for code in ("PF111", "PF112", "PF113"):
                self.assertIn(code, texts[fmt], fmt)
        with open(profiles.data_path("schemas", "report.schema.json"), encoding="utf-8") as f:
            jsonschema.Draft202012Validator(json.load(f)).validate(json.loads(texts["json"]))
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(texts["sarif"]))
        xsd = etree.XMLSchema(etree.parse(profiles.data_path("schemas", "junit.xsd")))
        xsd.assertValid(etree.fromstring(texts["junit"].encode("utf-8")))
        # Each rule fails its own dynamic check's test case.
        for check in ("host config groups", "service clients", "idempotent ids"):
            self.assertIn('name="fh_bad: %s"' % check, texts["junit"])
        self.assertNotIn('name="other"', texts["junit"])

    def test_baseline_then_a_new_test_without_id(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "baseline.json")
        written = self.check("fh_bad", profile_file=self.profile_file, write_baseline=path)
        self.assertEqual(0, written.exit_code)
        accepted = self.check("fh_bad", profile_file=self.profile_file, baseline=path)
        self.assertEqual(0, accepted.exit_code)
        self.assertEqual(6, len(accepted.violations))
        self.dists.write("fh_bad_pkg.tests.test_it", TESTS % (ID % 3) + "\n\nclass TestNew(TestThings):\n"
                         "    def test_new(self):\n        pass\n")
        self.addCleanup(self.dists.write, "fh_bad_pkg.tests.test_it", TESTS % (ID % 3))
        later = self.check("fh_bad", profile_file=self.profile_file, baseline=path)
        self.assertEqual(1, later.exit_code)
        self.assertEqual(
            ["fh_bad_pkg.tests.test_it.TestNew.test_new"], [v.context for v in later.new]
        )

    def test_cli_write_baseline_then_baseline(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "baseline.json")
        argv = ["check", "--profile-file", self.profile_file, "fh_bad"]
        rc, out, err = self.run_cli(argv + ["--write-baseline", path])
        self.assertEqual(0, rc, out + err)
        with open(path, encoding="utf-8") as f:
            codes = sorted(v["code"] for v in json.load(f)["violations"])
        self.assertEqual(["PF111", "PF111", "PF112", "PF112", "PF113", "PF113"], codes)
        rc, out, err = self.run_cli(argv + ["--baseline", path])
        self.assertEqual(0, rc, out + err)
        self.assertIn("6 accepted by baseline", out)

    def test_a_source_tree_is_judged_through_the_installed_host(self):
        # The tree's entry point is the installed one: its plugin is judged
        # with the tree's code (a test without an id that only the tree has).
        tree = os.path.join(self.useFixture(fixtures.TempDir()).path, "fh_good")
        write_tree(tree, {
            "setup.cfg": "[metadata]\nname = fh_good-dist\n[options.entry_points]\nfakehost.test_plugins =\n"
                         "    fh_good = fh_good_pkg.plugin:ForeignPlugin\n",
            "fh_good_pkg/__init__.py": "",
            "fh_good_pkg/plugin.py": FH_PLUGIN.format(pkg="fh_good_pkg", name="fh_good", extra_opts="pass", clients="[]"),
            "fh_good_pkg/tests/__init__.py": "",
            "fh_good_pkg/tests/test_it.py": TESTS % (ID % 7),
        })
        result = self.check(tree, profile_file=self.profile_file)
        self.assertEqual(["fh_good"], result.targets[0].plugins)
        self.assertEqual(
            [("PF113", "fh_good", "fh_good_pkg.tests.test_it.TestMore.test_another_without_id"),
             ("PF113", "fh_good", "fh_good_pkg.tests.test_it.TestThings.test_without_id")],
            self.findings(result),
        )

    def test_an_entry_point_nothing_hosts_is_a_note(self):
        tree = write_tree(self.useFixture(fixtures.TempDir()).path, {
            "setup.cfg": "[metadata]\nname = fh-lonely\n[options.entry_points]\nfakehost.test_plugins =\n"
                         "    fh_lonely = fh_lonely.plugin:P\n",
            "fh_lonely/__init__.py": "",
            "fh_lonely/plugin.py": "class P:\n    pass\n",
        })
        result = self.check(tree, profile_file=self.profile_file)
        self.assertEqual([], result.violations)
        self.assertEqual([], result.targets[0].plugins)
        self.assertTrue(any("fh_lonely = fh_lonely.plugin:P" in n and "hosted by no" in n for n in result.notes))

    def test_unknown_names_list_the_hosted_plugins(self):
        with self.assertRaises(targets.TargetError) as ctx:
            self.check("fh_nope", profile_file=self.profile_file)
        self.assertIn("Hosted plugins:", str(ctx.exception))
        self.assertIn("fh_good", str(ctx.exception))


class TestOrigin(base.TestCase):
    def rec(self, origin, host="h"):
        return types.SimpleNamespace(origin=origin, host=host)

    def test_an_entry_point_origin(self):
        self.assertEqual(
            hosted.Origin("tempest.test_plugins", "barbican_tests", "barbican_tempest_plugin.plugin:BarbicanTempestPlugin"),
            hosted.origin_of(self.rec(
                "tempest.test_plugins: barbican_tests = barbican_tempest_plugin.plugin:BarbicanTempestPlugin"
            )),
        )

    def test_other_origins_name_no_entry_point(self):
        for origin in ("Tempest's own tests", "", "group: name = module_without_attr", "no colon = a:b"):
            self.assertIsNone(hosted.origin_of(self.rec(origin)), origin)
        self.assertIsNone(hosted.origin_of(self.rec("g: n = m:A", host=None)))


# -- Tempest plugins ---------------------------------------------------

TEMPEST_PLUGIN = """
import os

from oslo_config import cfg


class FakeTempestPlugin:
    def load_tests(self):
        here = os.path.dirname(os.path.abspath(__file__))
        return os.path.join(here, "tests"), os.path.dirname(here)

    def register_opts(self, conf):
        conf.register_opts([cfg.StrOpt("endpoint")], group="{group}")
        {extra_opts}

    def get_opt_lists(self):
        return [("{group}", [cfg.StrOpt("endpoint")])]

    def get_service_clients(self):
        return {clients}
"""


def _tempest(name, *, extra_opts="pass", clients="[]", tests=GOOD_TESTS % (ID % 4, ID % 5), modules=None):
    pkg = "%s_tempest_plugin" % name
    plugin = TEMPEST_PLUGIN.format(group=name, extra_opts=extra_opts, clients=clients)
    mods = {"%s.plugin" % pkg: plugin, "%s.tests" % pkg: "", "%s.tests.test_it" % pkg: tests}
    mods.update(modules or {})
    dist = "%s-tempest-plugin" % name.replace("_", "-")
    return (dist, mods, {"tempest.test_plugins": {name: "%s.plugin:FakeTempestPlugin" % pkg}})


class TestTempestPlugins(_Hosting):
    DISTRIBUTIONS = [
        _tempest("fake_good", clients='[{"name": "fake_good_v1", "service_version": "fake-good.v1"}]'),
        _tempest(
            "fake_groups",
            extra_opts='conf.register_opt(cfg.BoolOpt("fake_groups"), group="service_available")\n'
            '        conf.register_opt(cfg.BoolOpt("fancy"), group="compute-feature-enabled")',
        ),
        _tempest(
            "fake_dup",
            clients='[{"name": "compute", "service_version": "compute"}, '
            '{"name": "fake_dup_v1", "service_version": "fake-dup.v1"}, '
            '{"name": "fake_dup_v1b", "service_version": "fake-dup.v1"}]',
        ),
        _tempest("fake_noids", tests=TESTS % (ID % 6)),
        _tempest("fake_broken", modules={"fake_broken_tempest_plugin.plugin": "import no_such_module_for_fake_broken\n"}),
    ]
    PROBE_TIMEOUT = 30.0

    @classmethod
    def setUpClass(cls):
        if importlib.util.find_spec("tempest") is None:
            raise unittest.SkipTest("Tempest is not installed: pip install 'plugfair[tempest]'")
        super().setUpClass()
        if not any(r.host and r.name == "fake_good" for r in cls.records):
            cls.tearDownClass()
            raise unittest.SkipTest("No installed plugin hosts Tempest plugins: pip install 'plugfair[tempest]'")

    def test_a_clean_plugin_gets_the_tempest_profile_by_default(self):
        for target in ("fake_good", "fake-good-tempest-plugin"):
            result = self.check(target)
            self.assertEqual("tempest", result.profile["name"], target)
            self.assertEqual([], [(v.code, v.message) for v in result.violations], target)
            (summary,) = result.targets
            self.assertEqual(["fake_good"], summary.plugins, target)
            self.assertEqual({"fake_good": 2}, summary.tests, target)
            self.assertIn(("fake_good", "idempotent ids"), summary.checks, target)

    def test_with_an_explicit_profile(self):
        result = self.check("fake_groups", profile="tempest", select=["PF1"])
        self.assertEqual(
            [("PF111", "fake_groups", "compute-feature-enabled.fancy"),
             ("PF111", "fake_groups", "service_available.fake_groups")],
            self.findings(result),
        )
        # The plugfair profile judges the plugfair plugin its host made of it.
        result = self.check("fake_groups", profile="plugfair")
        self.assertEqual("plugfair", result.profile["name"])
        self.assertEqual([], result.violations)
        self.assertEqual(["fake_groups"], result.targets[0].plugins)

    def test_duplicate_service_versions(self):
        result = self.check("fake-dup-tempest-plugin", select=["PF112"])
        self.assertEqual(
            [("PF112", "fake_dup", "name=compute"),
             ("PF112", "fake_dup", "service_version=compute"),
             ("PF112", "fake_dup", "service_version=fake-dup.v1")],
            self.findings(result),
        )
        self.assertIn("Tempest itself", result.violations[0].message)

    def test_tests_without_idempotent_ids(self):
        result = self.check("fake_noids")
        self.assertEqual(
            ["fake_noids_tempest_plugin.tests.test_it.TestMore.test_another_without_id",
             "fake_noids_tempest_plugin.tests.test_it.TestThings.test_without_id"],
            [c for _code, _name, c in self.findings(result, "PF113")],
        )
        self.assertEqual({"fake_noids": 5}, result.targets[0].tests)

    def test_an_import_failure_is_a_finding(self):
        result = self.check("fake_broken")
        self.assertEqual([("PF104", "fake_broken")], [(v.code, v.name) for v in result.violations])
        self.assertIn("no_such_module_for_fake_broken", result.violations[0].message)

    def test_targets_calling_for_different_profiles(self):
        with self.assertRaises(UsageError) as ctx:
            self.check("fake_good", "fakehost-never-installed-dir/")
        self.assertIn("different profiles", str(ctx.exception))
