"""The manifest cache: warm reads import nothing; any change rebuilds it."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading

import fixtures
from oslo_config import cfg

from plugfair.config import opts
from plugfair.interface.testing import write_distribution
from plugfair.registry import manifest
from plugfair.registry.core import Registry
from plugfair.tests import base
from plugfair.tests.foundation import zoo

CLI = "import sys\nfrom plugfair.cli.main import main\nsys.exit(main())\n"


class CacheTestCase(base.TestCase):
    def setUp(self):
        super().setUp()
        self.log = os.path.join(self.useFixture(fixtures.TempDir()).path, "imports.log")
        self.useFixture(fixtures.EnvironmentVariable(zoo.IMPORT_LOG, self.log))
        self.dir = self.useFixture(fixtures.TempDir()).path

    def install(self, name, **kwargs):
        return self.useFixture(zoo.distribution(name, directory=self.dir, **kwargs))

    def imports(self):
        try:
            with open(self.log) as f:
                return f.read().split()
        except FileNotFoundError:
            return []

    def names(self, found):
        return sorted(rec.name for rec in found.records if rec.distribution.startswith("pf-"))

    def cache_files(self):
        return glob.glob(os.path.join(self.cache_dir, "manifest-*.bin"))

    def touch_later(self, path):
        # mtimes can be coarse: make the change visible whatever the clock
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))

    def edit_module(self, name, old, new):
        """Replace ``old`` by ``new`` in module ``name`` of :attr:`dir`,
        visibly to the cache's mtime checks."""
        module = os.path.join(self.dir, name + ".py")
        with open(module) as f:
            source = f.read()
        self.assertIn(old, source)
        with open(module, "w") as f:
            f.write(source.replace(old, new))
        self.touch_later(module)


class TestWarmCache(CacheTestCase):
    def test_warm_cache_is_used_without_probing(self):
        self.install("other")
        first = manifest.load()
        self.assertEqual("probe", first.source)
        self.assertEqual(["pf_other"], self.imports())  # the probe child imported it
        self.assertNotIn("pf_other", sys.modules)  # ... this process did not
        second = manifest.load()
        self.assertEqual("cache", second.source)
        self.assertEqual(["pf_other"], self.imports())
        self.assertEqual([x.to_dict() for x in first.records],
                         [x.to_dict() for x in second.records])
        self.assertEqual(1, len(self.cache_files()))

    def test_cache_location(self):
        self.assertEqual(self.cache_dir, manifest.cache_dir())
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR"))
        self.useFixture(fixtures.EnvironmentVariable("XDG_CACHE_HOME", "/x/cache"))
        self.assertEqual("/x/cache/plugfair", manifest.cache_dir())
        self.useFixture(fixtures.EnvironmentVariable("XDG_CACHE_HOME"))
        self.assertEqual(os.path.join(self.home, ".cache", "plugfair"), manifest.cache_dir())

    def test_discover_with_a_bare_conf(self):
        self.install("other")
        conf = cfg.ConfigOpts()
        registry = Registry.discover(conf)
        self.assertIn("other", registry.names())
        self.assertEqual([], conf.plugfair.enabled_plugins)

    def test_registry_discover_uses_the_cache(self):
        self.install("other")
        conf = cfg.ConfigOpts()
        opts.register(conf)
        conf([], default_config_files=[], default_config_dirs=[])
        Registry.discover(conf)
        registry = Registry.discover(conf)
        self.assertEqual(["pf_other"], self.imports())
        self.assertIn("other", registry.names())


