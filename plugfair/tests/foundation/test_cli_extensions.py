"""cliff's hooks and formatters from the manifest: what stevedore would load.

plugfair's commands take the entry points of cliff's formatter groups and
of their command-hook groups from the manifest, not from stevedore's
cache (:mod:`plugfair.cli.app`).  These tests check that they get the
same extensions, a hook and a formatter installed later included, and
that no command reads or writes stevedore's cache.
"""

from __future__ import annotations

import os
import subprocess
import sys

import fixtures
from stevedore import ExtensionManager, _cache

from plugfair.cli import app as app_mod
from plugfair.cli.main import CLIFF_GROUPS
from plugfair.interface.testing import write_distribution
from plugfair.registry import manifest
from plugfair.tests.foundation.test_manifest_cache import CacheTestCase

CLI = "import sys\nfrom plugfair.cli.main import main\nsys.exit(main())\n"

EXTRAS = '''
from cliff.formatters.base import ListFormatter
from cliff.hooks import CommandHook


class Shout(ListFormatter):
    """Upper-case values, one per line."""

    def add_argument_group(self, parser):
        pass

    def emit_list(self, column_names, data, stdout, parsed_args):
        for row in data:
            stdout.write(" ".join(str(v).upper() for v in row) + "\\n")


class Audit(CommandHook):
    def get_parser(self, parser):
        parser.add_argument("--audited", action="store_true")
        return parser

    def get_epilog(self):
        return "Audited by pf_extras."

    def before(self, parsed_args):
        self.cmd.app.stdout.write("audit: %s\\n" % parsed_args.audited)
        return parsed_args

    def after(self, parsed_args, return_code):
        return return_code
'''


class TestSameExtensionsAsStevedore(CacheTestCase):
    def setUp(self):
        super().setUp()
        self.install("good")
        self.useFixture(fixtures.MonkeyPatch("sys.path", [self.dir] + sys.path))

    def add_extras(self):
        write_distribution(self.dir, "pf-extras", "1.0", {}, {"pf_extras": EXTRAS}, {
            "cliff.formatter.list": {"shout": "pf_extras:Shout"},
            "None.good_hello": {"audit": "pf_extras:Audit"},
        })

    def check(self, namespaces):
        """Each namespace's extensions, loaded by stevedore from its own
        (fresh) cache and from the manifest: the same, in the same order."""
        found = manifest.load(groups=CLIFF_GROUPS).entry_points
        cache = _cache.Cache(cache_dir=self.useFixture(fixtures.TempDir()).path)
        for namespace in namespaces:
            ours = app_mod.ManifestExtensions(namespace, found.get(namespace, ()))
            self.useFixture(fixtures.MonkeyPatch("stevedore._cache.get_group_all", cache.get_group_all))
            self.useFixture(fixtures.MonkeyPatch("stevedore.ExtensionManager.ENTRY_POINT_CACHE", {}))
            theirs: ExtensionManager[object] = ExtensionManager(namespace)
            self.assertEqual([(e.name, e.entry_point.value) for e in theirs],
                             [(e.name, e.entry_point.value) for e in ours], namespace)
        return found

    def test_the_same_entry_points(self):
        namespaces = ("cliff.formatter.list", "cliff.formatter.show", "cliff.formatter.completion",
                      "None.good_hello", "None.plugin_list")
        found = self.check(namespaces)
        self.assertNotIn("None.good_hello", found)
        self.add_extras()  # installed later: the manifest sees it
        found = self.check(namespaces)
        self.assertEqual((("audit", "pf_extras:Audit"),), found["None.good_hello"])
        self.assertIn(("shout", "pf_extras:Shout"), found["cliff.formatter.list"])

    def test_a_hook_and_a_formatter_installed_later_work(self):
        self.add_extras()
        rc, out, err = self.run_cli(["good", "hello", "--audited"])
        self.assertEqual((0, "audit: True\nHello, world!\n"), (rc, out), err)
        rc, out, err = self.run_cli(["plugin", "list", "-f", "shout", "-c", "Name", "-c", "Status"])
        self.assertEqual(0, rc, err)
        self.assertIn("GOOD OK", out.splitlines())
        rc, out, err = self.run_cli(["good", "hello", "--help"])
        self.assertIn("Audited by pf_extras.", out)


class TestNoStevedoreCache(CacheTestCase):
    def test_no_command_reads_or_writes_stevedores_cache(self):
        self.install("good")
        xdg = self.useFixture(fixtures.TempDir()).path
        env = dict(os.environ, PYTHONPATH=self.dir, XDG_CACHE_HOME=xdg)
        for args in (["good", "hello"], ["good", "hello", "--help"], ["help", "good", "hello"],
                     ["plugin", "list", "-f", "json"], ["plugin", "show", "good"], ["complete"],
                     ["--help"], ["plugin", "list"]):
            proc = subprocess.run([sys.executable, "-c", CLI, *args], env=env, cwd=self.home,
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(0, proc.returncode, proc.stderr)
            self.assertEqual([], os.listdir(xdg), repr(args))
        self.assertIn("Hello, world!", subprocess.run(
            [sys.executable, "-c", CLI, "good", "hello"], env=env, cwd=self.home,
            capture_output=True, text=True, timeout=120).stdout)
