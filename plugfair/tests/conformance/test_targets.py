"""Targets: source directories, wheels, sdists and installed plugins."""

from __future__ import annotations

import os
import sys
import tarfile
import zipfile

import fixtures

from plugfair.api import PluginDistribution
from plugfair.conformance import profiles, targets
from plugfair.conformance.check import CheckRequest, run_check, static_check
from plugfair.tests import base
from plugfair.tests.conformance.util import build_sdist, build_wheel, write_tree

PLUGIN = {
    "zonemgr/__init__.py": "",
    "zonemgr/plugin.py": """
        from plugfair.api import Plugin
        from plugfair.registry import core


        class ZonePlugin(Plugin):
            name = "zonemgr"
    """,
    "zonemgr/tests/__init__.py": "",
    "zonemgr/tests/test_zone.py": "from plugfair.interface import testing\n",
}
SETUP_CFG = """
    [metadata]
    name = zonemgr-plugin

    [options.entry_points]
    plugfair.plugins =
        zonemgr = zonemgr.plugin:ZonePlugin
"""
ENTRY_POINTS = "[plugfair.plugins]\nzonemgr = zonemgr.plugin:ZonePlugin\n"


def found(target):
    prof = profiles.load("plugfair")
    return static_check(target, prof, {})


class TestDirectory(base.TestCase):
    def test_source_tree(self):
        root = write_tree(self.useFixture(fixtures.TempDir()).path, dict(PLUGIN, **{"setup.cfg": SETUP_CFG}))
        target = targets.resolve(root, group="plugfair.plugins")
        self.assertEqual("directory", target.kind)
        self.assertEqual(["zonemgr"], target.own)
        self.assertEqual("zonemgr-plugin", target.distribution)
        self.assertEqual([("zonemgr", "zonemgr.plugin:ZonePlugin")], target.entry_points)
        self.assertEqual(
            {"zonemgr/__init__.py": "zonemgr", "zonemgr/plugin.py": "zonemgr.plugin",
             "zonemgr/tests/__init__.py": "zonemgr.tests", "zonemgr/tests/test_zone.py": "zonemgr.tests.test_zone"},
            {f.relpath: f.module for f in target.files},
        )
        violations = found(target)
        self.assertEqual(
            [("PF001", "zonemgr/plugin.py", 3), ("PF001", "zonemgr/tests/test_zone.py", 1)],
            [(v.code, v.relpath, v.line) for v in violations],
        )
        self.assertEqual(os.path.join(root, "zonemgr", "plugin.py"), violations[0].path)

    def test_a_package_directory_is_named_as_it_is_imported(self):
        # Checking plugins/alpha (itself inside the package "plugins"): its
        # imports of its own modules are its own, but importing its sibling
        # plugins.beta is still cross-plugin coupling.
        root = write_tree(self.useFixture(fixtures.TempDir()).path, {
            "plugins/__init__.py": "",
            "plugins/alpha/__init__.py": "",
            "plugins/alpha/plugin.py": "from plugins.alpha import opts\nfrom plugins.beta import x\n",
            "plugins/alpha/opts.py": "",
            "plugins/beta/__init__.py": "",
        })
        target = targets.resolve(os.path.join(root, "plugins", "alpha"), group="plugfair.plugins")
        self.assertEqual(["plugins.alpha"], target.own)
        self.assertEqual("plugins.alpha.plugin",
                         {f.relpath: f.module for f in target.files}["plugin.py"])
        violations = static_check(target, profiles.load("plugfair"), others={"plugins.beta": "beta"})
        self.assertEqual([("PF004", 2)], [(v.code, v.line) for v in violations])

    def test_src_layout_and_pyproject(self):
        root = write_tree(
            self.useFixture(fixtures.TempDir()).path,
            {
                "src/zonemgr/__init__.py": "",
                "pyproject.toml": '[project]\nname = "zm"\n[project.entry-points."plugfair.plugins"]\nzonemgr = "zonemgr:P"\n',
                "docs/conf.py": "import os\n",
            },
        )
        target = targets.resolve(root, group="plugfair.plugins")
        self.assertEqual(["zonemgr"], target.own)
        assert target.import_path is not None
        self.assertEqual([os.path.join(root, "src")], target.import_path())
        self.assertEqual("zm", target.distribution)
        self.assertEqual([("zonemgr", "zonemgr:P")], target.entry_points)

    def test_static_checks_never_import_the_target(self):
        root = self.useFixture(fixtures.TempDir()).path
        marker = os.path.join(root, "imported")
        write_tree(
            root,
            {
                "trap/__init__.py": "open(%r, 'w').close()\nimport plugfair.registry\n" % marker,
                "trap/mod.py": "open(%r, 'w').close()\n" % marker,
            },
        )
        violations = found(targets.resolve(root, group="plugfair.plugins"))
        self.assertEqual(["PF001"], [v.code for v in violations])
        self.assertFalse(os.path.exists(marker))
        self.assertNotIn("trap", sys.modules)