class TestInvalidation(CacheTestCase):
    def assertRebuilt(self, expect_imports):
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(expect_imports, self.imports())
        return found

    def test_adding_a_distribution(self):
        self.install("other")
        manifest.load()
        self.install("good")
        found = self.assertRebuilt(["pf_other", "pf_good.plugin"])  # "other" is kept
        self.assertEqual(["good", "other"], self.names(found))

    def test_removing_a_distribution(self):
        self.install("other")
        self.install("good")
        self.assertEqual(["good", "other"], self.names(manifest.load()))
        shutil.rmtree(os.path.join(self.dir, "pf_good-1.0.0.dist-info"))
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(["other"], self.names(found))

    def test_upgrading_a_distribution(self):
        self.install("other")
        self.assertEqual(["1.0.0"], [x.version for x in manifest.load().records
                                     if x.name == "other"])
        shutil.rmtree(os.path.join(self.dir, "pf_other-1.0.0.dist-info"))
        _, module, source = zoo.ZOO["other"]
        write_distribution(self.dir, "pf-other", "1.1.0", {"other": "pf_other:P"},
                           {module: source.replace("Another plugin", "An upgraded plugin")})
        found = manifest.load()
        self.assertEqual("probe", found.source)
        (rec,) = [x for x in found.records if x.name == "other"]
        self.assertEqual("1.1.0", rec.version)
        self.assertEqual("An upgraded plugin that works.", rec.description)

    def test_entry_points_change_in_place(self):
        self.install("other")
        manifest.load()
        eps = os.path.join(self.dir, "pf_other-1.0.0.dist-info", "entry_points.txt")
        with open(eps, "a") as f:
            f.write("[plugfair.plugins]\nother2 = pf_other:P\n")
        self.touch_later(eps)
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(["other", "other2"], self.names(found))

    def test_plugin_module_edited(self):
        self.install("other")
        manifest.load()
        self.edit_module("pf_other", "Another plugin that works.", "Edited.")
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(["Edited."], [x.description for x in found.records
                                       if x.name == "other"])

    def test_fixing_a_plugin_that_failed_at_import(self):
        self.install("import_error")
        (rec,) = [x for x in manifest.load().records if x.name == "import_error"]
        self.assertEqual("failed", rec.status)
        self.assertEqual("cache", manifest.load().source)
        module = os.path.join(self.dir, "pf_import_error.py")
        with open(module, "w") as f:
            f.write(zoo.plugin_source("import_error"))
        self.touch_later(module)
        found = manifest.load()
        self.assertEqual("probe", found.source)
        (rec,) = [x for x in found.records if x.name == "import_error"]
        self.assertEqual("ok", rec.status)

    def test_files_are_known_for_plugins_that_killed_the_probe(self):
        # os._exit and a hang kill the probe child; the record still
        # names the module, so fixing it rebuilds the manifest.
        for name in ("os_exit", "hang"):
            files = zoo.record(name).files
            self.assertEqual([zoo.ZOO[name][1] + ".py"], [os.path.basename(f) for f in files])

    def test_sys_path_change(self):
        self.install("other")
        manifest.load()
        extra = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.MonkeyPatch("sys.path", [extra] + sys.path))
        self.assertEqual("probe", manifest.load().source)

    def test_hook_timeout_change(self):
        # The timeout shapes the records (a slow plugin is "hung" under a
        # short one), so a manifest built under one is never used under
        # another; going back rebuilds too, as only one manifest is kept.
        self.install("other")
        self.assertEqual("probe", manifest.load(timeout=10.0).source)
        self.assertEqual("cache", manifest.load(timeout=10.0).source)
        self.assertEqual("probe", manifest.load(timeout=2.5).source)
        self.assertEqual("cache", manifest.load(timeout=2.5).source)
        self.assertEqual("probe", manifest.load(timeout=10.0).source)

    def test_a_slow_plugin_is_judged_again_under_a_longer_timeout(self):
        from plugfair.api import PluginDistribution

        self.useFixture(PluginDistribution("pf-slow", {"slow": "pf_slow:P"}, {
            "pf_slow": zoo.plugin_source("slow", header="import time\ntime.sleep(1.5)\n"),
        }, directory=self.dir))
        (rec,) = [x for x in manifest.load(timeout=0.5).records if x.name == "slow"]
        self.assertEqual("failed", rec.status)
        self.assertIn("did not finish within 0.5 s", rec.problems[0].reason)
        (rec,) = [x for x in manifest.load(timeout=10.0).records if x.name == "slow"]
        self.assertEqual("ok", rec.status)

    def test_nonsense_timeouts_are_refused(self):
        from plugfair.api import ConfigError

        for bad in (float("nan"), float("inf"), -1.0, 0, 0.0, "10", None, True):
            with self.assertRaises(ConfigError) as ctx:
                manifest.load(timeout=bad)  # type: ignore[arg-type]
            self.assertIn("hook_timeout must be a finite number of seconds greater than 0",
                          str(ctx.exception), repr(bad))
            with self.assertRaises(ConfigError):
                manifest.build(list(sys.path), timeout=bad)  # type: ignore[arg-type]
        self.assertEqual([], self.cache_files())

    def test_unrelated_files_do_not_invalidate(self):
        self.install("other")
        manifest.load()
        for name in ("notes.txt", "scratch.py"):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write("x")
        os.mkdir(os.path.join(self.dir, "__pycache__x"))
        self.assertEqual("cache", manifest.load().source)


