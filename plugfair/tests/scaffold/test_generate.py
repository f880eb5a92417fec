"""Tests of ``plugfair plugin new`` and plugfair.scaffold.generate."""

from __future__ import annotations

import builtins
import itertools
import os
import unittest

import fixtures
import testtools
from testtools import matchers

from plugfair.api import PluginDistribution, UsageError
from plugfair.registry.core import Registry
from plugfair.scaffold import generate
from plugfair.tests import base

ALL = generate.CAPABILITIES


def _tree(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)


class TestNames(base.TestCase):

    BAD = ["", "Dns", "1dns", "dns-x", "dns.x", "dns x", "a" * 33, "dns;rm", "_dns", "plugfair", "tests", "dné"]

    def test_library_rejects_bad_names(self):
        for name in self.BAD:
            with testtools.ExpectedException(UsageError, ".*%s" % ("reserved" if name in ("plugfair", "tests") else "Invalid plugin name")):
                generate.validate_name(name)

    def test_good_names(self):
        for name in ["dns", "object_store", "a", "x1", "a" * 32]:
            self.assertEqual(name, generate.validate_name(name))

    def test_cli_bad_name_exits_2_and_writes_nothing(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        for name in ["Dns", "dns-x", "plugfair"]:
            target = os.path.join(tmp, "out")
            rc, out, err = self.run_cli(["plugin", "new", name, "--dir", target])
            self.assertEqual(2, rc, err)
            self.assertIn(repr(name), err)
            self.assertFalse(os.path.exists(target))
        self.assertEqual([], os.listdir(tmp))


class TestCapabilities(base.TestCase):

    def test_parse(self):
        self.assertEqual(("tests", "quota"), generate.parse_capabilities("quota, tests"))
        self.assertEqual(ALL, generate.parse_capabilities("config,quota,commands,tests,tests"))
        self.assertEqual(("commands",), generate.parse_capabilities(["COMMANDS"]))

    def test_bad_lists(self):
        for value in ["bogus", "tests,bogus", "", " , ", "services", "tests;quota"]:
            with testtools.ExpectedException(UsageError):
                generate.parse_capabilities(value)

    def test_unknown_is_named(self):
        e = self.assertRaises(UsageError, generate.parse_capabilities, "tests,dashboard")
        self.assertIn("'dashboard'", str(e))
        self.assertIn("tests,commands,quota,config", str(e))

    def test_cli_bad_capabilities_exits_2_and_writes_nothing(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        target = os.path.join(tmp, "out")
        rc, out, err = self.run_cli(["plugin", "new", "dns", "--dir", target, "--capabilities", "tests,nope"])
        self.assertEqual(2, rc, err)
        self.assertIn("'nope'", err)
        self.assertFalse(os.path.exists(target))


class TestNoOverwrite(base.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.target = os.path.join(self.tmp, "proj")

    def test_existing_file_refused_nothing_written(self):
        os.makedirs(os.path.join(self.target, "dns_plugfair_plugin"))
        with open(os.path.join(self.target, "setup.cfg"), "w") as fh:
            fh.write("mine\n")
        before = _tree(self.target)
        e = self.assertRaises(generate.ProjectExists, generate.generate, "dns", directory=self.target)
        self.assertEqual(1, e.exit_code)
        self.assertIn("setup.cfg", str(e))
        self.assertEqual(before, _tree(self.target))
        with open(os.path.join(self.target, "setup.cfg")) as fh:
            self.assertEqual("mine\n", fh.read())

    def test_cli_refuses_with_exit_1(self):
        rc, out, err = self.run_cli(["plugin", "new", "dns", "--dir", self.target])
        self.assertEqual(0, rc, err)
        before = {p: os.path.getmtime(os.path.join(self.target, p)) for p in _tree(self.target)}
        rc, out, err = self.run_cli(["plugin", "new", "dns", "--dir", self.target])
        self.assertEqual(1, rc)
        self.assertIn("Refusing to overwrite", err)
        self.assertIn("Nothing was written", err)
        self.assertEqual(before, {p: os.path.getmtime(os.path.join(self.target, p)) for p in _tree(self.target)})

    def test_file_where_directory_goes(self):
        with open(self.target, "w") as fh:
            fh.write("x")
        self.assertRaises(generate.ProjectExists, generate.generate, "dns", directory=self.target)
        os.unlink(self.target)
        os.makedirs(self.target)
        with open(os.path.join(self.target, "dns_plugfair_plugin"), "w") as fh:
            fh.write("x")
        e = self.assertRaises(generate.ProjectExists, generate.generate, "dns", directory=self.target)
        self.assertIn("dns_plugfair_plugin", str(e))
        self.assertEqual(["dns_plugfair_plugin"], _tree(self.target))

    def test_existing_empty_directory_is_fine(self):
        os.makedirs(self.target)
        project = generate.generate("dns", directory=self.target)
        self.assertEqual(sorted(project.files), sorted(p for p in _tree(self.target) if os.path.isfile(os.path.join(self.target, p))))

    def test_write_failure_rolls_back(self):
        real_open = builtins.open
        calls = []

        def failing_open(path, mode="r", *args, **kwargs):
            if "x" in mode:
                calls.append(path)
                if len(calls) == 5:
                    raise OSError(28, "No space left on device")
            return real_open(path, mode, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch("builtins.open", failing_open))
        self.assertRaises(OSError, generate.generate, "dns", directory=self.target)
        self.assertEqual(5, len(calls))
        self.assertFalse(os.path.exists(self.target))

    def test_default_directory(self):
        project = generate.generate("object_store", base=self.tmp)
        self.assertEqual(os.path.join(self.tmp, "object-store-plugfair-plugin"), project.directory)
        self.assertTrue(os.path.isfile(os.path.join(project.directory, "object_store_plugfair_plugin", "plugin.py")))


class TestRender(base.TestCase):

    def test_complete_project(self):
        files = generate.render("dns")
        for required in ["setup.cfg", "pyproject.toml", "tox.ini", ".stestr.conf", "README.rst",
                         "dns_plugfair_plugin/plugin.py", "dns_plugfair_plugin/commands.py",
                         "dns_plugfair_plugin/quota.py", "dns_plugfair_plugin/config.py",
                         "dns_plugfair_plugin/tests/test_plugin.py"]:
            self.assertIn(required, files)
        self.assertThat(files["setup.cfg"], matchers.Contains(
            "plugfair.plugins =\n    dns = dns_plugfair_plugin.plugin:DnsPlugin"))
        self.assertIn("build-backend", files["pyproject.toml"])
        self.assertNotIn("[project]", files["pyproject.toml"])
        for env in ["[testenv]", "[testenv:pep8]", "[testenv:check]", "plugfair check dns"]:
            self.assertIn(env, files["tox.ini"])
        self.assertIn("test_path=./dns_plugfair_plugin/tests", files[".stestr.conf"])
        notes = [p for p in files if p.startswith("releasenotes/notes/")]
        self.assertThat(notes[0], matchers.MatchesRegex(r"releasenotes/notes/initial-release-[0-9a-f]{16}\.yaml$"))

    def test_only_chosen_capability_modules(self):
        files = generate.render("dns", "quota")
        self.assertIn("dns_plugfair_plugin/quota.py", files)
        self.assertNotIn("dns_plugfair_plugin/commands.py", files)
        self.assertNotIn("dns_plugfair_plugin/config.py", files)
        self.assertNotIn("def cli_commands", files["dns_plugfair_plugin/plugin.py"])
        self.assertNotIn("def test_package", files["dns_plugfair_plugin/plugin.py"])

    def test_generated_code_imports_only_plugfair_api(self):
        for path, text in generate.render("dns").items():
            if not path.endswith(".py"):
                continue
            for line in text.splitlines():
                if "plugfair" in line and ("import" in line) and "dns_plugfair_plugin" not in line:
                    self.assertEqual("from plugfair import api", line.strip(), path)


def _combinations():
    for n in range(1, len(ALL) + 1):
        yield from itertools.combinations(ALL, n)


class _FakeDist:
    def __init__(self, direct_url):
        self.direct_url = direct_url

    def read_text(self, name):
        return self.direct_url if name == "direct_url.json" else None


class TestPlugfairRequirement(base.TestCase):
    """Where the generated tox envs get plugfair from (issue 11, item 8)."""

    def requirement(self, *direct_urls):
        dists = [_FakeDist(d) for d in direct_urls]
        self.useFixture(fixtures.MonkeyPatch(
            "importlib.metadata.distributions", lambda name=None: iter(dists)))
        return generate.plugfair_requirement()

    def test_local_checkout_wheel_or_sdist(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        wheel = os.path.join(tmp, "plugfair-0.1.0-py3-none-any.whl")
        open(wheel, "w").close()
        url = "file://" + tmp
        self.assertEqual("plugfair @ " + url, self.requirement(
            '{"url": "%s", "dir_info": {"editable": true}}' % url))
        self.assertEqual("plugfair @ file://" + wheel, self.requirement(
            '{"url": "file://%s", "archive_info": {}}' % wheel))

    def test_fallback_is_the_running_version(self):
        import plugfair

        fallback = "plugfair>=%s" % plugfair.__version__
        for bad in (None, "", "not json", "[]", '{"url": 5}', '{"url": "https://example.org/p.whl"}',
                    '{"url": "file:///no/such/plugfair/checkout", "dir_info": {}}',
                    '{"url": "file:///tmp", "vcs_info": {"vcs": "git"}}'):
            self.assertEqual(fallback, self.requirement(bad), str(bad))
        self.assertEqual(fallback, self.requirement())  # not installed at all

    def test_metadata_without_direct_url_is_passed_over(self):
        # e.g. the plugfair.egg-info of a checkout on sys.path, found first
        tmp = self.useFixture(fixtures.TempDir()).path
        self.assertEqual("plugfair @ file://" + tmp, self.requirement(
            None, '{"url": "file://%s", "dir_info": {"editable": true}}' % tmp))

    def test_tox_ini_uses_it_with_an_override(self):
        self.useFixture(fixtures.MonkeyPatch(
            "plugfair.scaffold.generate.plugfair_requirement", lambda: "plugfair @ file:///src/plugfair"))
        tox = generate.render("dns")["tox.ini"]
        self.assertIn("deps =\n    {env:PLUGFAIR_SOURCE:plugfair @ file:///src/plugfair}\n", tox)
        self.assertIn("PLUGFAIR_SOURCE", generate.render("dns")["README.rst"])


class TestEveryCombination(base.TestCase):
    """Each capability combination installs, registers and passes its tests."""

    def test_all_combinations(self):
        shared = self.useFixture(fixtures.TempDir()).path
        combos = list(enumerate(_combinations()))
        for i, caps in combos:
            name = "gen%d" % i
            package = "%s_plugfair_plugin" % name
            modules = {}
            for path, text in generate.render(name, caps).items():
                if path.endswith(".py"):
                    dotted = path[:-3].replace("/", ".")
                    modules[dotted.removesuffix(".__init__")] = text
            self.useFixture(PluginDistribution(
                "%s-plugfair-plugin" % name,
                {name: "%s.plugin:Gen%dPlugin" % (package, i)},
                modules,
                directory=shared,
            ))
        registry = Registry.discover(None, use_cache=False)
        self.assertEqual(15, len(combos))
        for i, caps in combos:
            rec = registry.get("gen%d" % i)
            self.assertEqual([], [p.reason for p in rec.problems], caps)
            self.assertEqual(sorted(caps), sorted(rec.capabilities))
            suite = unittest.defaultTestLoader.loadTestsFromName(
                "gen%d_plugfair_plugin.tests.test_plugin" % i)
            result = unittest.TestResult()
            suite.run(result)
            self.assertEqual([], [str(t) + e for t, e in result.errors + result.failures], caps)
            self.assertGreater(result.testsRun, 1, caps)
