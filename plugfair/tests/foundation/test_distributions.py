"""Entry points on a path: the same answers as importlib.metadata and stevedore.

:mod:`plugfair.registry.distributions` does not parse a distribution whose
``entry_points.txt`` does not mention a group it was asked for; these
tests hold it to importlib.metadata's answer (and stevedore's cache) on a
path with every kind of distribution importlib.metadata reads.
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import sys
import zipfile

import fixtures

from plugfair.interface.testing import write_distribution
from plugfair.registry import distributions
from plugfair.registry.records import NAMESPACE
from plugfair.tests import base


def reference(path):
    """What importlib.metadata says, read the plain way."""
    found = set()
    for dist in importlib.metadata.distributions(path=list(path)):
        for ep in dist.entry_points:
            if ep.group == NAMESPACE:
                found.add((ep.name, ep.value, dist.metadata["Name"], dist.metadata["Version"]))
    return found


def info(directory, dirname, metadata, entry_points=None):
    where = os.path.join(directory, dirname)
    os.makedirs(where)
    if metadata is not None:
        with open(os.path.join(where, "METADATA"), "w") as f:
            f.write(metadata)
    if entry_points is not None:
        with open(os.path.join(where, "entry_points.txt"), "w") as f:
            f.write(entry_points)


class TestSameAnswerAsImportlibMetadata(base.TestCase):
    def setUp(self):
        super().setUp()
        self.one = self.useFixture(fixtures.TempDir()).path
        self.two = self.useFixture(fixtures.TempDir()).path
        # ordinary plugins, one distribution declaring two
        write_distribution(self.one, "pf-a", "1.0", {"a": "pf_a:P", "b": "pf_a:Q"}, {"pf_a": ""})
        # entry points of other groups only, and none at all
        info(self.one, "lib_only-1.0.dist-info", "Name: lib-only\nVersion: 1.0\n",
             "[console_scripts]\nlib = lib_only:main\n")
        info(self.one, "bare-2.0.dist-info", "Name: bare\nVersion: 2.0\n")
        # the group's name inside another group's name, and in a comment
        info(self.one, "near-1.0.dist-info", "Name: near\nVersion: 1.0\n",
             "[plugfair.plugins.extra]\nx = near:X\n# plugfair.plugins\n")
        # spacing importlib.metadata accepts around names and values
        info(self.one, "spaced-1.0.dist-info", "Name: spaced\nVersion: 1.0\n",
             "  [plugfair.plugins]  \n  s =  spaced.mod:P  \n\n")
        # a legacy egg-info directory, and an egg-info file
        info(self.one, "legacy-0.1.egg-info", None, "[plugfair.plugins]\nlegacy = legacy:P\n")
        with open(os.path.join(self.one, "legacy-0.1.egg-info", "PKG-INFO"), "w") as f:
            f.write("Metadata-Version: 1.1\nName: legacy\nVersion: 0.1\n")
        with open(os.path.join(self.one, "flat-1.0.egg-info"), "w") as f:
            f.write("Metadata-Version: 1.1\nName: flat\nVersion: 1.0\n")
        # upper-case suffix
        info(self.one, "Upper-3.0.DIST-INFO", "Name: Upper\nVersion: 3.0\n",
             "[plugfair.plugins]\nupper = upper:P\n")
        # the same distribution twice on the path, and another version of it
        write_distribution(self.two, "pf-a", "1.0", {"a": "pf_a:P", "b": "pf_a:Q"}, {"pf_a": ""})
        write_distribution(self.two, "pf-c", "2.0", {"a": "pf_a:P"}, {})
        # a zip file and an egg directory on the path
        self.zipped = os.path.join(self.two, "zipped.zip")
        with zipfile.ZipFile(self.zipped, "w") as z:
            z.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
            z.writestr("zipped-1.0.dist-info/entry_points.txt", "[plugfair.plugins]\nz = zipped:P\n")
        self.egg = os.path.join(self.two, "eggy-1.0-py3.11.egg")
        info(self.egg, "EGG-INFO", None, "[plugfair.plugins]\neggy = eggy:P\n")
        with open(os.path.join(self.egg, "EGG-INFO", "PKG-INFO"), "w") as f:
            f.write("Metadata-Version: 1.1\nName: eggy\nVersion: 1.0\n")
        self.path = [self.one, self.two, self.zipped, self.egg, os.path.join(self.two, "missing")]

    def test_the_same_plugins(self):
        ours = distributions.units_of(distributions.plugin_distributions(self.path).values())
        expected = reference(self.path)
        self.assertEqual(sorted(expected), ours)
        # the cases above are all there, and the skipped ones are not
        names = {name for name, _t, _d, _v in ours}
        self.assertEqual({"a", "b", "s", "legacy", "upper", "z", "eggy"}, names)
        self.assertIn(("a", "pf_a:P", "pf-c", "2.0"), ours)

    def test_only_the_given_directories_are_read(self):
        wanted = os.path.join(self.one, "pf_a-1.0.dist-info")
        found = distributions.plugin_distributions(self.path, only=[wanted])
        self.assertEqual({wanted: ("pf-a", "1.0", (("a", "pf_a:P"), ("b", "pf_a:Q")))}, found)

    def test_distributions_that_do_not_mention_the_group_are_not_parsed(self):
        parsed = []
        real = importlib.metadata.Distribution.entry_points

        def spy(dist):
            parsed.append(os.path.basename(str(dist._path)))
            return real.fget(dist)  # type: ignore[attr-defined]

        self.useFixture(fixtures.MonkeyPatch("importlib.metadata.Distribution.entry_points", property(spy)))
        distributions.plugin_distributions([self.one])
        self.assertEqual(
            ["Upper-3.0.DIST-INFO", "legacy-0.1.egg-info", "near-1.0.dist-info", "pf_a-1.0.dist-info",
             "spaced-1.0.dist-info"],
            sorted(parsed),
        )


class TestGroupsAsStevedoreListsThem(base.TestCase):
    def setUp(self):
        super().setUp()
        self.one = self.useFixture(fixtures.TempDir()).path
        self.two = self.useFixture(fixtures.TempDir()).path
        eps = {"cliff.formatter.list": {"fancy": "fancy:F", "plain": "fancy:P"},
               "None.thing_list": {"audit": "fancy:Hook"},
               "other.group": {"x": "fancy:X"}}
        write_distribution(self.one, "fancy", "1.0", {}, {}, eps)
        # the same distribution again later on the path: importlib.metadata
        # keeps the first; another distribution adds to the same group
        write_distribution(self.two, "fancy", "2.0", {}, {}, {"cliff.formatter.list": {"late": "fancy:L"}})
        write_distribution(self.two, "extra", "1.0", {}, {}, {
            "cliff.formatter.list": {"extra": "extra:E", "fancy": "fancy:F"},
            "cliff.formatter.show": {"extra": "extra:S"},
        })
        self.path = [self.one, self.two] + [p for p in sys.path if p]

    def test_the_same_entry_points_in_the_same_order_as_stevedores_cache(self):
        from stevedore import _cache

        self.useFixture(fixtures.MonkeyPatch("sys.path", self.path))
        theirs = {group: tuple((name, value) for name, value, _g in eps)
                  for group, eps in _cache._build_cacheable_data()["groups"].items()
                  if group.startswith(("cliff.formatter.", "None."))}
        ours = distributions.group_entry_points(self.path, ("cliff.formatter.", "None."))
        self.assertEqual(theirs, ours)
        self.assertEqual((("fancy", "fancy:F"), ("plain", "fancy:P"), ("extra", "extra:E")),
                         ours["cliff.formatter.list"][:3])
        self.assertIn(("table", "cliff.formatters.table:TableFormatter"), ours["cliff.formatter.list"])
        self.assertEqual((("audit", "fancy:Hook"),), ours["None.thing_list"])
        self.assertNotIn("other.group", ours)


class TestNameAndVersionAsImportlibMetadataReadsThem(base.TestCase):
    CASES = {
        "plain": "Metadata-Version: 2.1\nName: pf-a\nVersion: 1.0\n\nName: not this\n",
        "crlf": "Metadata-Version: 2.1\r\nName: pf-a\r\nVersion: 1.0\r\n\r\nbody\r\n",
        "lower case": "metadata-version: 2.1\nname: pf-a\nversion: 2\n",
        "no space": "Name:pf-a\nVersion:1.0\n",
        "twice": "Name: first\nName: second\nVersion: 1\nVersion: 2\n",
        "folded other": "Name: pf-a\nLicense: one\n  two\nVersion: 3.0\n",
        "folded name": "Name: pf-\n a\nVersion: 1\n",
        "no version": "Name: pf-a\n\nVersion: 1\n",
        "not a header": "Name: pf-a\nthis is not a header\nVersion: 1\n",
        "trailing space": "Name: pf-a  \nVersion: 1.0\t\n",
        "tabs": "Name:\tpf-a\nVersion: \t1.0\n",
        "empty": "",
        "unicode": "Name: caf\u00e9\nVersion: 1.0\n",
    }

    def test_the_same_answers(self):
        root = self.useFixture(fixtures.TempDir()).path
        for i, (what, text) in enumerate(self.CASES.items()):
            where = os.path.join(root, "d%d-1.0.dist-info" % i)
            os.makedirs(where)
            with open(os.path.join(where, "METADATA"), "w", encoding="utf-8", newline="") as f:
                f.write(text)
            dist = importlib.metadata.PathDistribution(pathlib.Path(where))
            expected = (dist.metadata["Name"] or "unknown", dist.metadata["Version"] or "unknown")
            self.assertEqual(expected, distributions._name_version(dist), what)

    def test_pkg_info_of_an_egg_info_directory(self):
        root = self.useFixture(fixtures.TempDir()).path
        info(root, "old-0.1.egg-info", None)
        with open(os.path.join(root, "old-0.1.egg-info", "PKG-INFO"), "w") as f:
            f.write("Metadata-Version: 1.1\nName: old\nVersion: 0.1\n")
        dist = importlib.metadata.PathDistribution(pathlib.Path(root, "old-0.1.egg-info"))
        self.assertEqual(("old", "0.1"), distributions._name_version(dist))