class TestDamagedCache(CacheTestCase):
    def test_damaged_files_are_rebuilt(self):
        self.install("other")
        manifest.load()
        (filename,) = self.cache_files()
        with open(filename, "rb") as f:
            good = f.read()
        data = read(filename)
        flipped = bytearray(good)
        flipped[-10] ^= 0xFF
        damaged = {
            "empty": b"",
            "truncated": good[: len(good) // 2],
            "foreign": b'["not", "a", "manifest"]',
            "one byte changed": bytes(flipped),
            "another format": good.replace(b"manifest 5", b"manifest 4", 1),
        }
        for what, content in damaged.items():
            with open(filename, "wb") as f:
                f.write(content)
            found = manifest.load()
            self.assertEqual("probe", found.source, what)
            self.assertEqual(["other"], self.names(found), what)
            self.assertEqual(data["key"], read(filename)["key"], what)
        # a sound file whose records are not records
        manifest._write(filename, dict(data, records=[("other",)]))
        found = manifest.load()
        self.assertEqual("probe", found.source)
        self.assertEqual(["other"], self.names(found))

    def test_a_directory_in_the_way(self):
        self.install("other")
        filename = manifest._cache_file(list(sys.path))
        os.makedirs(filename)
        self.assertEqual(["other"], self.names(manifest.load()))
        self.assertEqual("probe", manifest.load().source)  # still no crash

    def test_read_only_cache_directory(self):
        self.install("other")
        ro = os.path.join(self.cache_dir, "ro")
        os.mkdir(ro, 0o500)
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", ro))
        if os.access(ro, os.W_OK):
            self.skipTest("running as a user that can write anywhere")
        self.assertEqual(["other"], self.names(manifest.load()))


WRITER = textwrap.dedent("""
    import sys
    from plugfair.registry import manifest
    filename, ident = sys.argv[1], sys.argv[2]
    data = {"key": ident, "records": [{"name": ident * 500, "n": i} for i in range(200)]}
    for _ in range(30):
        manifest._write(filename, data)
""")


def read(filename):
    data = manifest._read(filename)
    if data is None:
        raise AssertionError("%s is not a manifest file" % filename)
    return data


class TestConcurrentWriters(CacheTestCase):
    def read_until_done(self, filename, still_writing):
        seen = set()
        while still_writing():
            if not os.path.exists(filename):
                continue
            data = read(filename)
            # never torn: always one writer's complete content
            self.assertEqual(200, len(data["records"]))
            self.assertEqual({data["key"] * 500}, {x["name"] for x in data["records"]})
            seen.add(data["key"])
        return seen

    def test_processes(self):
        filename = os.path.join(self.cache_dir, "manifest-test.bin")
        procs = [
            subprocess.Popen([sys.executable, "-c", WRITER, filename, ident])
            for ident in "abcd"
        ]
        self.read_until_done(filename, lambda: any(p.poll() is None for p in procs))
        self.assertEqual([0, 0, 0, 0], [p.wait() for p in procs])
        self.assertIn(read(filename)["key"], "abcd")
        # no temporary files left behind
        self.assertEqual(["manifest-test.bin"], os.listdir(self.cache_dir))

    def test_threads(self):
        filename = os.path.join(self.cache_dir, "manifest-test.bin")
        errors = []

        def write(ident):
            data = {"key": ident, "records": [{"name": ident * 500} for _ in range(200)]}
            try:
                for _ in range(30):
                    manifest._write(filename, data)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(i,)) for i in "wxyz"]
        for t in threads:
            t.start()
        self.read_until_done(filename, lambda: any(t.is_alive() for t in threads))
        for t in threads:
            t.join()
        self.assertEqual([], errors)
        self.assertEqual(["manifest-test.bin"], os.listdir(self.cache_dir))

    def test_processes_building_at_once(self):
        self.install("other")
        env = dict(os.environ, PYTHONPATH=self.dir)
        code = ("import json\nfrom plugfair.registry import manifest\n"
                "print(json.dumps(sorted(r.name for r in manifest.load().records)))\n")
        procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=self.home,
                                  stdout=subprocess.PIPE, text=True) for _ in range(3)]
        outputs = [json.loads(p.communicate()[0]) for p in procs]
        self.assertEqual([0, 0, 0], [p.returncode for p in procs])
        self.assertEqual(1, len({tuple(o) for o in outputs}))
        self.assertIn("other", outputs[0])
        (filename,) = self.cache_files()
        self.assertIn("other", [row[0] for row in read(filename)["records"]])


