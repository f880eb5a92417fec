"""Partial probes: after a change, only what changed is probed again.

Each test builds a manifest, changes one thing, and checks both what was
probed (``Manifest.probed`` and the import log: which plugin modules the
probe child imported) and that the records equal what a full probe of
the new environment gives.
"""

from __future__ import annotations

import os
import shutil
import sys

import fixtures

from plugfair.interface.testing import write_distribution
from plugfair.registry import manifest
from plugfair.registry.childproc import child_sys_path
from plugfair.tests.foundation import zoo
from plugfair.tests.foundation.test_manifest_cache import CacheTestCase
from plugfair.tests.reliability import zoo as rzoo

BASE = zoo.PRELUDE + '''
def helper():
    return "base helper"


class P(Plugin):
    name = "base"
    api_version = "1.0"
    description = "A plugin other plugins import."
'''

USER = zoo.PRELUDE + '''
from pf_base import helper


class P(Plugin):
    name = "user"
    api_version = "1.0"
    description = "Uses base: " + helper()
'''

LAZY_USER = zoo.plugin_source("lazy_user", """
    def cli_commands(self):
        import pf_base

        self.description = pf_base.helper()
        return {}
""")


class PartialTestCase(CacheTestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch("sys.path", [self.dir] + sys.path))
        self.addCleanup(self._forget)

    def _forget(self):
        for name in list(sys.modules):
            if name.startswith("pf_"):
                del sys.modules[name]

    def full(self):
        """The records a full probe of the environment gives, by name."""
        records = manifest.build(child_sys_path(), timeout=manifest.DEFAULT_TIMEOUT)
        return {x.name: x.to_dict() for x in records if x.distribution.startswith("pf-")}

    def assertPartial(self, probed, imported):
        """Load; check what was probed and that it equals a full probe."""
        if os.path.exists(self.log):
            os.unlink(self.log)
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(probed, found.probed)
        self.assertEqual(sorted(imported), sorted(self.imports()))
        mine = {x.name: x.to_dict() for x in found.records if x.distribution.startswith("pf-")}
        self.assertEqual(self.full(), mine)
        self.assertEqual("cache", manifest.load().source)
        return found

    def write(self, dist, name, module, source, version="1.0.0"):
        write_distribution(self.dir, dist, version, {name: "%s:P" % module}, {module: source})


class TestWhatIsProbedAgain(PartialTestCase):
    def setUp(self):
        super().setUp()
        self.install("other")
        self.install("good")
        #: How many plugins a full probe probes (plugfair's own among them).
        self.everything = manifest.load().probed
        self.assertGreater(self.everything, 2)

    def test_installing_a_plugin_probes_it_alone(self):
        self.install("cmd_a")
        found = self.assertPartial(1, ["pf_cmd_a"])
        self.assertEqual(["cmd_a", "good", "other"], self.names(found))

    def test_a_broken_plugin_is_found_on_the_first_run_after_it_is_installed(self):
        self.install("import_error")
        found = self.assertPartial(1, ["pf_import_error"])
        (rec,) = [x for x in found.records if x.name == "import_error"]
        self.assertEqual("failed", rec.status)
        self.assertIn("importing pf_import_error raised", rec.problems[0].reason)

    def test_removing_a_plugin_probes_nothing(self):
        shutil.rmtree(os.path.join(self.dir, "pf_good-1.0.0.dist-info"))
        found = self.assertPartial(0, [])
        self.assertEqual(["other"], self.names(found))

    def test_upgrading_a_plugin_probes_it_alone(self):
        shutil.rmtree(os.path.join(self.dir, "pf_other-1.0.0.dist-info"))
        _, module, source = zoo.ZOO["other"]
        self.write("pf-other", "other", module, source.replace("Another plugin", "An upgraded plugin"), "1.1.0")
        found = self.assertPartial(1, ["pf_other"])
        (rec,) = [x for x in found.records if x.name == "other"]
        self.assertEqual(("1.1.0", "An upgraded plugin that works."), (rec.version, rec.description))

    def test_editing_a_plugin_module_probes_it_alone(self):
        self.edit_module("pf_other", "Another plugin that works.", "Edited.")
        found = self.assertPartial(1, ["pf_other"])
        self.assertEqual(["Edited."], [x.description for x in found.records if x.name == "other"])

    def test_an_entry_point_edited_in_place_probes_its_distribution(self):
        eps = os.path.join(self.dir, "pf_other-1.0.0.dist-info", "entry_points.txt")
        with open(eps, "a") as f:
            f.write("[plugfair.plugins]\nother2 = pf_other:P\n")
        self.touch_later(eps)
        found = self.assertPartial(2, ["pf_other"])  # both in one child
        self.assertEqual(["good", "other", "other2"], self.names(found))

    def test_a_library_change_probes_everything(self):
        info = os.path.join(self.dir, "some_library-2.0.dist-info")
        os.mkdir(info)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: some-library\nVersion: 2.0\n")
        self.assertPartial(self.everything, ["pf_good.plugin", "pf_other"])
        # a distribution whose entry points are of other groups is a library too
        with open(os.path.join(info, "entry_points.txt"), "w") as f:
            f.write("[console_scripts]\nsome = some_library:main\n")
        self.assertPartial(self.everything, ["pf_good.plugin", "pf_other"])

    def test_a_pth_file_probes_everything(self):
        with open(os.path.join(self.dir, "extra.pth"), "w") as f:
            f.write("# nothing\n")
        self.assertPartial(self.everything, ["pf_good.plugin", "pf_other"])

    def test_a_new_timeout_probes_everything(self):
        found = manifest.load(timeout=3.0)
        self.assertEqual(("probe", self.everything), (found.source, found.probed))