class TestArchives(base.TestCase):
    def test_wheel(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = build_wheel(tmp, "zonemgr-plugin", "1.0", PLUGIN, ENTRY_POINTS)
        target = targets.resolve(path, group="plugfair.plugins")
        self.assertEqual(("wheel", "zonemgr-plugin", ["zonemgr"]), (target.kind, target.distribution, target.own))
        self.assertEqual([("zonemgr", "zonemgr.plugin:ZonePlugin")], target.entry_points)
        violations = found(target)
        self.assertEqual(["zonemgr/plugin.py", "zonemgr/tests/test_zone.py"], [v.relpath for v in violations])
        self.assertEqual(path + "/zonemgr/plugin.py", violations[0].path)
        target.close()

    def test_sdist(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = build_sdist(tmp, "zonemgr-plugin", "1.0", dict(PLUGIN, **{"setup.cfg": SETUP_CFG, "setup.py": "import setuptools\n"}))
        target = targets.resolve(path, group="plugfair.plugins")
        self.assertEqual(("sdist", "zonemgr-plugin"), (target.kind, target.distribution))
        self.assertEqual([("zonemgr", "zonemgr.plugin:ZonePlugin")], target.entry_points)
        violations = found(target)
        self.assertEqual(["zonemgr/plugin.py", "zonemgr/tests/test_zone.py"], [v.relpath for v in violations])
        self.assertEqual(path + "/zonemgr-plugin-1.0/zonemgr/plugin.py", violations[0].path)
        target.close()

    def test_same_fingerprints_in_every_form(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        tree = write_tree(os.path.join(tmp, "tree"), PLUGIN)
        forms = [
            targets.resolve(tree, group=None),
            targets.resolve(build_wheel(tmp, "z", "1.0", PLUGIN), group=None),
            targets.resolve(build_sdist(tmp, "z", "1.0", PLUGIN), group=None),
        ]
        prints = [sorted(v.fingerprint for v in found(t)) for t in forms]
        self.assertEqual(prints[0], prints[1])
        self.assertEqual(prints[0], prints[2])
        self.assertEqual(2, len(prints[0]))
        for t in forms:
            t.close()

    def test_extraction_stays_inside(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, "evil-1.0.zip")
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("evil-1.0/pkg/__init__.py", "")
            zf.writestr("evil-1.0/../../escaped.py", "")
        target = targets.resolve(path, group=None)
        assert target.import_path is not None
        dirs = target.import_path()
        self.assertTrue(dirs)
        self.assertFalse(os.path.exists(os.path.join(tmp, "escaped.py")))
        extracted = os.path.dirname(dirs[0])
        target.close()
        self.assertFalse(os.path.exists(extracted))

    def test_corrupt_archive_is_a_usage_error(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, "broken-1.0.tar.gz")
        with open(path, "wb") as f:
            f.write(b"not an archive at all")
        with self.assertRaises(targets.TargetError) as ctx:
            targets.resolve(path, group=None)
        self.assertEqual(2, getattr(ctx.exception, "exit_code", None))
        self.assertIn("Cannot read the archive", str(ctx.exception))

    def test_tar_members_that_are_not_files_are_ignored(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, "links-1.0.tar.gz")
        with tarfile.open(path, "w:gz") as tf:
            info = tarfile.TarInfo("links-1.0/pkg/evil.py")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tf.addfile(info)
        target = targets.resolve(path, group=None)
        self.assertEqual([], target.files)


class TestInstalled(base.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(
            PluginDistribution(
                "zonemgr-plugin",
                {"zonemgr": "zonemgr.plugin:ZonePlugin"},
                {k[:-3].replace("/", ".").removesuffix(".__init__"): v for k, v in PLUGIN.items()},
            )
        )

    def test_by_plugin_name(self):
        target = targets.resolve("zonemgr", group="plugfair.plugins")
        self.assertEqual(("installed", "zonemgr-plugin", ["zonemgr"]), (target.kind, target.distribution, target.own))
        self.assertEqual([("zonemgr", "zonemgr.plugin:ZonePlugin")], target.entry_points)
        self.assertEqual(
            ["zonemgr/plugin.py", "zonemgr/tests/test_zone.py"], [v.relpath for v in found(target)]
        )
        self.assertNotIn("zonemgr.plugin", sys.modules)

    def test_by_distribution_name(self):
        target = targets.resolve("zonemgr-plugin", group="plugfair.plugins")
        self.assertEqual(["zonemgr"], [name for name, _ in target.entry_points])
        self.assertEqual(4, len(target.files))

    def test_unknown_name(self):
        with self.assertRaises(targets.TargetError) as ctx:
            targets.resolve("no-such-plugin", group="plugfair.plugins")
        self.assertIn("zonemgr", str(ctx.exception))

    def test_the_host_itself_is_refused(self):
        # (From a directory without a "plugfair" subdirectory, which would
        # be taken as a source tree.)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.useFixture(fixtures.TempDir()).path)
        with self.assertRaises(targets.TargetError) as ctx:
            targets.resolve("plugfair", group="plugfair.plugins", host_packages=("plugfair",))
        self.assertIn("--core", str(ctx.exception))

    def test_missing_path_is_a_usage_error(self):
        rc, out, err = self.run_cli(["check", "./no/such/dir"])
        self.assertEqual(2, rc)
        self.assertIn("does not exist", err)

    def test_check_several_targets_at_once(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        wheel = build_wheel(tmp, "zonemgr-plugin", "1.0", PLUGIN, ENTRY_POINTS)
        result = run_check(CheckRequest(targets=["zonemgr", wheel], dynamic=False))
        self.assertEqual(["installed", "wheel"], [t.kind for t in result.targets])
        self.assertEqual(4, len(result.violations))
        self.assertEqual(1, result.exit_code)


TEMPEST_PLUGIN = """
from tempest.common import waiters
from tempest.test_discover import plugins


class DnsTempestPlugin(plugins.TempestPlugin):
    pass
"""


class TestInstalledUnderAnotherProfile(base.TestCase):
    """``--profile tempest NAME``: the profile's group, plugfair's, distributions."""

    def setUp(self):
        super().setUp()
        from plugfair.interface.testing import write_distribution

        site = self.useFixture(fixtures.TempDir()).path
        # A distribution with a plugfair plugin and a Tempest plugin ...
        write_distribution(
            site, "zonemgr-plugin", "1.0", {"zonemgr": "zonemgr.plugin:ZonePlugin"},
            {"zonemgr.plugin": "from plugfair.api import Plugin\n",
             "zonemgr.tempest_plugin": TEMPEST_PLUGIN},
            extra_entry_points={"tempest.test_plugins": {"zonemgr_tests": "zonemgr.tempest_plugin:DnsTempestPlugin"}},
        )
        # ... and one with only a Tempest plugin.
        write_distribution(
            site, "lbaas-tempest-plugin", "2.0", {},
            {"lbaas_tempest.plugin": TEMPEST_PLUGIN},
            extra_entry_points={"tempest.test_plugins": {"lbaas": "lbaas_tempest.plugin:DnsTempestPlugin"}},
        )
        self.useFixture(fixtures.MonkeyPatch("sys.path", [site] + sys.path))
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.useFixture(fixtures.TempDir()).path)

    def resolve(self, name):
        return targets.resolve(name, group="tempest.test_plugins", host_packages=("tempest",))

    def test_plugfair_plugin_name(self):
        target = self.resolve("zonemgr")
        self.assertEqual(("installed", "zonemgr-plugin", ["zonemgr"]), (target.kind, target.distribution, target.own))
        # the dynamic checks would load the distribution's Tempest plugins
        self.assertEqual([("zonemgr_tests", "zonemgr.tempest_plugin:DnsTempestPlugin")], target.entry_points)
        self.assertIn("zonemgr/tempest_plugin.py", [f.relpath for f in target.files])

    def test_name_in_the_profiles_group(self):
        target = self.resolve("lbaas")
        self.assertEqual(("lbaas-tempest-plugin", ["lbaas_tempest"]), (target.distribution, target.own))
        self.assertEqual([("lbaas", "lbaas_tempest.plugin:DnsTempestPlugin")], target.entry_points)

    def test_distribution_names(self):
        for dist in ("zonemgr-plugin", "zonemgr_plugin", "lbaas-tempest-plugin"):
            self.assertTrue(self.resolve(dist).files, dist)

    def test_unknown_name_lists_both_groups(self):
        with self.assertRaises(targets.TargetError) as ctx:
            self.resolve("no-such-plugin")
        message = str(ctx.exception)
        # (real Tempest plugins may be installed too: look for ours)
        tempest_part = message.split("Installed plugins in tempest.test_plugins: ", 1)[1]
        tempest_part = tempest_part.split(". Installed plugins in", 1)[0]
        self.assertIn("lbaas", tempest_part.split(", "))
        self.assertIn("zonemgr_tests", tempest_part.split(", "))
        self.assertIn("Installed plugins in plugfair.plugins: ", message)
        self.assertIn("zonemgr", message.rsplit("plugfair.plugins:", 1)[1])

    def test_check_command(self):
        rc, out, err = self.run_cli(["check", "--profile", "tempest", "zonemgr"])
        self.assertNotIn("is not a directory", err)
        self.assertEqual(1, rc, out + err)  # tempest.common.waiters is not stable
        self.assertIn("zonemgr/tempest_plugin.py", out)
        self.assertIn("tempest.common.waiters", out)
        rc, out, err = self.run_cli(["check", "--profile", "tempest", "no-such-plugin"])
        self.assertEqual(2, rc, out + err)


class TestInstalledFromRecord(base.TestCase):
    """A regular (non-editable) install: the files are the ones RECORD lists."""

    def test_record_is_used(self):
        from plugfair.interface.testing import write_distribution

        site = self.useFixture(fixtures.TempDir()).path
        info = write_distribution(
            site,
            "recorded-plugin",
            "1.0",
            {"recorded": "recorded.plugin:P"},
            {
                "recorded.plugin": "from plugfair.registry import core\n",
                "recorded.unlisted": "from plugfair.config import opts\n",
            },
        )
        with open(os.path.join(info, "RECORD"), "w", encoding="utf-8") as f:
            f.write("recorded/__init__.py,,\nrecorded/plugin.py,sha256=x,1\n%s/RECORD,,\n" % os.path.basename(info))
        self.useFixture(fixtures.MonkeyPatch("sys.path", [site] + sys.path))
        target = targets.resolve("recorded", group="plugfair.plugins")
        self.assertEqual(["recorded/__init__.py", "recorded/plugin.py"], [f.relpath for f in target.files])
        self.assertEqual(["recorded.plugin"], [v.relpath.replace("/", ".")[:-3] for v in found(target)])