class TestCacheOff(CacheTestCase):
    def test_environment_variable(self):
        self.install("other")
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_NO_CACHE", "1"))
        self.assertEqual("probe", manifest.load().source)
        self.assertEqual("probe", manifest.load().source)
        self.assertEqual(["pf_other", "pf_other"], self.imports())
        self.assertEqual([], self.cache_files())

    def test_argument(self):
        self.install("other")
        manifest.load()
        self.assertEqual("probe", manifest.load(use_cache=False).source)
        self.assertEqual(2, len(self.imports()))

    def test_configuration(self):
        self.install("other")
        conf = cfg.ConfigOpts()
        opts.register(conf)
        conf([], default_config_files=[], default_config_dirs=[])
        conf.set_override("manifest_cache", False, group="plugfair")
        Registry.discover(conf)
        Registry.discover(conf)
        self.assertEqual(2, len(self.imports()))
        self.assertEqual([], self.cache_files())

    def test_no_cache_flag(self):
        self.install("other")
        manifest.load()
        rc, out, _ = self.run_cli(["--no-cache", "plugin", "list", "-f", "value", "-c", "Name"])
        self.assertEqual(0, rc)
        self.assertIn("other", out.split())
        self.assertEqual(2, len(self.imports()))

    def test_configuration_on_the_fast_help_path(self):
        self.install("other")
        manifest.load()
        conf_file = os.path.join(self.home, "plugfair.conf")
        with open(conf_file, "w") as f:
            f.write("[plugfair]\nmanifest_cache = false\n")
        rc, out, _ = self.run_cli(["--help"])
        self.assertEqual(0, rc)
        self.assertIn("other run", out)
        self.assertEqual(2, len(self.imports()))


class TestLaziness(CacheTestCase):
    """In real processes: help and listings import no plugin module."""

    def plugfair(self, *args):
        env = dict(os.environ, PYTHONPATH=self.dir)
        return subprocess.run([sys.executable, "-c", CLI, *args], env=env, cwd=self.home,
                              capture_output=True, text=True, timeout=120)

    def test_help_and_list_import_no_plugin_when_warm(self):
        self.install("other")
        self.install("good")
        first = self.plugfair("--help")  # cold: the probe child imports them
        self.assertEqual(0, first.returncode, first.stderr)
        self.assertEqual(["pf_good.plugin", "pf_other"], sorted(self.imports()))
        os.unlink(self.log)
        for args in (["--help"], [], ["help"], ["plugin", "list"], ["plugin", "show", "good"],
                     ["plugin", "doctor"]):
            proc = self.plugfair(*args)
            self.assertIn(proc.returncode, (0, 1), proc.stderr)
            self.assertIn("good" if args[-1:] != ["doctor"] else "No problems", proc.stdout,
                          str(args))
            self.assertEqual([], self.imports(), str(args))
        # only the plugin whose command runs is imported
        proc = self.plugfair("other", "run")
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual("other ran\n", proc.stdout)
        self.assertEqual(["pf_other"], self.imports())