class TestDependents(PartialTestCase):
    def setUp(self):
        super().setUp()
        self.write("pf-base", "base", "pf_base", BASE)
        self.write("pf-user", "user", "pf_user", USER)
        self.write("pf-lazy-user", "lazy_user", "pf_lazy_user", LAZY_USER)
        self.install("other")
        self.assertGreater(manifest.load().probed, 4)

    def test_upgrading_a_plugin_probes_the_plugins_that_import_it(self):
        shutil.rmtree(os.path.join(self.dir, "pf_base-1.0.0.dist-info"))
        self.write("pf-base", "base", "pf_base", BASE.replace('"base helper"', '"new helper"'), "2.0")
        found = self.assertPartial(3, ["pf_base", "pf_lazy_user", "pf_user"])
        descriptions = {x.name: x.description for x in found.records}
        self.assertEqual("Uses base: new helper", descriptions["user"])

    def test_removing_a_plugin_its_importers_need_fails_them(self):
        shutil.rmtree(os.path.join(self.dir, "pf_base-1.0.0.dist-info"))
        os.unlink(os.path.join(self.dir, "pf_base.py"))
        found = self.assertPartial(2, ["pf_lazy_user", "pf_user"])
        status = {x.name: str(x.status) for x in found.records if x.distribution.startswith("pf-")}
        self.assertEqual({"other": "ok", "user": "failed", "lazy_user": "failed"}, status)

    def test_editing_a_module_of_an_imported_plugin(self):
        self.edit_module("pf_base", '"base helper"', '"edited helper"')
        self.assertPartial(3, ["pf_base", "pf_lazy_user", "pf_user"])


class TestIntegrityOfPartialProbes(PartialTestCase):
    def test_attackers_installed_later_are_failed_as_in_a_full_probe(self):
        rzoo.write_zoo(self.dir, names=[])
        first = manifest.load()
        self.assertIn("rvictim", [x.name for x in first.records])
        good = {x.name: x.to_dict() for x in first.records if x.name in ("rgood", "rvictim")}
        rzoo.write_tamper(self.dir)
        found = manifest.load()
        self.assertEqual(len(rzoo.TAMPER), found.probed)
        by_name = {x.name: x for x in found.records}
        for name, (_module, _source, kind, reason, what) in rzoo.TAMPER.items():
            rec = by_name[name]
            self.assertEqual("failed", rec.status, "%s (%s)" % (name, what))
            self.assertIn(kind, [p.kind for p in rec.problems], "%s (%s)" % (name, what))
            self.assertIn(reason, " ".join(p.reason for p in rec.problems), "%s (%s)" % (name, what))
        self.assertEqual(good, {n: by_name[n].to_dict() for n in good})
