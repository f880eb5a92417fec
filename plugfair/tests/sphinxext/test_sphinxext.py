"""Tests of the ``plugfair-plugins`` Sphinx directive."""

from __future__ import annotations

import importlib.util
import io
import os

import fixtures
import testtools

from plugfair.api import PluginDistribution, PluginNotFound
from plugfair.tests import base

_MODULE = '''
from plugfair import api


class Hello(api.Command):
    """Say hello."""

    def take_action(self, parsed_args):
        return 0


class ZzPlugin(api.Plugin):
    name = "zz_docdemo"
    api_version = "1.0"
    description = "Demo <b>plugin</b> for docs."

    def cli_commands(self):
        return {"zz-docdemo hello": Hello}

    def quota_resources(self):
        return [api.QuotaResource("widgets", default=3)]
'''

_BROKEN = '''
raise ImportError("this plugin is broken on purpose")
'''


@testtools.skipUnless(importlib.util.find_spec("sphinx") is not None, "Sphinx is not installed: install the test extra (pip install -e '.[test]')")
class TestDirective(base.TestCase):

    def setUp(self):
        super().setUp()
        from plugfair import sphinxext

        self.sx = sphinxext
        shared = self.useFixture(fixtures.TempDir()).path
        self.useFixture(PluginDistribution(
            "zz-docdemo", {"zz_docdemo": "zz_docdemo_mod:ZzPlugin"},
            {"zz_docdemo_mod": _MODULE}, directory=shared))
        self.useFixture(PluginDistribution(
            "aa-broken", {"aa_broken": "aa_broken_mod:Plugin"},
            {"aa_broken_mod": _BROKEN}, directory=shared))

    def test_summary_lists_capabilities_ordered_by_name(self):
        rows = self.sx.plugin_summary()
        names = [r["name"] for r in rows]
        self.assertEqual(sorted(names), names)
        demo = rows[names.index("zz_docdemo")]
        self.assertEqual(["commands", "quota"], demo["capabilities"])
        self.assertEqual(["zz-docdemo hello"], demo["commands"])
        self.assertEqual(["zz_docdemo.widgets"], demo["quota"])

    def test_summary_only_named_plugins(self):
        rows = self.sx.plugin_summary(["zz_docdemo"])
        self.assertEqual(["zz_docdemo"], [r["name"] for r in rows])

    def test_unknown_plugin_raises(self):
        self.assertRaises(PluginNotFound, self.sx.plugin_summary, ["no_such_plugin"])

    def test_builds_with_broken_plugin_and_escapes_text(self):
        from sphinx.application import Sphinx

        src = self.useFixture(fixtures.TempDir()).path
        out = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(src, "conf.py"), "w") as fh:
            fh.write('extensions = ["plugfair.sphinxext"]\n')
        with open(os.path.join(src, "index.rst"), "w") as fh:
            fh.write("Plugins\n=======\n\n.. plugfair-plugins::\n   :detail:\n")
        warnings = io.StringIO()
        app = Sphinx(src, src, out, os.path.join(out, ".doctrees"), "html",
                     status=io.StringIO(), warning=warnings, freshenv=True)
        app.build()
        self.assertEqual("", warnings.getvalue())
        with open(os.path.join(out, "index.html")) as fh:
            page = fh.read()
        self.assertIn("zz_docdemo.widgets", page)
        self.assertIn("aa_broken", page)
        self.assertIn("this plugin is broken on purpose", page)
        self.assertIn("Demo &lt;b&gt;plugin&lt;/b&gt; for docs.", page)
        self.assertNotIn("<b>plugin</b>", page)

    def test_unknown_plugin_fails_the_build(self):
        from sphinx.application import Sphinx

        src = self.useFixture(fixtures.TempDir()).path
        out = self.useFixture(fixtures.TempDir()).path
        with open(os.path.join(src, "conf.py"), "w") as fh:
            fh.write('extensions = ["plugfair.sphinxext"]\n')
        with open(os.path.join(src, "index.rst"), "w") as fh:
            fh.write("Plugins\n=======\n\n.. plugfair-plugins::\n   :plugins: nope\n")
        warnings = io.StringIO()
        app = Sphinx(src, src, out, os.path.join(out, ".doctrees"), "html",
                     status=io.StringIO(), warning=warnings, freshenv=True)
        app.build()
        self.assertIn("No plugin named 'nope'", warnings.getvalue())
